/**
 * A SylkServer file backend (sylk spec §3.10) as a source: `storage_dir` with conversations/accounts.json,
 * conversations/public_keys.json, conversations/{c}/{AOR}_messages.json, the pickled webrtc_device_tokens and
 * addressbooks/{AOR}.json. Each file is read whole (as SylkServer does) up to a bound; what cannot be read is
 * a problem in the summary, and the rest is still imported.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  LegacyAddressBook,
  LegacyJournal,
  LegacyProblem,
  LegacyPublicKey,
  LegacyPushToken,
  LegacyStorageAccount,
  SylkServerSource,
} from './legacy-data.js';
import { checkLegacyEntry, legacyTime, legacyTimestamp } from './legacy-values.js';
import { readPickle } from './pickle.js';

/** One account's message file at most (a JSON text must fit in one string); larger ones are reported. */
export const MAX_FILE_BYTES = 256 * 1024 * 1024;
const MESSAGES_SUFFIX = '_messages.json';

type Json = Record<string, unknown>;

export class SylkServerFileSource implements SylkServerSource {
  readonly description: string;
  readonly problems: LegacyProblem[] = [];
  readonly #dir: string;

  constructor(storageDir: string) {
    this.#dir = storageDir;
    this.description = `SylkServer files in ${storageDir}`;
  }

  /** undefined, and a problem said, when the directory is not a SylkServer storage_dir. */
  static async open(storageDir: string): Promise<SylkServerFileSource | string> {
    try {
      if (!(await stat(join(storageDir, 'conversations'))).isDirectory()) throw new Error('not a directory');
    } catch {
      return `${storageDir} is not a SylkServer storage_dir: it has no conversations/ directory`;
    }
    return new SylkServerFileSource(storageDir);
  }

