/**
 * A SylkServer Cassandra keyspace (sylk spec §3.11) as a source: chat_accounts, public_key_by_account,
 * push_tokens and chat_messages_by_timestamp, read as the reference's models wrote them. Messages are read
 * one account's partition at a time, oldest first (the table's clustering order), so memory holds one
 * journal at a time, not the keyspace.
 */
import type { CassandraSession, CqlRow } from '../../store/cassandra/session.js';
import type {
  LegacyAddressBook,
  LegacyJournal,
  LegacyProblem,
  LegacyPublicKey,
  LegacyPushToken,
  LegacyStorageAccount,
  SylkServerSource,
} from './legacy-data.js';
import { checkLegacyEntry, type LegacyEntryCheck, utcTimestamp } from './legacy-values.js';

export class SylkServerCassandraSource implements SylkServerSource {
  readonly description: string;
  readonly problems: LegacyProblem[] = [];
  readonly #session: CassandraSession;
  readonly #keyspace: string;
  readonly #now: () => number;

  /** `now`: the clock the remaining API token lifetimes (Cassandra TTLs) are counted from. */
  constructor(session: CassandraSession, keyspace: string, description: string, now: () => number) {
    this.#session = session;
    this.#keyspace = keyspace;
    this.description = description;
    this.#now = now;
  }

  async *storageAccounts(): AsyncIterable<LegacyStorageAccount> {
    const rows = await this.#rows(
      'chat_accounts',
      'SELECT account, api_token, last_login, TTL(api_token) AS token_ttl FROM chat_accounts',
    );
    for (const row of rows) {
      const account = text(row, 'account');
      const lastLogin = row.get('last_login') as unknown;
      if (account === undefined || !(lastLogin instanceof Date)) {
        this.#problem('chat_accounts', `${account ?? '(no account)'}: no readable last_login`);
        continue;
      }
      const token = text(row, 'api_token');
      const ttl = Number(row.get('token_ttl') ?? Number.NaN);
      yield {
        account,
        lastLogin: lastLogin.getTime(),
        // Cassandra expires the token by its TTL: what is left of it is its lifetime here.
        ...(token !== undefined && ttl > 0
          ? { token: { value: token, expiresAt: this.#now() + ttl * 1000 } }
          : {}),
      };
    }
  }

  async *publicKeys(): AsyncIterable<LegacyPublicKey> {
    const rows = await this.#rows(
      'public_key_by_account',
      'SELECT account, public_key, created_at FROM public_key_by_account',
    );
    for (const row of rows) {
      const account = text(row, 'account');
      const key = text(row, 'public_key');
      const created = row.get('created_at') as unknown;
      if (account === undefined || key === undefined) {
        this.#problem('public_key_by_account', `${account ?? '(no account)'}: no key`);
        continue;
      }
      yield { account, key, createdAt: created instanceof Date ? created.getTime() : this.#now() };
    }
  }

  async *pushTokens(): AsyncIterable<LegacyPushToken> {
    const rows = await this.#rows(
      'push_tokens',
      'SELECT username, domain, device_id, app_id, background_token, device_token, platform, silent, user_agent FROM push_tokens',
    );
    for (const row of rows) {
      const username = text(row, 'username');
      const domain = text(row, 'domain');
      const appId = text(row, 'app_id');
      const deviceId = text(row, 'device_id');
      const token = text(row, 'device_token');
      if (
        username === undefined ||
        domain === undefined ||
        appId === undefined ||
        deviceId === undefined ||
        token === undefined
      ) {
        this.#problem(
          'push_tokens',
          `${username ?? '?'}@${domain ?? '?'}: no app_id, device_id or device_token`,
        );
        continue;
      }
      const backgroundToken = text(row, 'background_token');
      const userAgent = text(row, 'user_agent');
      yield {
        account: `${username}@${domain}`,
        appId,
        deviceId,
        token,
        platform: text(row, 'platform') ?? '',
        silent: text(row, 'silent') === '1',
        ...(backgroundToken === undefined ? {} : { backgroundToken }),
        ...(userAgent === undefined ? {} : { userAgent }),
      };
    }
  }

  async journalCount(): Promise<number> {
    return (await this.#accounts()).length;
  }

  async *journals(): AsyncIterable<LegacyJournal> {
    for (const account of await this.#accounts()) {
      const rows = await this.#rows(
        'chat_messages_by_timestamp',
        'SELECT created_at, message_id, contact, direction, content, content_type, disposition, state, msg_timestamp ' +
          'FROM chat_messages_by_timestamp WHERE account = ?',
        [account],
      );
      const entries = [];
      for (const row of rows) {
        const checked = entryOf(row);
        if (checked.ok) entries.push(checked.entry);
        else this.#problem(`chat_messages_by_timestamp ${account}`, checked.problem);
      }
      yield { account, entries };
    }
  }

  /** The reference keeps address books in files or on an XCAP server, never in Cassandra. */
  addressBooks(): AsyncIterable<LegacyAddressBook> {
    return (async function* () {})();
  }

  close(): Promise<void> {
    return this.#session.close();
  }

  async #accounts(): Promise<string[]> {
    const rows = await this.#rows(
      'chat_messages_by_timestamp',
      'SELECT DISTINCT account FROM chat_messages_by_timestamp',
    );
    return rows
      .map((row) => text(row, 'account'))
      .filter((account) => account !== undefined)
      .sort();
  }

  /** The rows, or none (and a problem) when the table is not there: a keyspace may lack some. */
  async #rows(table: string, cql: string, params: string[] = []): Promise<CqlRow[]> {
    try {
      return await this.#session.rows(
        cql.replace(` FROM ${table}`, ` FROM ${this.#keyspace}.${table}`),
        params,
      );
    } catch (error) {
      this.#problem(table, error instanceof Error ? error.message : String(error));
      return [];
    }
  }

  #problem(where: string, problem: string): void {
    this.problems.push({ where, problem });
  }
}

function text(row: CqlRow, column: string): string | undefined {
  const value = row.get(column) as unknown;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function entryOf(row: CqlRow): LegacyEntryCheck {
  const created = row.get('created_at') as unknown;
  const stamp = row.get('msg_timestamp') as unknown;
  return checkLegacyEntry({
    messageId: row.get('message_id'),
    contact: row.get('contact'),
    direction: row.get('direction'),
    contentType: row.get('content_type'),
    content: row.get('content'),
    createdAt: created instanceof Date ? created.getTime() : undefined,
    disposition: row.get('disposition') ?? null,
    state: row.get('state'),
    // sylk spec §3.6: the reference skips entries without msg_timestamp; here they are reported.
    timestamp: stamp instanceof Date ? utcTimestamp(stamp.getTime()) : undefined,
  });
}
