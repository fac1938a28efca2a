/**
 * The one connection (a driver Client and its pools) that a Cassandra store's parts share: every statement
 * prepared, at the store's consistency level, each failure a StoreError, and nothing after close.
 */
import { setTimeout as delay } from 'node:timers/promises';
import cassandra from 'cassandra-driver';
import { describeError } from '../../sql/describe-error.js';
import { StoreError } from '../errors.js';
import type { CassandraLocation } from './uri.js';

export type CqlValue =
  | string
  | number
  | boolean
  | bigint
  | Date
  | null
  | readonly string[]
  | ReadonlyMap<string, number>
  | Record<string, number>;
export type CqlRow = cassandra.types.Row;

const SCHEMA_ATTEMPTS = 5;
const SCHEMA_RETRY_MS = 500;

function isMissingKeyspace(error: unknown): boolean {
  return error instanceof Error && /^Keyspace '[^']*' doesn't exist/.test(error.message);
}

/**
 * A lightweight transaction that timed out while contended (a write timeout of type CAS): it may or may not
 * have applied, and the caller has to read to know.
 */
export function isUncertainWrite(error: unknown): boolean {
  const cause = error instanceof StoreError ? error.cause : error;
  if (!(cause instanceof cassandra.errors.ResponseError)) return false;
  const writeTimeout: number = cassandra.types.responseErrorCodes.writeTimeout;
  // The driver sets writeType on the error it read from a write timeout.
  return cause.code === writeTimeout && (cause as { writeType?: unknown }).writeType === 'CAS';
}

export interface SessionOptions {
  /** Bounds connecting and each request (the driver's readTimeout). */
  readonly timeoutMs: number;
  /** Rows per page of a read (the driver's fetchSize); rows() reads every page. Default 5000. */
  readonly pageSize?: number;
}

const DEFAULT_PAGE_SIZE = 5000;

/** Schema changes wait for the node to agree on the new schema, which takes seconds on a loaded machine. */
const SCHEMA_TIMEOUT_MS = 60_000;

export class CassandraSession {
  readonly #client: cassandra.Client;
  readonly #consistency: number;
  readonly #pageSize: number;
  #closed = false;

  private constructor(client: cassandra.Client, consistency: number, pageSize: number) {
    this.#client = client;
    this.#consistency = consistency;
    this.#pageSize = pageSize;
  }

  /** Connects to the contact points (without a keyspace: it may not exist yet). */
  static async connect(location: CassandraLocation, options: SessionOptions): Promise<CassandraSession> {
    const client = new cassandra.Client({
      contactPoints: [...location.contactPoints],
      localDataCenter: location.datacenter,
      socketOptions: { connectTimeout: options.timeoutMs, readTimeout: options.timeoutMs },
      ...(location.credentials === undefined
        ? {}
        : {
            authProvider: new cassandra.auth.PlainTextAuthProvider(
              location.credentials.username,
              location.credentials.password,
            ),
          }),
    });
    const consistency = cassandra.types.consistencies[consistencyKey(location.consistency)];
    try {
      await client.connect();
    } catch (error) {
      await client.shutdown().catch(() => undefined);
      throw new StoreError(
        `cannot connect to Cassandra: ${describeError(error, location.credentials?.password)}`,
        {
          cause: error,
        },
      );
    }
    return new CassandraSession(client, consistency, options.pageSize ?? DEFAULT_PAGE_SIZE);
  }

  /**
   * Every row of a prepared statement, page after page: the driver returns one page per request, and a
   * caller that read only the first would miss rows without knowing. Statements bound what they read with
   * LIMIT where they need fewer.
   */
  async rows(cql: string, params: readonly CqlValue[] = []): Promise<CqlRow[]> {
    const rows: CqlRow[] = [];
    let pageState: string | undefined;
    do {
      const result = await this.#execute(cql, params, pageState);
      rows.push(...result.rows);
      // Typed as a string, but null after the last page.
      const next: unknown = result.pageState;
      pageState = typeof next === 'string' ? next : undefined;
    } while (pageState !== undefined);
    return rows;
  }

