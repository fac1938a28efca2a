/**
 * `missive db show ACCOUNT` (sylk spec §6 `show`): what the store holds for an account, as lines of text. The
 * API token is not printed: the store keeps only its SHA-256 (sylk spec §8.37), so only its presence and expiry can
 * be. Message counts come from the journal's per-type counts, unread from its counters (no scan). Fixes of
 * sylk spec §8.27: `Metadata` counts application/sylk-message-metadata (the reference counted everything else), and
 * push tokens are read by their real field.
 */
import type { Store } from '../../store/store.js';

const WIDTH = 80;
/** The reference prints the first 20 characters of a push token. */
const PUSH_TOKEN_PREFIX = 20;

export async function showAccount(store: Store, account: string, now: number): Promise<string[]> {
  const [storage, counts, total, unread, tokens, key] = await Promise.all([
    store.storageAccounts.get(account),
    store.journal.contentTypeCounts(account),
    store.journal.count(account),
    store.journal.unread(account),
    store.pushTokens.list(account),
    store.publicKeys.get(account),
  ]);
  const lines = ['-'.repeat(WIDTH), centred(account), '-'.repeat(WIDTH)];
  if (storage === undefined) {
    // missive stores the messages of every subscriber (messaging/storage-policy.ts) and makes its storage
    // account with the first one: a subscriber without one simply has nothing stored yet.
    lines.push(
      (await isSubscriber(store, account))
        ? 'Message storage is enabled (a subscriber; nothing stored yet)'
        : 'Message storage is not enabled',
    );
  } else {
    lines.push('Message storage is enabled');
    if (storage.tokenExpiresAt === undefined) lines.push('API token: none');
    else lines.push(tokenLine(storage.tokenExpiresAt, now));
    lines.push(`Last login at:  ${iso(storage.lastLogin)}`);
  }
  lines.push(`${String(total)} messages stored`, ...kindLines(counts));
  lines.push(`Unread messages: ${String(unread.total)}`);
  lines.push(`${String(tokens.length)} push token(s) stored`);
  for (const token of tokens) {
    lines.push(
      `  App: ${token.appId} Device ID: ${token.deviceId} Platform: ${token.platform} Token: ${token.token.slice(0, PUSH_TOKEN_PREFIX)} ...`,
    );
  }
  lines.push(`${key === undefined ? '0' : '1'} public key(s) stored`);
  if (key !== undefined) lines.push(`  set at ${iso(key.updatedAt)}`, key.key.trimEnd());
  return lines;
}

async function isSubscriber(store: Store, account: string): Promise<boolean> {
  const at = account.lastIndexOf('@');
  return (
    (await store.subscribers.credentials.lookup(account.slice(0, at), account.slice(at + 1))) !== undefined
  );
}

function tokenLine(expiresAt: number, now: number): string {
  const stored = 'only its SHA-256 is stored, the token itself cannot be shown';
  if (expiresAt <= now) return `API token: expired at ${iso(expiresAt)} (${stored})`;
  const days = Math.floor((expiresAt - now) / 86_400_000);
  return `API token: present, expires at ${iso(expiresAt)}, in ${String(days)} days (${stored})`;
}

/** Entries by kind, as the reference groups them. */
export function kindLines(counts: ReadonlyMap<string, number>): string[] {
  const kinds = { text: 0, imdn: 0, files: 0, metadata: 0, other: 0 };
  for (const [contentType, n] of counts) {
    const type = contentType.toLowerCase();
    if (type.startsWith('text')) kinds.text += n;
    else if (type.startsWith('message/imdn')) kinds.imdn += n;
    else if (type.startsWith('application/sylk-file-transfer')) kinds.files += n;
    else if (type.startsWith('application/sylk-message-metadata')) kinds.metadata += n;
    else kinds.other += n;
  }
  return [
    `  Text Messages: ${String(kinds.text)}`,
    `  IMDN messages: ${String(kinds.imdn)}`,
    `  Filetransfers: ${String(kinds.files)}`,
    `  Metadata: ${String(kinds.metadata)}`,
    `  Other Messages: ${String(kinds.other)}`,
  ];
}

function centred(text: string): string {
  const pad = Math.max(0, Math.floor((WIDTH - text.length) / 2));
  return `${' '.repeat(pad)}${text}`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
