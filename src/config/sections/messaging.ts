/** The [Messaging] settings of `missive serve` (see serve-settings.ts): what one sender and one account may store. */
import { DEFAULT_MESSAGE_LIMITS } from '../../messaging/limits/message-limits.js';
import { atLeast, days, rate } from '../setting-values.js';
import { setting } from './setting-spec.js';

export const MESSAGING_SETTINGS = {
  maxMessageBytes: setting({
    section: 'Messaging',
    kind: atLeast(1024, 'bytes'),
    default: DEFAULT_MESSAGE_LIMITS.maxMessageBytes,
    help: 'largest MESSAGE body (and decoded content) accepted for a local account; larger: 413',
    reloads: true,
  }),
  messageRate: setting({
    section: 'Messaging',
    kind: rate,
    default: DEFAULT_MESSAGE_LIMITS.messagesPerSecond,
    help: 'MESSAGEs per second one sender may keep sending; faster: 403 Too Many Messages',
    reloads: true,
  }),
  messageBurst: setting({
    section: 'Messaging',
    kind: atLeast(1),
    default: DEFAULT_MESSAGE_LIMITS.messageBurst,
    help: 'MESSAGEs one sender may send at once before message-rate applies',
    reloads: true,
  }),
  journalMaxEntries: setting({
    section: 'Messaging',
    kind: atLeast(1),
    default: DEFAULT_MESSAGE_LIMITS.journalMaxEntries,
    help: "most entries in one account's journal; a message beyond: 480 (recipient) or 403 (sender)",
    reloads: true,
  }),
  journalMaxBytes: setting({
    section: 'Messaging',
    kind: atLeast(1024, 'bytes'),
    default: DEFAULT_MESSAGE_LIMITS.journalMaxBytes,
    help: "most content bytes in one account's journal, as journal-max-entries",
    reloads: true,
  }),
  retentionDays: setting({
    section: 'Messaging',
    kind: days,
    default: 365,
    help: 'purge journal entries older than this (0: keep for ever)',
  }),
} as const;
