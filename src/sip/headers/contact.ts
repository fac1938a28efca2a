/** Contact (RFC 3261 §20.10): a list of name-addrs with expires and q parameters, or `*` (RFC 3261 §10.2.2). */
import { type NameAddr, parseNameAddrList } from './name-addr.js';
import type { SipHeaders } from './header-list.js';
import { parseDeltaSeconds } from './numeric.js';

/** qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ) */
const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

export type ContactList = '*' | readonly NameAddr[];

/** One Contact field value; undefined when malformed. */
export function parseContact(value: string): ContactList | undefined {
  return value.trim() === '*' ? '*' : parseNameAddrList(value);
}

/** Every Contact of the message; `*` only when it is the sole value. undefined when malformed. */
export function getContacts(headers: SipHeaders): ContactList | undefined {
  const fields = headers.decodeEach('Contact', parseContact);
  if (fields.length === 1 && fields[0] === '*') return '*';
  const all: NameAddr[] = [];
  for (const field of fields) {
    if (field === undefined || field === '*') return undefined;
    all.push(...field);
  }
  return all;
}

/** The expires parameter in seconds; undefined when absent or not a valid delta-seconds. */
export function contactExpires(contact: NameAddr): number | undefined {
  const value = contact.params.get('expires');
  return value === null || value === undefined ? undefined : parseDeltaSeconds(value);
}

/** The q parameter (0 to 1, at most three decimals); undefined when absent or invalid. */
export function contactQ(contact: NameAddr): number | undefined {
  const value = contact.params.get('q');
  if (value === null || value === undefined || !QVALUE.test(value)) return undefined;
  return Number(value);
}
