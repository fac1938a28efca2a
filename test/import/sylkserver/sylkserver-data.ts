/**
 * A SylkServer deployment's data as the spec describes it (sylk spec §3.10 file layout, §3.11 Cassandra rows),
 * written by the tests that import it: two accounts with messages of every journal kind (sylk spec §3.3), an API token,
 * a public key, push tokens (one iOS with a background token) and an address book; plus one entry that cannot
 * be imported (no message_id), which the import must name and skip.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const ALICE = 'alice@example.com';
export const BOB = 'bob@example.com';
export const ALICE_TOKEN = 'legacy-api-token-of-alice-0123456789';
export const ALICE_KEY =
  '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nxjMEZ…legacy…\n-----END PGP PUBLIC KEY BLOCK-----';

export interface SylkEntry {
  readonly account: string;
  readonly message_id: string;
  readonly contact: string;
  readonly direction: string;
  readonly content_type: string;
  readonly content: string;
  /** As the file backend writes it: naive local `str(datetime)`. */
  readonly created_at: string;
  /** As the file backend writes it: `str(datetime)` with its offset. */
  readonly msg_timestamp: string;
  readonly disposition: string[] | null;
  readonly state: string | null;
}

const imdn = JSON.stringify({
  sylkrtc: 'account-event',
  account: ALICE,
  event: 'disposition-notification',
  message_id: 'm1',
  message_timestamp: '2024-05-01T10:00:00.123000+00:00',
  state: 'displayed',
  code: 200,
  reason: 'OK',
});

export const ALICE_ENTRIES: readonly SylkEntry[] = [
  entry(
    ALICE,
    'm1',
    BOB,
    'outgoing',
    'text/plain',
    'hello bob',
    '2024-05-01 10:00:00.123456',
    '2024-05-01 10:00:00.123000+00:00',
    [],
    'displayed',
  ),
  entry(
    ALICE,
    'm2',
    BOB,
    'incoming',
    'text/plain',
    'hi alice, ünïcode ☃',
    '2024-05-01 10:01:00',
    '2024-05-01 12:01:00+02:00',
    ['positive-delivery', 'display'],
    'received',
  ),
  entry(
    ALICE,
    'i1',
    BOB,
    'incoming',
    'message/imdn',
    imdn,
    '2024-05-01 10:02:00.500000',
    '2024-05-01 10:02:00.500000+00:00',
    null,
    'received',
  ),
  entry(
    ALICE,
    'r1',
    BOB,
    '',
    'application/sylk-conversation-read',
    BOB,
    '2024-05-01 10:03:00',
    '2024-05-01 10:03:00+00:00',
    [],
    null,
  ),
  entry(
    ALICE,
    'f1',
    BOB,
    'outgoing',
    'application/sylk-file-transfer',
    '{"filename":"a.png","filesize":3}',
    '2024-05-01 10:04:00',
    '2024-05-01 10:04:00+00:00',
    ['positive-delivery'],
    'delivered',
  ),
];

export const BOB_ENTRIES: readonly SylkEntry[] = [
  entry(
    BOB,
    'm1',
    ALICE,
    'incoming',
    'text/plain',
    'hello bob',
    '2024-05-01 10:00:00.123456',
    '2024-05-01 10:00:00.123000+00:00',
    [],
    'received',
  ),
  entry(
    BOB,
    'm2',
    ALICE,
    'outgoing',
    'text/plain',
    'hi alice, ünïcode ☃',
    '2024-05-01 10:01:00',
    '2024-05-01 12:01:00+02:00',
    [],
    'displayed',
  ),
];

function entry(
  account: string,
  message_id: string,
  contact: string,
  direction: string,
  content_type: string,
  content: string,
  created_at: string,
  msg_timestamp: string,
  disposition: string[] | null,
  state: string | null,
): SylkEntry {
  return {
    account,
    message_id,
    contact,
    direction,
    content_type,
    content,
    created_at,
    msg_timestamp,
    disposition,
    state,
  };
}

/** What the history API answers for an imported entry (sylk spec §4.1 message shape). */
export function historyMessage(e: SylkEntry): Record<string, unknown> {
  return {
    contact: e.contact,
    timestamp: e.msg_timestamp.replace(' ', 'T'),
    disposition: e.disposition,
    message_id: e.message_id,
    content_type: e.content_type,
    content: e.content,
    direction: e.direction,
    state: e.state,
  };
}

