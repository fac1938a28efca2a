/**
 * RFC 3261 §10.3 steps 6–7 decided before anything is written: for each Contact its expiry (423 below
 * the minimum, capped at the maximum), the binding it refers to (RFC 5626 flow, else the Contact URI by
 * RFC 3261 §19.1.4 comparison), the Call-ID/CSeq ordering check, and the per-AOR contact limit. The registrar then
 * applies the plan; the store repeats the ordering check atomically for races.
 */
import { parseUri, type SipUri, type Uri, uriEquals } from '../sip/uri.js';
import { InvalidInputError } from '../store/errors.js';
import {
  type Binding,
  type BindingKey,
  type BindingSource,
  bindingKey,
  encodeBindingKey,
} from '../store/location/binding.js';
import { validateBinding } from '../store/location/validate.js';
import type { RequestedContact } from './contacts.js';
import type { RegistrarLimits } from './options.js';

/** What the REGISTER says about every binding it creates or refreshes. */
export interface RegisterFacts {
  readonly aor: string;
  readonly callId: string;
  readonly cseq: number;
  readonly now: number;
  /** The Expires header; undefined when absent or invalid. */
  readonly headerExpires: number | undefined;
  readonly path: readonly string[];
  readonly source: BindingSource;
  readonly userAgent: string | undefined;
  /** RFC 5626 outbound processing applies: instance + reg-id identify the binding. */
  readonly flows: boolean;
  /** The instance whose connection the REGISTER came on, when several share the store. */
  readonly holder?: string | undefined;
}

export interface PlanRefusal {
  readonly kind: 'refuse';
  readonly status: number;
  readonly reason: string;
}

export type Plan =
  | { readonly kind: 'write'; readonly removals: readonly BindingKey[]; readonly upserts: readonly Binding[] }
  | PlanRefusal;

export const OUT_OF_ORDER = 'CSeq Out Of Order';

interface Change {
  readonly key: BindingKey;
  /** undefined: remove the binding. */
  readonly binding: Binding | undefined;
  /** Whether the key names a live binding already. */
  readonly known: boolean;
}

/** RFC 3261 §10.3 step 7: same Call-ID and a CSeq not higher than the stored one means an old or repeated request. */
export function isOutOfOrder(existing: Binding, callId: string, cseq: number): boolean {
  return existing.callId === callId && cseq <= existing.cseq;
}

/** RFC 3261 §10.3 step 6 for `Contact: *`: every live binding must accept the request's Call-ID/CSeq. */
export function planRemoveAll(existing: readonly Binding[], facts: RegisterFacts): PlanRefusal | undefined {
  return existing.some((binding) => isOutOfOrder(binding, facts.callId, facts.cseq))
    ? { kind: 'refuse', status: 500, reason: OUT_OF_ORDER }
    : undefined;
}

export function planContacts(
  contacts: readonly RequestedContact[],
  existing: readonly Binding[],
  facts: RegisterFacts,
  limits: RegistrarLimits,
): Plan {
  const stored = existing.map((binding) => ({ binding, uri: parseUri(binding.contact) }));
  const spelled: { uri: SipUri; text: string }[] = [];
  const changes = new Map<string, Change>();
  let flowsKept = 0;
  let kept = 0;
  for (const contact of contacts) {
    const requested = contact.expires ?? facts.headerExpires ?? limits.defaultExpires;
    if (requested > 0 && requested < limits.minExpires) {
      return { kind: 'refuse', status: 423, reason: 'Interval Too Brief' };
    }
    const expires = Math.min(requested, limits.maxExpires);
    const flow = facts.flows && contact.instanceId !== undefined && contact.regId !== undefined;
    let match: Binding | undefined;
    let text: string;
    if (flow) {
      match = existing.find((b) => b.instanceId === contact.instanceId && b.regId === contact.regId);
      text = contact.uri.toString();
    } else {
      // Equivalent URIs (RFC 3261 §19.1.4) are one binding: reuse the spelling already stored or already seen.
      match = stored.find((s) => 'contact' in bindingKey(s.binding) && sameUri(s.uri, contact.uri))?.binding;
      text =
        match?.contact ?? spelled.find((s) => uriEquals(s.uri, contact.uri))?.text ?? contact.uri.toString();
      spelled.push({ uri: contact.uri, text });
    }
    if (match !== undefined && isOutOfOrder(match, facts.callId, facts.cseq)) {
      return { kind: 'refuse', status: 500, reason: OUT_OF_ORDER };
    }
    const binding = expires === 0 ? undefined : makeBinding(contact, text, flow, expires, facts);
    const key: BindingKey =
      binding === undefined && match !== undefined ? bindingKey(match) : keyOf(contact, text, flow);
    changes.set(encodeBindingKey(key), { key, binding, known: match !== undefined });
    if (binding !== undefined) {
      kept++;
      if (flow) flowsKept++;
    }
  }
  // RFC 5626 §6: a REGISTER with reg-id registers one flow; several live contacts with it are an error.
  if (facts.flows && flowsKept > 0 && kept > 1) {
    return { kind: 'refuse', status: 400, reason: 'Only One Contact Allowed With reg-id' };
  }
  return finish(changes, existing, limits.maxContacts);
}

function finish(
  changes: ReadonlyMap<string, Change>,
  existing: readonly Binding[],
  maxContacts: number,
): Plan {
  const live = new Set(existing.map((binding) => encodeBindingKey(bindingKey(binding))));
  let adds = false;
  const removals: BindingKey[] = [];
  const upserts: Binding[] = [];
  for (const [encoded, change] of changes) {
    if (change.binding === undefined) {
      live.delete(encoded);
      if (change.known) removals.push(change.key);
      continue;
    }
    try {
      validateBinding(change.binding);
    } catch (error) {
      if (error instanceof InvalidInputError)
        return { kind: 'refuse', status: 400, reason: 'Invalid Contact' };
      throw error;
    }
    if (!live.has(encoded)) adds = true;
    live.add(encoded);
    upserts.push(change.binding);
  }
  // Refreshes and removals stay possible above the limit (it may have been lowered); new devices do not.
  if (adds && live.size > maxContacts) return { kind: 'refuse', status: 403, reason: 'Too Many Contacts' };
  return { kind: 'write', removals, upserts };
}

function keyOf(contact: RequestedContact, text: string, flow: boolean): BindingKey {
  return flow && contact.instanceId !== undefined && contact.regId !== undefined
    ? { instanceId: contact.instanceId, regId: contact.regId }
    : { contact: text };
}

function makeBinding(
  contact: RequestedContact,
  text: string,
  flow: boolean,
  expires: number,
  facts: RegisterFacts,
): Binding {
  const { instanceId, regId, q, push } = contact;
  return {
    aor: facts.aor,
    contact: text,
    ...(instanceId === undefined ? {} : { instanceId }),
    // Without outbound processing reg-id is ignored (RFC 5626 §6): the binding is keyed by its URI.
    ...(flow && regId !== undefined ? { regId } : {}),
    ...(q === undefined ? {} : { q }),
    expiresAt: facts.now + expires * 1000,
    callId: facts.callId,
    cseq: facts.cseq,
    path: facts.path,
    source: facts.source,
    ...(facts.userAgent === undefined ? {} : { userAgent: facts.userAgent }),
    ...(push === undefined ? {} : { push }),
    updatedAt: facts.now,
    ...(facts.holder === undefined ? {} : { holder: facts.holder }),
  };
}

function sameUri(stored: Uri | undefined, requested: SipUri): boolean {
  return stored !== undefined && uriEquals(stored, requested);
}
