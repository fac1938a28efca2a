/**
 * PushTokenStore on the reference's push_tokens (sylk spec §3.11: partition (username, domain), rows by
 * device then app, `silent` as "0"/"1"), with the time each token was written in missive_push_token, which
 * the reference does not have. Both are written in one logged batch.
 */
import { checkName } from '../checks.js';
import { StoreError } from '../errors.js';
import type { PushToken, PushTokenStore } from '../push-tokens/push-token-store.js';
import { validate } from '../push-tokens/sql-push-tokens.js';
import { CASSANDRA_TABLES } from './schema.js';
import type { CassandraSession, CqlRow } from './session.js';

/** The reference splits the account at its '@' into its partition key. */
export function splitAccount(account: string): [username: string, domain: string] {
  const at = account.indexOf('@');
  return at === -1 ? [account, ''] : [account.slice(0, at), account.slice(at + 1)];
}

export class CassandraPushTokenStore implements PushTokenStore {
  readonly #session: CassandraSession;
  readonly #cql: ReturnType<typeof statements>;

  constructor(session: CassandraSession, keyspace: string) {
    this.#session = session;
    this.#cql = statements(
      `${keyspace}.${CASSANDRA_TABLES.pushTokens}`,
      `${keyspace}.${CASSANDRA_TABLES.pushTokenTimes}`,
    );
  }

  async upsert(token: PushToken): Promise<void> {
    validate(token);
    const key = [...splitAccount(token.account), token.deviceId, token.appId];
    await this.#session.batch([
      {
        cql: this.#cql.upsert,
        params: [
          ...key,
          token.backgroundToken ?? null,
          token.token,
          token.platform,
          token.silent ? '1' : '0',
          token.userAgent ?? null,
        ],
      },
      { cql: this.#cql.upsertTime, params: [...key, new Date(token.updatedAt)] },
    ]);
  }

  async remove(account: string, appId: string, deviceId: string): Promise<boolean> {
    checkName('account', account);
    checkName('appId', appId);
    checkName('deviceId', deviceId);
    const key = [...splitAccount(account), deviceId, appId];
    const removed = await this.#session.run(this.#cql.remove, key);
    await this.#session.run(this.#cql.removeTime, key);
    return removed;
  }

  async removeAll(account: string): Promise<number> {
    checkName('account', account);
    const partition = splitAccount(account);
    const count = (await this.#session.rows(this.#cql.list, partition)).length;
    await this.#session.batch([
      { cql: this.#cql.removeAll, params: partition },
      { cql: this.#cql.removeAllTimes, params: partition },
    ]);
    return count;
  }

  async list(account: string): Promise<PushToken[]> {
    checkName('account', account);
    const partition = splitAccount(account);
    const [rows, times] = await Promise.all([
      this.#session.rows(this.#cql.list, partition),
      this.#session.rows(this.#cql.listTimes, partition),
    ]);
    const written = new Map<string, number>();
    for (const row of times) {
      const at: unknown = row.get('updated_at');
      if (at instanceof Date) written.set(rowKey(row), at.getTime());
    }
    // The table's rows are by device then app; the interface lists by app then device.
    return rows
      .map((row) => decode(account, row, written.get(rowKey(row))))
      .sort((a, b) => compare(a.appId, b.appId) || compare(a.deviceId, b.deviceId));
  }
}

function statements(tokens: string, times: string) {
  const partition = 'username = ? AND domain = ?';
  return {
    upsert:
      `INSERT INTO ${tokens} (username, domain, device_id, app_id, background_token, device_token, ` +
      'platform, silent, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    upsertTime: `INSERT INTO ${times} (username, domain, device_id, app_id, updated_at) VALUES (?, ?, ?, ?, ?)`,
    remove: `DELETE FROM ${tokens} WHERE ${partition} AND device_id = ? AND app_id = ? IF EXISTS`,
    removeTime: `DELETE FROM ${times} WHERE ${partition} AND device_id = ? AND app_id = ?`,
    removeAll: `DELETE FROM ${tokens} WHERE ${partition}`,
    removeAllTimes: `DELETE FROM ${times} WHERE ${partition}`,
    list:
      'SELECT device_id, app_id, background_token, device_token, platform, silent, user_agent ' +
      `FROM ${tokens} WHERE ${partition}`,
    listTimes: `SELECT device_id, app_id, updated_at FROM ${times} WHERE ${partition}`,
  };
}

function rowKey(row: CqlRow): string {
  return JSON.stringify([row.get('app_id'), row.get('device_id')]);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function decode(account: string, row: CqlRow, updatedAt: number | undefined): PushToken {
  const appId: unknown = row.get('app_id');
  const deviceId: unknown = row.get('device_id');
  const token: unknown = row.get('device_token');
  const platform: unknown = row.get('platform');
  const background: unknown = row.get('background_token');
  const userAgent: unknown = row.get('user_agent');
  if (
    typeof appId !== 'string' ||
    typeof deviceId !== 'string' ||
    typeof token !== 'string' ||
    typeof platform !== 'string'
  ) {
    throw new StoreError('a push token row is unreadable');
  }
  return {
    account,
    appId,
    deviceId,
    token,
    ...(typeof background === 'string' ? { backgroundToken: background } : {}),
    platform,
    silent: row.get('silent') === '1',
    ...(typeof userAgent === 'string' ? { userAgent } : {}),
    // A token SylkServer wrote has no time of its own: 0, the oldest possible.
    updatedAt: updatedAt ?? 0,
  };
}
