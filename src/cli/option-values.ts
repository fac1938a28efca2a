/** A setting kind's parser (config/setting-values.ts) as commander wants one: the value, or InvalidArgumentError. */
import { InvalidArgumentError } from 'commander';
import { seconds as secondsKind, type ValueKind } from '../config/setting-values.js';

export function commanderParser<T>(kind: ValueKind<T>): (value: string) => T {
  return (value) => {
    const parsed = kind.parse(value);
    if (!parsed.ok) throw new InvalidArgumentError(`expected ${parsed.expected}`);
    return parsed.value;
  };
}

export const secondsOption = commanderParser(secondsKind);
