/**
 * A messaging event as it travels to the other instances (docs/scaling.md): JSON of its kind, account and
 * the sylkrtc payload their devices get unchanged. Reading one back is bounded and never throws: a notice
 * that is not an event we wrote is dropped.
 */
import type { MessagingEvent } from './events.js';

/** Events that go to other instances: everything a device is told (push events stay with dispatch). */
export type DeviceEvent = Exclude<MessagingEvent, { readonly kind: 'push' }>;

const DEVICE_EVENT_KINDS: ReadonlySet<string> = new Set([
  'message',
  'sync',
  'disposition-notification',
  'addressbook-updated',
]);

/** Far above any event a message within the size limits makes; a longer notice is not ours. */
export const MAX_REMOTE_EVENT_CHARS = 4 * 1024 * 1024;

export function isDeviceEvent(event: MessagingEvent): event is DeviceEvent {
  return event.kind !== 'push';
}

export function encodeRemoteEvent(event: DeviceEvent): string {
  return JSON.stringify({ kind: event.kind, account: event.account, payload: event.payload });
}

/** The event `text` encodes; undefined for anything encodeRemoteEvent did not write. */
export function decodeRemoteEvent(text: string): DeviceEvent | undefined {
  if (text.length > MAX_REMOTE_EVENT_CHARS) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { kind, account, payload } = value as Record<string, unknown>;
  if (typeof kind !== 'string' || !DEVICE_EVENT_KINDS.has(kind) || typeof account !== 'string')
    return undefined;
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return undefined;
  const fields = payload as Record<string, unknown>;
  // The payload is what the account's devices receive: it must say it is theirs, as kind says.
  if (fields.sylkrtc !== 'account-event' || fields.account !== account || fields.event !== kind)
    return undefined;
  return { kind, account, payload } as DeviceEvent;
}
