/**
 * The journal's rules as pure functions, shared by every backend: how an entry's state and disposition move
 * (sylk spec §3.5, forward only, sylk spec §8.9) and which entries count as unread (sylk spec §3.7).
 */
import type { DeliveryState, EntryState, NewEntry } from './types.js';

/** The order states move in; failed and error are final and sit outside it. */
const RANK: Readonly<Partial<Record<EntryState, number>>> = {
  pending: 0,
  accepted: 1,
  delivered: 2,
  displayed: 3,
};
const FINAL_FAILURES: readonly DeliveryState[] = ['failed', 'error'];

/** Whether an entry in state `current` may move to `next`. */
export function canMoveTo(current: EntryState | null, next: DeliveryState): boolean {
  if (current === null) return false; // operation records have no state
  const from = RANK[current];
  if (from === undefined) return false; // received, failed, error
  if (FINAL_FAILURES.includes(next)) return from <= 1; // only pending or accepted may fail
  const to = RANK[next];
  return to !== undefined && to > from;
}

/** The disposition after an update to `next`: delivered drops positive-delivery, displayed empties it. */
export function nextDisposition(
  disposition: readonly string[] | null,
  next: DeliveryState,
): readonly string[] | null {
  if (next === 'displayed') return [];
  if (next === 'delivered' && disposition?.includes('positive-delivery') === true) {
    return disposition.filter((value) => value !== 'positive-delivery');
  }
  return disposition;
}

export interface StateChange {
  readonly state: EntryState | null;
  readonly disposition: readonly string[] | null;
  readonly unread: boolean;
  readonly changed: boolean;
}

/** What an update to `next` makes of an entry; an unread entry stops counting once `display` is gone. */
export function applyUpdate(
  current: {
    readonly state: EntryState | null;
    readonly disposition: readonly string[] | null;
    readonly unread: boolean;
  },
  next: DeliveryState,
): StateChange {
  const state = canMoveTo(current.state, next) ? next : current.state;
  const disposition = nextDisposition(current.disposition, next);
  const unread = current.unread && requestsDisplay(disposition);
  const changed = state !== current.state || !sameDisposition(disposition, current.disposition);
  return { state, disposition, unread, changed };
}

/** Content types that make a conversation unread and trigger a push (sylk spec §3.7). */
const DISPLAYABLE = new Set(['text/plain', 'text/html', 'application/sylk-file-transfer']);

/** A new entry counts as unread: an incoming displayable message from someone else asking for `display`. */
export function countsAsUnread(account: string, entry: NewEntry): boolean {
  return (
    entry.direction === 'incoming' &&
    DISPLAYABLE.has(entry.contentType.toLowerCase()) &&
    entry.contact !== account &&
    requestsDisplay(entry.disposition)
  );
}

function requestsDisplay(disposition: readonly string[] | null): boolean {
  return disposition?.includes('display') === true;
}

export function sameDisposition(a: readonly string[] | null, b: readonly string[] | null): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && a.every((value, i) => value === b[i]);
}
