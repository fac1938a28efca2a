/** The transaction layer's limits, in a module of their own so that the CLI can show the defaults cheaply. */

/**
 * Server transactions kept at most, live or completed. About 100 MB at most of completed-transaction records
 * (~1 KB each; a live INVITE with its proxy state is several times that, but only an authenticated sender
 * can keep one open). At the ~5,000 MESSAGE/s one core of a 2-core machine proxies over UDP, Timer J (32 s)
 * holds some 160,000 records: a server that busy for that long is overloaded, and 503 with Retry-After is
 * the answer RFC 3261 §21.5.4 has for it.
 */
export const DEFAULT_MAX_SERVER_TRANSACTIONS = 100_000;

/** Retry-After of the 503 for a full table: long enough for the transactions that fill it to make room. */
export const DEFAULT_FULL_RETRY_AFTER_SECONDS = 5;
