/**
 * message/cpim bodies read as python3-sipsimple's CPIMPayload.decode reads them (sylk spec §2.2): the CPIM
 * headers end at the first CRLF CRLF; NS declares prefixes and a header with an undeclared prefix is
 * ignored; From/To/cc values that do not parse are ignored, as is an unparseable DateTime; the rest is a
 * MIME part (LF or CRLF) giving the content type and the content. The few places where this reading
 * deliberately differs from sipsimple's (on input sipsimple mishandles) are in cpim-header-line.ts and
 * cpim-identity.ts; a From/To/cc whose URI is not a valid SIP URI is ignored instead of failing the message.
 */
import { type CpimIdentity, parseCpimIdentity } from './cpim-identity.js';
import { parseHeaderBlock, parseNamespaceValue } from './cpim-header-line.js';
import {
  CPIM_STANDARD_NAMESPACE,
  type CpimHeader,
  type CpimMessage,
  type CpimNamespace,
  type CpimSubject,
  STANDARD_NAMESPACE,
} from './cpim.js';
import { IMDN_CONTENT_TYPE } from './imdn.js';
import { parseMimePart } from './mime-part.js';
import { fail, ok, type Result } from './result.js';
import type { Timestamp } from './timestamp.js';
import { parseTimestamp } from './timestamp-parse.js';
import { decodeUtf8 } from './utf8.js';

const SEPARATOR = '\r\n\r\n';
const SUBJECT_LANG = /^;lang=([a-z]{1,8}(?:-[a-z0-9]{1,8})*)\s+/;

interface HeaderState {
  readonly namespaces: Map<string, CpimNamespace>;
  sender: CpimIdentity | undefined;
  readonly recipients: CpimIdentity[];
  readonly courtesyRecipients: CpimIdentity[];
  /** By language; "" for the Subject without ;lang=. */
  readonly subjects: Map<string, string>;
  timestamp: Timestamp | undefined;
  readonly required: string[];
  readonly additionalHeaders: CpimHeader[];
}

function standardHeader(state: HeaderState, name: string, value: string, namespace: CpimNamespace): void {
  switch (name) {
    case 'From':
      state.sender = parseCpimIdentity(value) ?? state.sender;
      return;
    case 'To':
    case 'cc': {
      const identity = parseCpimIdentity(value);
      if (identity !== undefined)
        (name === 'To' ? state.recipients : state.courtesyRecipients).push(identity);
      return;
    }
    case 'Subject': {
      const lang = SUBJECT_LANG.exec(value);
      if (lang === null) state.subjects.set('', value);
      else state.subjects.set(lang[1] ?? '', value.slice(lang[0].length));
      return;
    }
    case 'DateTime':
      state.timestamp = parseTimestamp(value) ?? state.timestamp;
      return;
    case 'Required':
      state.required.push(...splitAtCommas(value));
      return;
    case 'NS': {
      const declared = parseNamespaceValue(value);
      // "NS: <uri>" (no prefix) is filed by sipsimple under a key no header uses: no effect.
      if (declared?.prefix !== undefined) {
        state.namespaces.set(declared.prefix, { prefix: declared.prefix, uri: declared.uri });
      }
      return;
    }
    default:
      state.additionalHeaders.push({ name, namespace, value });
  }
}

function subjectOf(subjects: ReadonlyMap<string, string>): CpimSubject | undefined {
  if (subjects.size === 0) return undefined;
  const translations = new Map([...subjects].filter(([lang]) => lang !== ''));
  return { text: subjects.get('') ?? translations.get('en') ?? '', translations };
}

/** The CPIM message in `text`; only a missing header/body separator is an error. */
export function parseCpimText(text: string): Result<CpimMessage> {
  const split = text.indexOf(SEPARATOR);
  if (split === -1) return fail('malformed-cpim', 'no blank line after the CPIM headers');
  const state: HeaderState = {
    namespaces: new Map([['', STANDARD_NAMESPACE]]),
    sender: undefined,
    recipients: [],
    courtesyRecipients: [],
    subjects: new Map(),
    timestamp: undefined,
    required: [],
    additionalHeaders: [],
  };
  for (const header of parseHeaderBlock(text.slice(0, split))) {
    if (header.name.includes('.')) continue;
    const namespace = state.namespaces.get(header.prefix);
    if (namespace === undefined) continue;
    if (namespace.uri === CPIM_STANDARD_NAMESPACE)
      standardHeader(state, header.name, header.value, namespace);
    else state.additionalHeaders.push({ name: header.name, namespace, value: header.value });
  }
  const mime = parseMimePart(text.slice(split + SEPARATOR.length));
  // Python's email parser reads a message/* payload as a nested message; sipsimple then takes that
  // message's payload for IMDNs. Header-like lines and a blank line before the XML go with it.
  const content = mime.contentType === IMDN_CONTENT_TYPE ? parseMimePart(mime.payload).payload : mime.payload;
  return ok({
    sender: state.sender,
    recipients: state.recipients,
    courtesyRecipients: state.courtesyRecipients,
    subject: subjectOf(state.subjects),
    timestamp: state.timestamp,
    required: state.required,
    additionalHeaders: state.additionalHeaders,
    contentType: mime.contentType,
    charset: mime.charset,
    mimeHeaders: mime.headers,
    content,
  });
}

/** A message/cpim body: UTF-8 text (else 'invalid-utf8') with a header/body separator. */
export function parseCpim(body: Buffer): Result<CpimMessage> {
  const text = decodeUtf8(body);
  return text.ok ? parseCpimText(text.value) : text;
}

/**
 * sipsimple's `re.split(r'\s*,\s*', value)`: the blanks around each comma go, those at either end stay. Split
 * by hand, because the regular expression backtracks over every run of blanks that no comma follows, which
 * made a 16 KB Required header cost 220 ms of CPU and a 32 KB one 880 ms.
 */
function splitAtCommas(value: string): string[] {
  const parts = value.split(',');
  const last = parts.length - 1;
  return parts.map((part, i) => {
    const start = i === 0 ? part : part.trimStart();
    return i === last ? start : start.trimEnd();
  });
}
