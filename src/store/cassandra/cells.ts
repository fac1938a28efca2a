/** A row's cells as plain values, or a StoreError naming the row when a cell is not what its column holds. */
import cassandra from 'cassandra-driver';
import { StoreError } from '../errors.js';

/** bigint columns read as the driver's Long. */
export function plainCell(value: unknown): unknown {
  return value instanceof cassandra.types.Long ? value.toNumber() : value;
}

/** `row` names the row in the error: "a location row". */
export function numberCell(value: unknown, row: string): number {
  const n = plainCell(value);
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new StoreError(`${row} is unreadable`);
  return n;
}

export function textCell(value: unknown, row: string): string {
  if (typeof value !== 'string') throw new StoreError(`${row} is unreadable`);
  return value;
}
