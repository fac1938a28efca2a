/**
 * The Contact header of a REGISTER read into what the registrar needs (RFC 3261 §10.3 steps 6–7): `*`, or
 * each contact's URI, requested expiry, q, RFC 5626 flow identity and RFC 8599 push parameters. Anything
 * malformed is reported with a reason phrase that says what is wrong (sent with a 400).
 */
import { paramText } from '../sip/grammar/params.js';
import { contactExpires, contactQ, getContacts } from '../sip/headers/contact.js';
import type { SipHeaders } from '../sip/headers/header-list.js';
import type { NameAddr } from '../sip/headers/name-addr.js';
import { isSipUri, type SipUri } from '../sip/uri.js';
import type { PushParameters } from '../store/location/binding.js';
import { pushParameters } from './push.js';

export interface RequestedContact {
  readonly uri: SipUri;
  /** The `expires` parameter; undefined when absent or not a valid delta-seconds (RFC 4475 §3.1.2.4). */
  readonly expires: number | undefined;
  readonly q: number | undefined;
  /** `+sip.instance`, unquoted: `<urn:uuid:…>`. */
  readonly instanceId: string | undefined;
  readonly regId: number | undefined;
  readonly push: PushParameters | undefined;
}

export type ContactsRead =
  | { readonly ok: true; readonly contacts: '*' | readonly RequestedContact[] }
  | { readonly ok: false; readonly reason: string };

const MAX_REG_ID = 2 ** 31 - 1;

export function readContacts(headers: SipHeaders): ContactsRead {
  const values = headers.values('Contact');
  if (values.length > 1 && values.some((value) => value === '*')) {
    return { ok: false, reason: 'Contact * Must Be The Only Contact' };
  }
  const list = getContacts(headers);
  if (list === undefined) return { ok: false, reason: 'Malformed Contact' };
  if (list === '*') return { ok: true, contacts: '*' };
  const contacts: RequestedContact[] = [];
  for (const contact of list) {
    const read = readContact(contact);
    if (typeof read === 'string') return { ok: false, reason: read };
    contacts.push(read);
  }
  return { ok: true, contacts };
}

function readContact(contact: NameAddr): RequestedContact | string {
  const { uri, params } = contact;
  // The proxy can only route to SIP URIs; a tel: or mailto: binding would be dead weight.
  if (!isSipUri(uri)) return 'Contact URI Is Not SIP';
  const q = contactQ(contact);
  if (params.has('q') && q === undefined) return 'Contact q Invalid';
  const instance = params.get('+sip.instance');
  const instanceId = paramText(instance);
  if (instance !== undefined && (instanceId === undefined || !/^<[^<>]+>$/.test(instanceId))) {
    return 'Contact +sip.instance Invalid';
  }
  const regIdText = params.get('reg-id');
  let regId: number | undefined;
  if (regIdText !== undefined) {
    regId = regIdText === null || !/^[1-9]\d{0,9}$/.test(regIdText) ? undefined : Number(regIdText);
    if (regId === undefined || regId > MAX_REG_ID) return 'Contact reg-id Invalid';
  }
  return {
    uri,
    expires: contactExpires(contact),
    q,
    instanceId,
    regId,
    push: pushParameters(uri, params),
  };
}
