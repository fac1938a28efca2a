/**
 * Message timestamps as the reference keeps them: a wall-clock date and time with microseconds and the UTC
 * offset it was written with (or none: Python keeps a naive value naive). Clients see them serialised as
 * Python's datetime.isoformat() does (sylk spec §3.2), so the offset and the precision must survive storage.
 */

export interface Timestamp {
  /** 1 to 9999, as Python's datetime. */
  readonly year: number;
  /** 1 to 12. */
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  /** 0 to 999999. */
  readonly microsecond: number;
  /** Minutes east of UTC, strictly between -1440 and 1440; null for a naive value. */
  readonly offsetMinutes: number | null;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** `±HH:MM`, as Python's isoformat writes an offset. */
export function formatOffset(offsetMinutes: number): string {
  const sign = offsetMinutes < 0 ? '-' : '+';
  const total = Math.abs(offsetMinutes);
  return `${sign}${pad(Math.floor(total / 60), 2)}:${pad(total % 60, 2)}`;
}

/**
 * Python's datetime.isoformat(): `YYYY-MM-DDTHH:MM:SS[.ffffff][±HH:MM]`, microseconds only when non-zero
 * and then always six digits, no offset for a naive value.
 */
export function formatTimestamp(t: Timestamp): string {
  let text = `${pad(t.year, 4)}-${pad(t.month, 2)}-${pad(t.day, 2)}T${pad(t.hour, 2)}:${pad(t.minute, 2)}:${pad(t.second, 2)}`;
  if (t.microsecond !== 0) text += `.${pad(t.microsecond, 6)}`;
  if (t.offsetMinutes !== null) text += formatOffset(t.offsetMinutes);
  return text;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function inRange(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}

/** True when every field is in the range Python's datetime accepts. */
export function isValidTimestamp(t: Timestamp): boolean {
  return (
    inRange(t.year, 1, 9999) &&
    inRange(t.month, 1, 12) &&
    inRange(t.day, 1, daysInMonth(t.year, t.month)) &&
    inRange(t.hour, 0, 23) &&
    inRange(t.minute, 0, 59) &&
    inRange(t.second, 0, 59) &&
    inRange(t.microsecond, 0, 999_999) &&
    (t.offsetMinutes === null || inRange(t.offsetMinutes, -1439, 1439))
  );
}

/** The wall clock `offsetMinutes` east of UTC at instant `ms` (milliseconds since the epoch). */
export function timestampFromEpochMs(ms: number, offsetMinutes: number | null): Timestamp {
  const whole = Math.floor(ms);
  const wall = new Date(whole + (offsetMinutes ?? 0) * MINUTE_MS);
  return {
    year: wall.getUTCFullYear(),
    month: wall.getUTCMonth() + 1,
    day: wall.getUTCDate(),
    hour: wall.getUTCHours(),
    minute: wall.getUTCMinutes(),
    second: wall.getUTCSeconds(),
    microsecond: wall.getUTCMilliseconds() * 1000,
    offsetMinutes,
  };
}

/** The server's local time at `ms` with its local offset, as Python's ISOTimestamp.now() gives it. */
export function localTimestamp(ms: number): Timestamp {
  return timestampFromEpochMs(ms, -new Date(Math.floor(ms)).getTimezoneOffset());
}

/** Milliseconds since the epoch of the wall clock fields alone, as if they were UTC. */
function wallMs(t: Timestamp): number {
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not map years 0-99 to 1900-1999.
  date.setUTCFullYear(t.year, t.month - 1, t.day);
  date.setUTCHours(t.hour, t.minute, t.second, Math.floor(t.microsecond / 1000));
  return date.getTime();
}

/**
 * The instant in milliseconds since the epoch (sub-millisecond digits dropped). A naive value has no
 * instant of its own: `naiveOffsetMinutes` says which offset to assume (sylk spec §3.2: server-local for legacy).
 */
export function timestampToEpochMs(t: Timestamp, naiveOffsetMinutes = 0): number {
  return wallMs(t) - (t.offsetMinutes ?? naiveOffsetMinutes) * MINUTE_MS;
}

/** The same wall clock `days` later, same offset (as Python's `+ timedelta(days=n)`). */
export function addDays(t: Timestamp, days: number): Timestamp {
  const moved = timestampFromEpochMs(wallMs(t) + days * DAY_MS, 0);
  return { ...moved, microsecond: t.microsecond, offsetMinutes: t.offsetMinutes };
}
