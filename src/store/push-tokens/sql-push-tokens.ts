/** PushTokenStore on any SQL backend (see sql-runner.ts). */
import { checkName, checkTime } from '../checks.js';
import { InvalidInputError, StoreError } from '../errors.js';
import type { SqlRunner } from '../sql-runner.js';
import { PUSH_TOKEN_TABLE, type TableNamer } from '../tables.js';
import type { PushToken, PushTokenStore } from './push-token-store.js';

const COLUMNS = [
  'account',
  'app_id',
  'device_id',
  'token',
  'background_token',
  'platform',
  'silent',
  'user_agent',
  'updated_at',
] as const;
/** APNs and FCM tokens are a few hundred characters. */
const MAX_TOKEN = 4096;

export class SqlPushTokenStore implements PushTokenStore {
  readonly #db: SqlRunner;
  readonly #sql: { upsert: string; remove: string; removeAll: string; list: string };

  constructor(db: SqlRunner, table: TableNamer) {
    this.#db = db;
    const t = table(PUSH_TOKEN_TABLE);
    const p = db.placeholder;
    const updates = COLUMNS.slice(3)
      .map((c) => `${c} = excluded.${c}`)
      .join(', ');
    this.#sql = {
      upsert:
        `INSERT INTO ${t} (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((_, i) => p(i + 1)).join(', ')}) ` +
        `ON CONFLICT (account, app_id, device_id) DO UPDATE SET ${updates}`,
      remove: `DELETE FROM ${t} WHERE account = ${p(1)} AND app_id = ${p(2)} AND device_id = ${p(3)}`,
      removeAll: `DELETE FROM ${t} WHERE account = ${p(1)}`,
      list: `SELECT ${COLUMNS.join(', ')} FROM ${t} WHERE account = ${p(1)} ORDER BY app_id, device_id`,
    };
  }

  async upsert(token: PushToken): Promise<void> {
    validate(token);
    await this.#db.run(this.#sql.upsert, [
      token.account,
      token.appId,
      token.deviceId,
      token.token,
      token.backgroundToken ?? null,
      token.platform,
      token.silent ? 1 : 0,
      token.userAgent ?? null,
      token.updatedAt,
    ]);
  }

  async remove(account: string, appId: string, deviceId: string): Promise<boolean> {
    checkName('account', account);
    checkName('appId', appId);
    checkName('deviceId', deviceId);
    return (await this.#db.run(this.#sql.remove, [account, appId, deviceId])) > 0;
  }

  async removeAll(account: string): Promise<number> {
    checkName('account', account);
    return this.#db.run(this.#sql.removeAll, [account]);
  }

  async list(account: string): Promise<PushToken[]> {
    checkName('account', account);
    return (await this.#db.rows(this.#sql.list, [account])).map(decode);
  }
}

/** Exported for the Cassandra store, which checks the same way. */
export function validate(token: PushToken): void {
  if (typeof token !== 'object' || (token as unknown) === null)
    throw new InvalidInputError('token', 'is not an object');
  checkName('account', token.account);
  checkName('appId', token.appId);
  checkName('deviceId', token.deviceId);
  checkName('token', token.token, { max: MAX_TOKEN });
  if (token.backgroundToken !== undefined)
    checkName('backgroundToken', token.backgroundToken, { max: MAX_TOKEN });
  checkName('platform', token.platform, { max: 64 });
  if (typeof token.silent !== 'boolean') throw new InvalidInputError('silent', 'is not a boolean');
  if (token.userAgent !== undefined) checkName('userAgent', token.userAgent, { empty: true });
  checkTime('updatedAt', token.updatedAt);
}

function decode(row: readonly unknown[]): PushToken {
  const [account, appId, deviceId, token, background, platform, silent, userAgent, updatedAt] = row;
  const updated = Number(updatedAt);
  if (
    typeof account !== 'string' ||
    typeof appId !== 'string' ||
    typeof deviceId !== 'string' ||
    typeof token !== 'string' ||
    typeof platform !== 'string' ||
    !Number.isSafeInteger(updated)
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
    silent: Number(silent) === 1,
    ...(typeof userAgent === 'string' ? { userAgent } : {}),
    updatedAt: updated,
  };
}