export const PUSH_DEVICES = {
  [ALICE]: {
    'com.agprojects.sylk-ios-d1': {
      device_id: 'd1',
      platform: 'ios',
      silent: '0',
      app_id: 'com.agprojects.sylk-ios',
      user_agent: 'Sylk 5.3',
      background_token: 'bg-token-1',
      token: 'voip-token-1',
    },
  },
  [BOB]: {
    'com.agprojects.sylk-android-d2': {
      device_id: 'd2',
      platform: 'firebase',
      silent: '1',
      app_id: 'com.agprojects.sylk-android',
      user_agent: null,
      background_token: null,
      token: 'fcm-token-2',
    },
  },
};

export const ALICE_BOOK = {
  contacts: [{ id: 'c1', name: 'Carol', uris: [{ id: 'u1', uri: 'sip:carol@example.com' }] }],
  groups: [],
  policies: [],
};

/** Now + `days` as the file backend writes a time: naive local `YYYY-MM-DD HH:MM:SS`. */
function inDays(days: number): string {
  const t = new Date(Date.now() + days * 86_400_000);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${String(t.getFullYear())}-${pad(t.getMonth() + 1)}-${pad(t.getDate())} ${pad(t.getHours())}:${pad(t.getMinutes())}:${pad(t.getSeconds())}`;
}

/** The file backend's storage_dir (sylk spec §3.10), with the tokens pickled by python3 in `protocol`. */
export async function writeStorageDir(dir: string, protocol = 4): Promise<void> {
  const conversations = join(dir, 'conversations');
  await mkdir(join(conversations, 'a'), { recursive: true });
  await mkdir(join(conversations, 'b'), { recursive: true });
  await mkdir(join(dir, 'addressbooks'), { recursive: true });
  await writeFile(
    join(conversations, 'accounts.json'),
    JSON.stringify({
      [ALICE]: {
        last_login: '2024-05-02 09:00:00.000001',
        api_token: ALICE_TOKEN,
        token_expire: inDays(300),
      },
      [BOB]: { last_login: '2024-05-02 09:30:00', api_token: '', token_expire: '' },
    }),
  );
  await writeFile(
    join(conversations, 'public_keys.json'),
    JSON.stringify({ [ALICE]: { content: ALICE_KEY, created_at: '2024-04-01 08:00:00' } }),
  );
  const broken = { ...ALICE_ENTRIES[0], message_id: undefined };
  await writeFile(
    join(conversations, 'a', `${ALICE}_messages.json`),
    JSON.stringify([...ALICE_ENTRIES, broken], null, 4),
  );
  await writeFile(join(conversations, 'b', `${BOB}_messages.json`), JSON.stringify(BOB_ENTRIES, null, 4));
  await writeFile(join(dir, 'addressbooks', `${ALICE}.json`), JSON.stringify(ALICE_BOOK));
  const script = `import json,pickle,sys\nsys.stdout.buffer.write(pickle.dumps(json.loads(sys.stdin.read()), protocol=${String(protocol)}))`;
  await writeFile(
    join(dir, 'webrtc_device_tokens'),
    execFileSync('python3', ['-c', script], { input: JSON.stringify(PUSH_DEVICES) }),
  );
}

/**
 * A larger file backend for the import's benchmark (bench/import/sylkserver.ts): `accounts` accounts of
 * `perAccount` messages each, every message of the spec's journal shape (sylk spec §3.10), a second apart.
 */
export async function writeLargeStorageDir(dir: string, accounts: number, perAccount: number): Promise<void> {
  const conversations = join(dir, 'conversations');
  const lastLogin: Record<string, { last_login: string; api_token: string; token_expire: string }> = {};
  for (let a = 0; a < accounts; a++) {
    const account = `user${String(a)}@example.com`;
    lastLogin[account] = { last_login: '2024-05-02 09:00:00', api_token: '', token_expire: '' };
    const entries: SylkEntry[] = [];
    for (let i = 0; i < perAccount; i++) {
      const at = new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString().replace('T', ' ').replace('Z', '');
      entries.push(
        entry(
          account,
          `m-${String(a)}-${String(i)}`,
          `contact${String(i % 20)}@example.com`,
          i % 2 === 0 ? 'incoming' : 'outgoing',
          'text/plain',
          `message ${String(i)}: lorem ipsum dolor sit amet, consectetur adipiscing elit`,
          at,
          `${at}+00:00`,
          i % 2 === 0 ? ['positive-delivery', 'display'] : [],
          i % 2 === 0 ? 'delivered' : 'displayed',
        ),
      );
    }
    await mkdir(join(conversations, account.slice(0, 1)), { recursive: true });
    await writeFile(
      join(conversations, account.slice(0, 1), `${account}_messages.json`),
      JSON.stringify(entries),
    );
  }
  await writeFile(join(conversations, 'accounts.json'), JSON.stringify(lastLogin));
}