  /** Runs a statement; for a lightweight transaction (IF …), whether it applied. */
  async run(cql: string, params: readonly CqlValue[] = []): Promise<boolean> {
    const result = await this.#execute(cql, params);
    return result.wasApplied();
  }

  /**
   * A lightweight transaction (INSERT … IF NOT EXISTS, UPDATE or DELETE … IF …): whether it applied and, when
   * it did not, the row as the condition found it (the columns the condition names; none if no row).
   */
  async conditional(
    cql: string,
    params: readonly CqlValue[],
  ): Promise<{ readonly applied: boolean; readonly current: CqlRow | undefined }> {
    const result = await this.#execute(cql, params);
    const applied = result.wasApplied();
    return { applied, current: applied ? undefined : result.rows[0] };
  }

  /**
   * Statements that commit together (a logged batch: all or, after a failure, eventually none). Unlogged
   * (`logged: false`) when they are all in one partition: that is one mutation, atomic without the batch log.
   */
  async batch(
    statements: readonly { cql: string; params: readonly CqlValue[] }[],
    options: { readonly logged?: boolean } = {},
  ): Promise<void> {
    this.#checkOpen();
    try {
      await this.#client.batch(
        statements.map((s) => ({ query: s.cql, params: [...s.params] })),
        { prepare: true, logged: options.logged ?? true, consistency: this.#consistency },
      );
    } catch (error) {
      throw new StoreError(`a Cassandra batch failed: ${describeError(error)}`, { cause: error });
    }
  }

  /**
   * A conditional batch on one partition of one table (a lightweight transaction): all of it or, when its
   * condition does not hold, none of it; whether it applied.
   */
  async conditionalBatch(
    statements: readonly { cql: string; params: readonly CqlValue[] }[],
  ): Promise<boolean> {
    this.#checkOpen();
    try {
      const result = await this.#client.batch(
        statements.map((s) => ({ query: s.cql, params: [...s.params] })),
        {
          prepare: true,
          consistency: this.#consistency,
          serialConsistency: cassandra.types.consistencies.localSerial,
        },
      );
      return result.wasApplied();
    } catch (error) {
      throw new StoreError(`a Cassandra transaction failed: ${describeError(error)}`, { cause: error });
    }
  }

  /** A schema statement (CREATE …): not prepared, with a longer time bound. */
  async schema(cql: string): Promise<void> {
    this.#checkOpen();
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#client.execute(cql, [], { readTimeout: SCHEMA_TIMEOUT_MS });
        return;
      } catch (error) {
        // A node slow to apply the keyspace just made (a loaded machine) answers a table in it with "doesn't
        // exist" for a moment: wait, and try again.
        if (attempt < SCHEMA_ATTEMPTS && isMissingKeyspace(error)) {
          await delay(SCHEMA_RETRY_MS * attempt);
          continue;
        }
        throw new StoreError(`a Cassandra schema change failed: ${describeError(error)}`, { cause: error });
      }
    }
  }

  /** Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#client.shutdown();
  }

  async #execute(
    cql: string,
    params: readonly CqlValue[],
    pageState?: string,
  ): Promise<cassandra.types.ResultSet> {
    this.#checkOpen();
    try {
      return await this.#client.execute(cql, [...params], {
        prepare: true,
        fetchSize: this.#pageSize,
        ...(pageState === undefined ? {} : { pageState }),
        consistency: this.#consistency,
        serialConsistency: cassandra.types.consistencies.localSerial,
      });
    } catch (error) {
      throw new StoreError(`a Cassandra request failed: ${describeError(error)}`, { cause: error });
    }
  }

  #checkOpen(): void {
    if (this.#closed) throw new StoreError('the store is closed');
  }
}

function consistencyKey(name: CassandraLocation['consistency']): keyof typeof cassandra.types.consistencies {
  const keys = {
    one: 'one',
    two: 'two',
    three: 'three',
    quorum: 'quorum',
    all: 'all',
    local_quorum: 'localQuorum',
    local_one: 'localOne',
  } as const;
  return keys[name];
}
