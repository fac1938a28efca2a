/**
 * ClusterStore on PostgreSQL. Notices are rows of their own table, announced with NOTIFY (the id alone, well
 * under NOTIFY's 8000-byte payload limit whatever the event's size); a listener holds one connection of the
 * pool for LISTEN and reads the rows after the last one it handed over, so notices arrive in id order and
 * a listener that starts again after a lost connection misses none that are still stored.
 *
 * Reading "after the last id" is only right if ids become visible in their order. A sequence hands them out
 * in the order inserts run, and transactions commit in any order: a reader that saw id 8 committed would
 * skip id 7 committed a moment later. So publishers take a transaction-scoped advisory lock before their
 * insert: the next publisher takes its ids only once the previous one's commit is visible (PostgreSQL makes
 * a transaction visible before it releases its locks), and ids commit in order. The price is one publish at
 * a time across the cluster, each carrying every event its instance queued meanwhile (docs/scaling.md).
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { LOCATION_TABLE, CLUSTER_NOTICE_TABLE, INSTANCE_TABLE, type TableNamer } from '../tables.js';
import type {
  ClusterInstance,
  ClusterListener,
  ClusterNotice,
  ClusterStore,
  DeadInstances,
} from '../cluster/cluster-store.js';
import { StoreError } from '../errors.js';
import { type PostgresPool, toCount } from './pool.js';
import type { Transaction } from './transaction.js';

/** The NOTIFY channel; one per table prefix would only matter for two deployments on one database. */
const CHANNEL = 'missive_cluster_notice';
/** Notices read per query; a longer backlog is read in several. */
const READ_BATCH = 500;

export class PostgresClusterStore implements ClusterStore {
  readonly #pool: PostgresPool;
  readonly #instances: string;
  readonly #notices: string;
  readonly #locations: string;

  constructor(pool: PostgresPool, table: TableNamer) {
    this.#pool = pool;
    this.#instances = table(INSTANCE_TABLE);
    this.#notices = table(CLUSTER_NOTICE_TABLE);
    this.#locations = table(LOCATION_TABLE);
  }