  async *storageAccounts(): AsyncIterable<LegacyStorageAccount> {
    const where = 'conversations/accounts.json';
    for (const [account, value] of Object.entries((await this.#object(where)) ?? {})) {
      const record = objectOf(value);
      const lastLogin = typeof record?.last_login === 'string' ? legacyTime(record.last_login) : undefined;
      if (record === undefined || lastLogin === undefined) {
        this.#problem(where, `${account}: no readable last_login`);
        continue;
      }
      const token =
        typeof record.api_token === 'string' && record.api_token !== '' ? record.api_token : undefined;
      const expiresAt = typeof record.token_expire === 'string' ? legacyTime(record.token_expire) : undefined;
      yield {
        account,
        lastLogin,
        ...(token !== undefined && expiresAt !== undefined ? { token: { value: token, expiresAt } } : {}),
      };
    }
  }

  async *publicKeys(): AsyncIterable<LegacyPublicKey> {
    const where = 'conversations/public_keys.json';
    for (const [account, value] of Object.entries((await this.#object(where)) ?? {})) {
      const record = objectOf(value);
      const createdAt = typeof record?.created_at === 'string' ? legacyTime(record.created_at) : undefined;
      if (typeof record?.content !== 'string' || record.content === '' || createdAt === undefined) {
        this.#problem(where, `${account}: no readable key`);
        continue;
      }
      yield { account, key: record.content, createdAt };
    }
  }

  async *pushTokens(): AsyncIterable<LegacyPushToken> {
    const where = 'webrtc_device_tokens';
    const data = await this.#read(where);
    if (data === undefined) return;
    const read = readPickle(data);
    if (!read.ok) {
      this.#problem(where, read.error);
      return;
    }
    for (const [account, devices] of Object.entries(objectOf(read.value) ?? {})) {
      for (const [key, value] of Object.entries(objectOf(devices) ?? {})) {
        const device = objectOf(value);
        const text = (name: string): string | undefined =>
          typeof device?.[name] === 'string' && device[name] !== '' ? device[name] : undefined;
        const appId = text('app_id');
        const deviceId = text('device_id');
        const token = text('token');
        if (appId === undefined || deviceId === undefined || token === undefined) {
          this.#problem(where, `${account} ${key}: no app_id, device_id or token`);
          continue;
        }
        const backgroundToken = text('background_token');
        const userAgent = text('user_agent');
        yield {
          account,
          appId,
          deviceId,
          token,
          platform: text('platform') ?? '',
          silent: device?.silent === '1' || device?.silent === true,
          ...(backgroundToken === undefined ? {} : { backgroundToken }),
          ...(userAgent === undefined ? {} : { userAgent }),
        };
      }
    }
  }

  async journalCount(): Promise<number> {
    return (await this.#messageFiles()).length;
  }

  async *journals(): AsyncIterable<LegacyJournal> {
    for (const { where, account } of await this.#messageFiles()) {
      const data = await this.#read(where);
      if (data === undefined) continue;
      const list = parseJson(data.toString('utf8'));
      if (!Array.isArray(list)) {
        this.#problem(where, 'not a JSON list of entries');
        continue;
      }
      const entries = [];
      for (const item of list) {
        const raw = objectOf(item) ?? {};
        const checked = checkLegacyEntry({
          messageId: raw.message_id,
          contact: raw.contact,
          direction: raw.direction,
          contentType: raw.content_type,
          content: raw.content,
          createdAt: typeof raw.created_at === 'string' ? legacyTime(raw.created_at) : undefined,
          disposition: raw.disposition,
          state: raw.state,
          timestamp: typeof raw.msg_timestamp === 'string' ? legacyTimestamp(raw.msg_timestamp) : undefined,
        });
        if (checked.ok) entries.push(checked.entry);
        else this.#problem(where, checked.problem);
      }
      yield { account, entries };
    }
  }

  async *addressBooks(): AsyncIterable<LegacyAddressBook> {
    const dir = 'addressbooks';
    for (const name of await this.#list(dir)) {
      if (!name.endsWith('.json')) continue;
      const where = `${dir}/${name}`;
      const data = await this.#read(where);
      if (data === undefined) continue;
      const book = objectOf(parseJson(data.toString('utf8')));
      if (book === undefined) {
        this.#problem(where, 'not a JSON object');
        continue;
      }
      yield { account: name.slice(0, -'.json'.length), document: JSON.stringify(book) };
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  async #messageFiles(): Promise<{ where: string; account: string }[]> {
    const files = [];
    for (const letter of await this.#list('conversations')) {
      for (const name of await this.#list(`conversations/${letter}`)) {
        if (name.endsWith(MESSAGES_SUFFIX)) {
          files.push({
            where: `conversations/${letter}/${name}`,
            account: name.slice(0, -MESSAGES_SUFFIX.length),
          });
        }
      }
    }
    return files.sort((a, b) => (a.account < b.account ? -1 : a.account > b.account ? 1 : 0));
  }

  async #list(where: string): Promise<string[]> {
    try {
      return (await readdir(join(this.#dir, where), { withFileTypes: true }))
        .filter((entry) => entry.isFile() || entry.isDirectory())
        .map((entry) => entry.name);
    } catch {
      return [];
    }
  }

  /** The file's bytes; undefined (and a problem, unless it does not exist) when it cannot be read. */
  async #read(where: string): Promise<Buffer | undefined> {
    const path = join(this.#dir, where);
    try {
      const info = await stat(path);
      if (info.size > MAX_FILE_BYTES) {
        this.#problem(where, `larger than ${String(MAX_FILE_BYTES)} bytes; not read`);
        return undefined;
      }
      return await readFile(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.#problem(where, (error as Error).message);
      return undefined;
    }
  }

  async #object(where: string): Promise<Json | undefined> {
    const data = await this.#read(where);
    if (data === undefined) return undefined;
    const value = objectOf(parseJson(data.toString('utf8')));
    if (value === undefined) this.#problem(where, 'not a JSON object');
    return value;
  }

  #problem(where: string, problem: string): void {
    this.problems.push({ where, problem });
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function objectOf(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}
