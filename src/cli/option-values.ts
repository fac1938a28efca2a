/** Parsers of command-line values: each returns the value or throws commander's InvalidArgumentError. */
import { InvalidArgumentError } from 'commander';
import type { LevelWithSilent } from 'pino';
import { MIN_PAGE_BYTES } from '../web/page-budget.js';

export const LOG_LEVELS: readonly LevelWithSilent[] = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
];

export function logLevel(value: string): LevelWithSilent {
  const level = LOG_LEVELS.find((name) => name === value);
  if (level === undefined) throw new InvalidArgumentError(`one of ${LOG_LEVELS.join(', ')}`);
  return level;
}

export function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('not a port number');
  return n;
}

/** A port number, or -1 for "do not listen". */
export function portOrOff(value: string): number {
  return value === '-1' ? -1 : port(value);
}

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** A whole number from `min` up (an option's parser). */
export function atLeast(min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(n) || n < min)
      throw new InvalidArgumentError(`not a whole number from ${String(min)}`);
    return n;
  };
}

export function rate(value: string): number {
  const n = Number(value);
  if (!/^[0-9]+(\.[0-9]+)?$/.test(value) || !(n > 0) || n > 1_000_000)
    throw new InvalidArgumentError('not a positive number of messages per second');
  return n;
}

const MAX_PAGE_BYTES = 1024 * 1024 * 1024;

export function pageBytes(value: string): number {
  const n = Number(value);
  if (!/^[0-9]+$/.test(value) || n < MIN_PAGE_BYTES || n > MAX_PAGE_BYTES) {
    throw new InvalidArgumentError(`not a number of bytes from ${MIN_PAGE_BYTES} to ${MAX_PAGE_BYTES}`);
  }
  return n;
}

export function days(value: string): number {
  const n = Number(value);
  if (!/^[0-9]+(\.[0-9]+)?$/.test(value) || !Number.isFinite(n) || n > 36600) {
    throw new InvalidArgumentError('not a number of days from 0 (keep for ever) to 36600');
  }
  return n;
}

export function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('not a positive number of seconds');
  return n;
}
