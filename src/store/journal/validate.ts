/**
 * Checks journal input before it is written (sylk spec §8.10: validate on write, so that one bad entry can
 * never poison every later read of the account).
 */
import { checkInteger, checkName, checkText, checkTime } from '../checks.js';
import { InvalidInputError } from '../errors.js';
import { MAX_BATCH, MAX_CHECKED_ACCOUNTS, MAX_PAGE_SIZE } from './journal-store.js';
import {
  type AppendItem,
  DELIVERY_STATES,
  type DeliveryState,
  DIRECTIONS,
  ENTRY_STATES,
  type NewEntry,
  type OperationOptions,
  type ReadBounds,
  type RemoveMessageOptions,
} from './types.js';

/** Message bodies: far above what SIP and the WebSocket API let through, a guard against runaway rows. */
export const MAX_CONTENT = 8 * 1024 * 1024;
const MAX_DISPOSITION_VALUES = 16;
const MAX_DISPOSITION_VALUE = 64;
/** ISO-8601 date and time, `T` or space, optional fraction, optional offset (`Z`, `±HH:MM`, `±HHMM`). */
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?(?:Z|[+-]\d{2}(?::?\d{2})?)?$/;

export function checkAccount(account: unknown): void {
  checkName('account', account);
}

export function checkAccounts(accounts: readonly unknown[]): void {
  if (!Array.isArray(accounts)) throw new InvalidInputError('accounts', 'is not a list');
  if (accounts.length > MAX_CHECKED_ACCOUNTS)
    throw new InvalidInputError('accounts', `has more than ${MAX_CHECKED_ACCOUNTS} accounts`);
  for (const account of accounts) checkAccount(account);
}

export function checkMessageId(messageId: unknown): void {
  checkName('messageId', messageId);
}

export function checkLimit(limit: unknown): void {
  checkInteger('limit', limit, 0, MAX_PAGE_SIZE);
}

export function checkBounds(bounds: ReadBounds | undefined): void {
  const max = bounds?.maxContentBytes;
  if (max !== undefined) checkInteger('maxContentBytes', max, 0, Number.MAX_SAFE_INTEGER);
}

export function checkDeliveryState(state: unknown): asserts state is DeliveryState {
  if (!(DELIVERY_STATES as readonly unknown[]).includes(state)) {
    throw new InvalidInputError('state', `is not one of ${DELIVERY_STATES.join(', ')}`);
  }
}

export function validateBatch(items: readonly AppendItem[]): void {
  const list: unknown = items; // checked apart, so that `items` keeps its type
  if (!Array.isArray(list)) throw new InvalidInputError('items', 'is not an array');
  if (items.length > MAX_BATCH) throw new InvalidInputError('items', `has more than ${MAX_BATCH} entries`);
  for (const item of items) {
    checkAccount(item.account);
    validateNewEntry(item.entry);
    if (item.countUnread !== undefined && typeof item.countUnread !== 'boolean')
      throw new InvalidInputError('countUnread', 'is not a boolean');
  }
}

export function validateNewEntry(entry: NewEntry): void {
  if (typeof entry !== 'object' || (entry as NewEntry | null) === null)
    throw new InvalidInputError('entry', 'is not an object');
  checkMessageId(entry.messageId);
  checkName('contact', entry.contact);
  if (!DIRECTIONS.includes(entry.direction)) {
    throw new InvalidInputError('direction', "is not 'incoming', 'outgoing' or ''");
  }
  checkName('contentType', entry.contentType, { max: 256 });
  checkText('content', entry.content, MAX_CONTENT);
  if (entry.disposition !== null) {
    if (!Array.isArray(entry.disposition))
      throw new InvalidInputError('disposition', 'is not an array or null');
    if (entry.disposition.length > MAX_DISPOSITION_VALUES) {
      throw new InvalidInputError('disposition', `has more than ${MAX_DISPOSITION_VALUES} values`);
    }
    entry.disposition.forEach((value, i) => {
      checkName(`disposition[${i}]`, value, { max: MAX_DISPOSITION_VALUE });
    });
  }
  if (entry.state !== null && !ENTRY_STATES.includes(entry.state)) {
    throw new InvalidInputError('state', `is not one of ${ENTRY_STATES.join(', ')} or null`);
  }
  checkName('timestamp', entry.timestamp, { max: 64 });
  if (!ISO_TIMESTAMP.test(entry.timestamp))
    throw new InvalidInputError('timestamp', 'is not an ISO-8601 date and time');
}

/** markConversationRead and removeConversation. */
export function checkOperation(account: string, contact: string, options: OperationOptions): void {
  checkAccount(account);
  checkName('contact', contact);
  checkTime('now', options.now);
  if (options.record !== undefined) validateNewEntry(options.record);
}

export function checkRemoveOptions(account: string, messageId: string, options: RemoveMessageOptions): void {
  checkAccount(account);
  checkMessageId(messageId);
  checkTime('now', options.now);
  const { match, record } = options;
  if (match?.contact !== undefined) checkName('match.contact', match.contact);
  if (match?.direction !== undefined && !DIRECTIONS.includes(match.direction)) {
    throw new InvalidInputError('match.direction', "is not 'incoming', 'outgoing' or ''");
  }
  if (record !== undefined && typeof record !== 'function') validateNewEntry(record);
}
