/**
 * A lenient ISO-8601 reader for the date-times peers write in CPIM DateTime and JSON timestamps, in the
 * spirit of the dateutil parser the reference uses: extended or basic date, `T` or spaces before the time,
 * the hour alone after `T`, optional seconds and fraction (truncated to microseconds as dateutil does),
 * `Z`/`UTC`/`GMT` or a numeric offset, or no zone at all (naive). dateutil's free-text forms (month
 * names, two-digit years, fuzzy matching) are not accepted; cpim-differential.test.ts lists where this
 * reader is stricter and why.
 */
import { isValidTimestamp, type Timestamp } from './timestamp.js';

/** Longer input is not a timestamp; this also keeps every match cheap. */
const MAX_LENGTH = 64;

const PATTERN = new RegExp(
  [
    String.raw`^(?<year>\d{4})`,
    String.raw`(?:(?<dsep>[-/])(?<month>\d{1,2})\k<dsep>(?<day>\d{1,2})|(?<bmonth>\d{2})(?<bday>\d{2}))`,
    String.raw`(?:(?<tsep>[Tt]|\s+)`,
    String.raw`(?:(?<hour>\d{1,2}):(?<minute>\d{2})(?::(?<second>\d{2})(?:[.,](?<fraction>\d+))?)?`,
    String.raw`|(?<bhour>\d{2})(?<bminute>\d{2})(?:(?<bsecond>\d{2})(?:[.,](?<bfraction>\d+))?)?`,
    // The hour alone (ISO 8601 reduced precision, "T10"), which dateutil reads too.
    String.raw`|(?<hhour>\d{2}))`,
    String.raw`(?:\s*(?:(?<utc>[Zz]|UTC|GMT)|(?<sign>[+-])(?<offh>\d{2})(?::?(?<offm>\d{2}))?))?)?$`,
  ].join(''),
);

function num(text: string | undefined): number {
  return text === undefined ? 0 : Number(text);
}

/** The offset in minutes a zone designator gives; undefined when out of range; null when there is none. */
function offsetOf(groups: Record<string, string | undefined>): number | null | undefined {
  if (groups.utc !== undefined) return 0;
  if (groups.sign === undefined) return null;
  const hours = num(groups.offh);
  const minutes = num(groups.offm);
  if (hours > 23 || minutes > 59) return undefined;
  return (groups.sign === '-' ? -1 : 1) * (hours * 60 + minutes);
}

/** The timestamp `text` denotes, or undefined when it is not one this reader understands. */
export function parseTimestamp(text: string): Timestamp | undefined {
  const trimmed = text.trim();
  if (trimmed.length > MAX_LENGTH) return undefined;
  const groups = PATTERN.exec(trimmed)?.groups;
  if (groups === undefined) return undefined;
  // The basic time form (T100000) and the hour alone (T10) only after a T: in "2024-05-01 1000" or
  // "2024-05-01 10" the digits are not a time.
  if ((groups.bhour ?? groups.hhour) !== undefined && groups.tsep !== 'T' && groups.tsep !== 't')
    return undefined;
  const offsetMinutes = offsetOf(groups);
  if (offsetMinutes === undefined) return undefined;
  const fraction = groups.fraction ?? groups.bfraction;
  const timestamp: Timestamp = {
    year: num(groups.year),
    month: num(groups.month ?? groups.bmonth),
    day: num(groups.day ?? groups.bday),
    hour: num(groups.hour ?? groups.bhour ?? groups.hhour),
    minute: num(groups.minute ?? groups.bminute),
    second: num(groups.second ?? groups.bsecond),
    // dateutil keeps the first six fraction digits and drops the rest.
    microsecond: fraction === undefined ? 0 : Number(fraction.slice(0, 6).padEnd(6, '0')),
    offsetMinutes,
  };
  return isValidTimestamp(timestamp) ? timestamp : undefined;
}