  async heartbeat(instance: ClusterInstance): Promise<void> {
    await this.#pool.query(
      `INSERT INTO ${this.#instances} (id, address, heartbeat_at) VALUES ($1, $2, $3) ` +
        'ON CONFLICT (id) DO UPDATE SET address = excluded.address, heartbeat_at = excluded.heartbeat_at',
      [instance.id, instance.address, instance.heartbeatAt],
    );
  }

  async instances(): Promise<ClusterInstance[]> {
    const rows = await this.#pool.queryArrays(`SELECT id, address, heartbeat_at FROM ${this.#instances}`);
    return rows.map(([id, address, heartbeatAt]) => {
      if (typeof id !== 'string' || typeof address !== 'string')
        throw new StoreError('an instance row is unreadable');
      return { id, address, heartbeatAt: Number(heartbeatAt) };
    });
  }

  async removeDead(deadBefore: number, self: string): Promise<DeadInstances> {
    // One statement: an instance that beats again meanwhile is not removed, nor are bindings it holds.
    const result = await this.#pool.query(
      `WITH dead AS (DELETE FROM ${this.#instances} WHERE heartbeat_at <= $1 AND id <> $2 RETURNING id), ` +
        // A binding registered through a Path (an edge proxy in front) stays reachable from any instance.
        `gone AS (DELETE FROM ${this.#locations} WHERE holder IN (SELECT id FROM dead) AND path = '[]' RETURNING 1) ` +
        '(SELECT id, NULL::bigint AS n FROM dead) UNION ALL (SELECT NULL, COUNT(*) FROM gone)',
      [deadBefore, self],
    );
    const instances: string[] = [];
    let bindings = 0;
    for (const row of result.rows) {
      if (typeof row.id === 'string') instances.push(row.id);
      else bindings = toCount(row.n);
    }
    return { instances, bindings };
  }

  async publish(origin: string, payloads: readonly string[], now: number): Promise<void> {
    if (payloads.length === 0) return;
    // One statement, so a transaction of its own: one round trip, its lock held until its commit.
    await insertNotices(this.#pool, this.#notices, origin, payloads, now);
  }

  async listen(
    after: number | undefined,
    listener: (notice: ClusterNotice) => void,
    onReadError?: (error: unknown) => void,
  ): Promise<ClusterListener> {
    let client: pg.PoolClient;
    try {
      client = await this.#pool.pool.connect();
    } catch (error) {
      throw this.#pool.error(error);
    }
    const start =
      after ??
      Number((await this.#pool.query(`SELECT COALESCE(MAX(id), 0) AS id FROM ${this.#notices}`)).rows[0]?.id);
    const reader = new NoticeReader(this.#pool, this.#notices, start, listener, onReadError);
    try {
      client.on('notification', (message) => {
        if (message.channel === CHANNEL) reader.read();
      });
      client.on('error', () => {
        reader.broken = true;
      });
      client.on('end', () => {
        reader.broken = true;
      });
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (error) {
      client.release(true);
      throw this.#pool.error(error);
    }
    // Whatever was published between `after` and LISTEN.
    reader.read();
    return {
      get lastId() {
        return reader.lastId;
      },
      get broken() {
        return reader.broken;
      },
      stop: async () => {
        reader.stop();
        client.release(true);
        await reader.idle();
      },
    };
  }

  async purgeNotices(before: number): Promise<number> {
    const result = await this.#pool.query(`DELETE FROM ${this.#notices} WHERE created_at <= $1`, [before]);
    return result.rowCount ?? 0;
  }
}

/**
 * A publisher's write, in one statement: the lock that orders publishers' commits, then the notices (WITH
 * ORDINALITY and ORDER BY: the ids follow the payloads' order) and one NOTIFY for the lot. The lock is an
 * uncorrelated subquery in WHERE, which PostgreSQL runs once (a one-time filter) before the first row is
 * produced, so before any id is taken from the sequence. It is released when the caller's transaction
 * commits: on its own, at once. `table` is the qualified notice table; its name keys the lock, so
 * deployments on other schemas or prefixes do not wait for each other.
 */
export async function insertNotices(
  db: Pick<Transaction, 'query'>,
  table: string,
  origin: string,
  payloads: readonly string[],
  now: number,
): Promise<void> {
  await db.query(
    `WITH notice AS (INSERT INTO ${table} (origin, payload, created_at) ` +
      'SELECT $1, p, $3 FROM unnest($2::text[]) WITH ORDINALITY AS u(p, n) ' +
      'WHERE (SELECT true FROM pg_advisory_xact_lock($4::bigint)) ORDER BY n RETURNING id) ' +
      `SELECT pg_notify('${CHANNEL}', MAX(id)::text) FROM notice`,
    [origin, [...payloads], now, publishLockKey(table)],
  );
}

function publishLockKey(table: string): string {
  return createHash('sha256').update(`missive_notice_publish:${table}`).digest().readBigInt64BE(0).toString();
}

/** Reads the notices after the last one handed over, one query at a time, again when told more came. */
class NoticeReader {
  lastId: number;
  broken = false;
  #stopped = false;
  #running: Promise<void> | undefined;
  #again = false;
  readonly #pool: PostgresPool;
  readonly #table: string;
  readonly #listener: (notice: ClusterNotice) => void;
  readonly #onReadError: ((error: unknown) => void) | undefined;

  constructor(
    pool: PostgresPool,
    table: string,
    start: number,
    listener: (notice: ClusterNotice) => void,
    onReadError: ((error: unknown) => void) | undefined,
  ) {
    this.#pool = pool;
    this.#table = table;
    this.lastId = start;
    this.#listener = listener;
    this.#onReadError = onReadError;
  }

  read(): void {
    if (this.#running !== undefined) {
      this.#again = true;
      return;
    }
    this.#running = this.#drain()
      .catch((error: unknown) => {
        // A failed read is tried again at the next notification; a lost connection marks the listener broken.
        this.#again = false;
        this.#onReadError?.(error);
      })
      .finally(() => {
        this.#running = undefined;
        if (this.#again && !this.#halted()) {
          this.#again = false;
          this.read();
        }
      });
  }

  /** No more reads, and no more notices handed over. */
  stop(): void {
    this.#stopped = true;
  }

  /** A method, not the field: a stop comes in while a read awaits. */
  #halted(): boolean {
    return this.#stopped;
  }

  idle(): Promise<void> {
    return this.#running ?? Promise.resolve();
  }

  async #drain(): Promise<void> {
    for (;;) {
      if (this.#halted()) return;
      const rows = await this.#pool.queryArrays(
        `SELECT id, origin, payload FROM ${this.#table} WHERE id > $1 ORDER BY id LIMIT ${String(READ_BATCH)}`,
        [this.lastId],
      );
      for (const [id, origin, payload] of rows) {
        if (this.#halted()) return;
        this.lastId = Number(id);
        if (typeof origin === 'string' && typeof payload === 'string')
          this.#listener({ id: this.lastId, origin, payload });
      }
      if (rows.length < READ_BATCH) return;
    }
  }
}
