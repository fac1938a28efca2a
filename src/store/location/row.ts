/**
 * A binding as a row of the location table, the same columns in every SQL backend. `path` and the extra
 * push parameters are JSON text: they are only ever read back whole.
 */
import type { SqlValue } from '../../sql/value.js';
import { StoreError } from '../errors.js';
import {
  type Binding,
  type BindingSource,
  bindingKey,
  encodeBindingKey,
  type PushParameters,
  TRANSPORTS,
  type TransportName,
} from './binding.js';

export const BINDING_COLUMNS = [
  'aor',
  'binding_key',
  'contact',
  'instance_id',
  'reg_id',
  'q',
  'expires_at',
  'call_id',
  'cseq',
  'path',
  'transport',
  'source_host',
  'source_port',
  'connection_id',
  'user_agent',
  'push_provider',
  'push_prid',
  'push_param',
  'push_extra',
  'updated_at',
  'holder',
] as const;

type Column = (typeof BINDING_COLUMNS)[number];
type Row = readonly unknown[];

const INDEX = Object.fromEntries(BINDING_COLUMNS.map((column, i) => [column, i])) as Record<Column, number>;

/** The values for BINDING_COLUMNS, in that order. */
export function bindingRowValues(binding: Binding): SqlValue[] {
  const { source, push } = binding;
  return [
    binding.aor,
    encodeBindingKey(bindingKey(binding)),
    binding.contact,
    binding.instanceId ?? null,
    binding.regId ?? null,
    binding.q ?? null,
    binding.expiresAt,
    binding.callId,
    binding.cseq,
    JSON.stringify(binding.path),
    source.transport,
    source.host,
    source.port,
    source.connectionId ?? null,
    binding.userAgent ?? null,
    push?.provider ?? null,
    push?.prid ?? null,
    push?.param ?? null,
    push === undefined ? null : JSON.stringify(push.extra),
    binding.updatedAt,
    binding.holder ?? null,
  ];
}

/**
 * A row selected with BINDING_COLUMNS, as an array in that order: drivers build arrays in half the time
 * of objects, which is most of a lookup. Throws StoreError for a row no writer of ours produced.
 */
export function decodeBindingRow(row: Row): Binding {
  const transport = string(row, 'transport');
  if (!(TRANSPORTS as readonly string[]).includes(transport)) corrupt('transport');
  const connectionId = optionalString(row, 'connection_id');
  const source: BindingSource = {
    transport: transport as TransportName,
    host: string(row, 'source_host'),
    port: number(row, 'source_port'),
    ...(connectionId === undefined ? {} : { connectionId }),
  };
  const instanceId = optionalString(row, 'instance_id');
  const regId = optionalNumber(row, 'reg_id');
  const q = optionalNumber(row, 'q');
  const userAgent = optionalString(row, 'user_agent');
  const push = decodePush(row);
  const holder = optionalString(row, 'holder');
  return {
    aor: string(row, 'aor'),
    contact: string(row, 'contact'),
    ...(instanceId === undefined ? {} : { instanceId }),
    ...(regId === undefined ? {} : { regId }),
    ...(q === undefined ? {} : { q }),
    expiresAt: number(row, 'expires_at'),
    callId: string(row, 'call_id'),
    cseq: number(row, 'cseq'),
    path: json(row, 'path', isStringArray),
    source,
    ...(userAgent === undefined ? {} : { userAgent }),
    ...(push === undefined ? {} : { push }),
    updatedAt: number(row, 'updated_at'),
    ...(holder === undefined ? {} : { holder }),
  };
}

function decodePush(row: Row): PushParameters | undefined {
  const provider = optionalString(row, 'push_provider');
  if (provider === undefined) return undefined;
  const param = optionalString(row, 'push_param');
  return {
    provider,
    prid: string(row, 'push_prid'),
    ...(param === undefined ? {} : { param }),
    extra: json(row, 'push_extra', isStringRecord),
  };
}

function corrupt(column: Column): never {
  throw new StoreError(`a location row has an unreadable ${column}`);
}

function string(row: Row, column: Column): string {
  const value = row[INDEX[column]];
  return typeof value === 'string' ? value : corrupt(column);
}

function optionalString(row: Row, column: Column): string | undefined {
  const value = row[INDEX[column]];
  return value === null || value === undefined ? undefined : string(row, column);
}

/** PostgreSQL's BIGINT arrives as a string (it may exceed 2^53; ours never do). */
function number(row: Row, column: Column): number {
  const value = row[INDEX[column]];
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' || typeof value === 'bigint'
        ? Number(value)
        : NaN;
  return Number.isFinite(n) ? n : corrupt(column);
}

function optionalNumber(row: Row, column: Column): number | undefined {
  const value = row[INDEX[column]];
  return value === null || value === undefined ? undefined : number(row, column);
}

function json<T>(row: Row, column: Column, check: (value: unknown) => value is T): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(string(row, column));
  } catch {
    corrupt(column);
  }
  return check(parsed) ? parsed : corrupt(column);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((item) => typeof item === 'string')
  );
}
