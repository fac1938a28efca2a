/**
 * message/cpim bodies written as python3-sipsimple's CPIMPayload.encode writes them: From, To, cc,
 * Subject (and its translations), DateTime, Required, then the other headers with an NS line before the
 * first header of each namespace; CRLF CRLF; the MIME part as Python's email package writes it (LF).
 * buildSylkCpim is the shape SylkServer sends (sylk spec §2.8.1).
 */
import type { SipUri } from '../../sip/uri.js';
import { parseMediaType } from '../../sip/headers/content-type.js';
import { formatCpimIdentity } from './cpim-identity.js';
import { CPIM_STANDARD_NAMESPACE, type CpimHeader, type CpimSubject, IMDN_NS } from './cpim.js';
import { buildMimePart } from './mime-part.js';
import { fail, ok, type Result } from './result.js';
import { formatTimestamp, isValidTimestamp, type Timestamp } from './timestamp.js';

export interface CpimIdentityInit {
  readonly uri: SipUri;
  /** Written unquoted as SylkServer does; control characters become spaces. */
  readonly displayName?: string | undefined;
}

export interface CpimInit {
  readonly sender?: CpimIdentityInit | undefined;
  readonly recipients?: readonly CpimIdentityInit[] | undefined;
  readonly courtesyRecipients?: readonly CpimIdentityInit[] | undefined;
  readonly subject?: string | CpimSubject | undefined;
  readonly timestamp?: Timestamp | undefined;
  readonly required?: readonly string[] | undefined;
  readonly additionalHeaders?: readonly CpimHeader[] | undefined;
  /** `type/subtype` of the MIME part, no parameters. */
  readonly contentType: string;
  readonly charset?: string | undefined;
  /** A string is written as UTF-8; a Buffer as it is. */
  readonly content: string | Buffer;
}

