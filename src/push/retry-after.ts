/**
 * The `Retry-After` header (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. Parsed into milliseconds from
 * now, capped, so that a provider cannot park a push for days; anything unreadable is `undefined`.
 */

/** A provider asking for more than an hour is treated as asking for an hour. */
export const RETRY_AFTER_CAP_MS = 3_600_000;

const SECONDS = /^\d{1,10}$/;
/** An IMF-fixdate (or the obsolete forms) ends in GMT; this keeps Date.parse from reading `12.5` as a date. */
const HTTP_DATE = /^[A-Za-z]{3},? .* GMT$/;
const MAX_HEADER_LENGTH = 64;

export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text.length === 0 || text.length > MAX_HEADER_LENGTH) return undefined;
  if (SECONDS.test(text)) return Math.min(Number(text) * 1000, RETRY_AFTER_CAP_MS);
  if (!HTTP_DATE.test(text)) return undefined;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.min(Math.max(0, date - nowMs), RETRY_AFTER_CAP_MS);
}
