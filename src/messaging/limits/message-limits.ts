/**
 * The limits on what one sender can make the messaging application store (security issue 10, point 6), each a
 * `missive serve` option. Defaults leave room for real use (a client marking a long conversation read sends an
 * IMDN per message at once; a year of a busy account's messages, receipts and records) and stop a flood.
 */
export interface MessageLimits {
  /**
   * The largest MESSAGE body (and, after CPIM and Content-Encoding, the largest content) accepted for a local
   * account, in bytes. Files go by HTTP (FT-HTTP, sylk spec §2.5), so messages are text and keys.
   */
  readonly maxMessageBytes: number;
  /** Messages per second one sender may keep sending (the token bucket's refill). */
  readonly messagesPerSecond: number;
  /** Messages one sender may send at once (the token bucket's size). */
  readonly messageBurst: number;
  /** The most entries an account's journal may hold; a message that would add one more is refused. */
  readonly journalMaxEntries: number;
  /** The most content bytes an account's journal may hold. */
  readonly journalMaxBytes: number;
}

export const DEFAULT_MESSAGE_LIMITS: MessageLimits = {
  maxMessageBytes: 64 * 1024,
  messagesPerSecond: 20,
  messageBurst: 200,
  journalMaxEntries: 100_000,
  journalMaxBytes: 256 * 1024 * 1024,
};