/** Header text must stay on its line; NUL and other controls have no business there either. */
const UNWRITABLE = /[\x00-\x08\x0a-\x1f\x7f]/;
const NAME = /^[^\s.:\x00-\x1f\x7f]+$/;
const CHARSET = /^[A-Za-z0-9!#$%&'+\-^_`{}~]+$/;
const STANDARD_NAMES = new Set(['From', 'To', 'cc', 'Subject', 'DateTime', 'Required', 'NS']);
const LANG = /^[a-z]{1,8}(?:-[a-z0-9]{1,8})*$/;
const SUBJECT_LANG = /^;lang=[a-z]{1,8}(?:-[a-z0-9]{1,8})*\s/;

/** A value a parser reads back unchanged: on one line, not empty, no leading whitespace. */
function checkText(what: string, value: string): string | undefined {
  if (UNWRITABLE.test(value)) return `${what} contains a control character`;
  return value === '' || /^\s/.test(value) ? `${what} is empty or starts with whitespace` : undefined;
}

/** An item of a comma-separated list: parsers split on "," and trim. */
function checkListItem(what: string, item: string): string | undefined {
  return item === '' || item.includes(',') || item.trim() !== item || UNWRITABLE.test(item)
    ? `invalid ${what} item`
    : undefined;
}

function checkHeader(header: CpimHeader): string | undefined {
  const { prefix, uri } = header.namespace;
  if (!NAME.test(header.name)) return `invalid CPIM header name ${JSON.stringify(header.name)}`;
  if (prefix !== '' && !NAME.test(prefix)) return `invalid CPIM namespace prefix ${JSON.stringify(prefix)}`;
  if (/[<>\s]/.test(uri)) return 'invalid CPIM namespace URI';
  // Readers cannot rebind the default namespace ("NS: <uri>" has no effect on them).
  if (prefix === '' && uri !== CPIM_STANDARD_NAMESPACE) return 'an unprefixed header must be a standard one';
  if (uri === CPIM_STANDARD_NAMESPACE && STANDARD_NAMES.has(header.name)) {
    return `${header.name} is a standard header, not an additional one`;
  }
  return checkText(`CPIM header ${header.name}`, header.value);
}

function checkSubject(subject: string | CpimSubject | undefined): string | undefined {
  if (subject === undefined) return undefined;
  const { text, translations }: CpimSubject =
    typeof subject === 'string' ? { text: subject, translations: new Map<string, string>() } : subject;
  // An empty default is not written (as sipsimple would write an empty, unreadable line).
  if (text !== '') {
    if (SUBJECT_LANG.test(text)) return 'Subject text looks like a ;lang= translation';
    const problem = checkText('Subject', text);
    if (problem !== undefined) return problem;
  }
  for (const [lang, translation] of translations) {
    if (!LANG.test(lang)) return 'invalid Subject language';
    const problem = checkText('Subject', translation);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function checkInit(init: CpimInit): string | undefined {
  const type = parseMediaType(init.contentType);
  if (type === undefined || type.params.size > 0) return 'content type must be a bare type/subtype';
  if (init.charset !== undefined && !CHARSET.test(init.charset)) return 'invalid charset';
  if (init.timestamp !== undefined && !isValidTimestamp(init.timestamp)) return 'invalid DateTime';
  const problem = checkSubject(init.subject);
  if (problem !== undefined) return problem;
  for (const item of init.required ?? []) {
    const invalid = checkListItem('Required', item);
    if (invalid !== undefined) return invalid;
  }
  for (const header of init.additionalHeaders ?? []) {
    const problem = checkHeader(header);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function headerLines(init: CpimInit): string[] {
  const lines: string[] = [];
  if (init.sender !== undefined) lines.push(`From: ${formatCpimIdentity(init.sender)}`);
  for (const to of init.recipients ?? []) lines.push(`To: ${formatCpimIdentity(to)}`);
  for (const cc of init.courtesyRecipients ?? []) lines.push(`cc: ${formatCpimIdentity(cc)}`);
  const subject = typeof init.subject === 'string' ? { text: init.subject, translations: [] } : init.subject;
  if (subject !== undefined) {
    if (subject.text !== '') lines.push(`Subject: ${subject.text}`);
    for (const [lang, text] of subject.translations) lines.push(`Subject:;lang=${lang} ${text}`);
  }
  if (init.timestamp !== undefined) lines.push(`DateTime: ${formatTimestamp(init.timestamp)}`);
  if (init.required !== undefined && init.required.length > 0)
    lines.push(`Required: ${init.required.join(',')}`);
  const declared = new Map<string, string>([['', CPIM_STANDARD_NAMESPACE]]);
  for (const { name, namespace, value } of init.additionalHeaders ?? []) {
    if (declared.get(namespace.prefix) !== namespace.uri) {
      lines.push(`NS: ${namespace.prefix} <${namespace.uri}>`);
      declared.set(namespace.prefix, namespace.uri);
    }
    lines.push(namespace.prefix === '' ? `${name}: ${value}` : `${namespace.prefix}.${name}: ${value}`);
  }
  return lines;
}

/** The CPIM body; an 'invalid-value' error when a value cannot be written without breaking the format. */
export function buildCpim(init: CpimInit): Result<Buffer> {
  const problem = checkInit(init);
  if (problem !== undefined) return fail('invalid-value', problem);
  const content = typeof init.content === 'string' ? Buffer.from(init.content, 'utf8') : init.content;
  const head = Buffer.from(`${headerLines(init).join('\r\n')}\r\n\r\n`, 'utf8');
  return ok(
    Buffer.concat([head, buildMimePart(init.contentType.trim().toLowerCase(), init.charset, content)]),
  );
}

export interface SylkCpimInit {
  readonly sender: CpimIdentityInit;
  readonly recipient: CpimIdentityInit;
  readonly timestamp: Timestamp;
  /** imdn.Message-ID. */
  readonly messageId: string;
  /** imdn.Disposition-Notification, joined with ", "; none when undefined or empty (IMDNs, sylk spec §2.7 row B). */
  readonly disposition?: readonly string[] | undefined;
  readonly contentType: string;
  /** Default "utf-8", as SylkServer always declares it. */
  readonly charset?: string | undefined;
  readonly content: string | Buffer;
}

/** The CPIM body SylkServer sends (sylk spec §2.8.1, §2.7 rows A, B, E). */
export function buildSylkCpim(init: SylkCpimInit): Result<Buffer> {
  const additionalHeaders: CpimHeader[] = [{ name: 'Message-ID', namespace: IMDN_NS, value: init.messageId }];
  // An empty list cannot be written (a header needs a value): no header, as when there is no list.
  if (init.disposition !== undefined && init.disposition.length > 0) {
    for (const item of init.disposition) {
      const problem = checkListItem('Disposition-Notification', item);
      if (problem !== undefined) return fail('invalid-value', problem);
    }
    additionalHeaders.push({
      name: 'Disposition-Notification',
      namespace: IMDN_NS,
      value: init.disposition.join(', '),
    });
  }
  return buildCpim({
    sender: init.sender,
    recipients: [init.recipient],
    timestamp: init.timestamp,
    additionalHeaders,
    contentType: init.contentType,
    charset: init.charset ?? 'utf-8',
    content: init.content,
  });
}
