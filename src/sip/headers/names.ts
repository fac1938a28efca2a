/**
 * Header field names: canonical spellings, compact forms (RFC 3261 §7.3.3 and the extensions that define
 * one) and which headers are comma-separated lists. Look-ups use a lower-cased key; the canonical spelling
 * is what the serializer writes.
 */

const CANONICAL_NAMES = [
  'Accept',
  'Accept-Contact',
  'Accept-Encoding',
  'Accept-Language',
  'Alert-Info',
  'Allow',
  'Allow-Events',
  'Authentication-Info',
  'Authorization',
  'Call-ID',
  'Call-Info',
  'Contact',
  'Content-Disposition',
  'Content-Encoding',
  'Content-Language',
  'Content-Length',
  'Content-Transfer-Encoding',
  'Content-Type',
  'CSeq',
  'Date',
  'Error-Info',
  'Event',
  'Expires',
  'Flow-Timer',
  'From',
  'Identity',
  'Identity-Info',
  'In-Reply-To',
  'Max-Forwards',
  'MIME-Version',
  'Min-Expires',
  'Min-SE',
  'Organization',
  'P-Asserted-Identity',
  'P-Preferred-Identity',
  'Path',
  'Priority',
  'Privacy',
  'Proxy-Authenticate',
  'Proxy-Authorization',
  'Proxy-Require',
  'RAck',
  'Reason',
  'Record-Route',
  'Refer-To',
  'Referred-By',
  'Reject-Contact',
  'Reply-To',
  'Request-Disposition',
  'Require',
  'Retry-After',
  'Route',
  'RSeq',
  'Security-Client',
  'Security-Server',
  'Security-Verify',
  'Server',
  'Service-Route',
  'Session-Expires',
  'SIP-ETag',
  'SIP-If-Match',
  'Subject',
  'Subscription-State',
  'Supported',
  'Timestamp',
  'To',
  'Unsupported',
  'User-Agent',
  'Via',
  'Warning',
  'WWW-Authenticate',
];

/** Compact forms: RFC 3261 §7.3.3, 3265/6665 (o, u), 3515 (r), 3892 (b), 4028 (x), 8224 (y), 3841 (a, j, d), 4474 (n). */
const COMPACT_FORMS: Readonly<Record<string, string>> = {
  a: 'Accept-Contact',
  b: 'Referred-By',
  c: 'Content-Type',
  d: 'Request-Disposition',
  e: 'Content-Encoding',
  f: 'From',
  i: 'Call-ID',
  j: 'Reject-Contact',
  k: 'Supported',
  l: 'Content-Length',
  m: 'Contact',
  n: 'Identity-Info',
  o: 'Event',
  r: 'Refer-To',
  s: 'Subject',
  t: 'To',
  u: 'Allow-Events',
  v: 'Via',
  x: 'Session-Expires',
  y: 'Identity',
};

/**
 * Headers whose grammar is a comma-separated list (so several lines may be combined, RFC 3261 §7.3.1).
 * Everything else is one value per line: the authentication headers and Date, whose grammar has commas of its
 * own, single-valued headers, and unknown headers (whose grammar the parser cannot know).
 */
const LIST_HEADERS = [
  'Accept',
  'Accept-Contact',
  'Accept-Encoding',
  'Accept-Language',
  'Alert-Info',
  'Allow',
  'Allow-Events',
  'Call-Info',
  'Contact',
  'Content-Encoding',
  'Content-Language',
  'Error-Info',
  'In-Reply-To',
  'P-Asserted-Identity',
  'P-Preferred-Identity',
  'Path',
  'Proxy-Require',
  'Reason',
  'Record-Route',
  'Reject-Contact',
  'Request-Disposition',
  'Require',
  'Route',
  'Security-Client',
  'Security-Server',
  'Security-Verify',
  'Service-Route',
  'Supported',
  'Unsupported',
  'Via',
  'Warning',
];

/** Lower-cased name or compact form → lower-cased canonical name. */
const KEYS = new Map<string, string>();
/** Lower-cased canonical name → canonical spelling. */
const SPELLINGS = new Map<string, string>();

/**
 * The spellings seen on the wire most often (canonical, lower-case, compact forms), bucketed by length and
 * first character: a Map look-up must hash every freshly sliced name, which costs several times more than
 * the one or two string compares a bucket needs.
 */
const MAX_EXACT_LENGTH = 64;
const EXACT_BUCKETS: (string[] | undefined)[] = new Array<string[] | undefined>(MAX_EXACT_LENGTH * 128);

function bucketOf(name: string): number {
  return name.length * 128 + (name.charCodeAt(0) & 127);
}

function addExact(name: string, key: string): void {
  if (name.length >= MAX_EXACT_LENGTH) return;
  const index = bucketOf(name);
  const bucket = (EXACT_BUCKETS[index] ??= []);
  if (!bucket.includes(name)) bucket.push(name, key);
}

function exactKey(name: string): string | undefined {
  if (name.length >= MAX_EXACT_LENGTH || name.length === 0) return undefined;
  const bucket = EXACT_BUCKETS[bucketOf(name)];
  if (bucket === undefined) return undefined;
  for (let i = 0; i < bucket.length; i += 2) if (bucket[i] === name) return bucket[i + 1];
  return undefined;
}

for (const name of CANONICAL_NAMES) {
  const key = name.toLowerCase();
  KEYS.set(key, key);
  SPELLINGS.set(key, name);
  addExact(name, key);
  addExact(key, key);
}
for (const [letter, name] of Object.entries(COMPACT_FORMS)) {
  const key = name.toLowerCase();
  KEYS.set(letter, key);
  addExact(letter, key);
  addExact(letter.toUpperCase(), key);
}

const LIST_KEYS = new Set(LIST_HEADERS.map((name) => name.toLowerCase()));

/** The case-insensitive identity of a header: compact forms map to their full name. */
export function headerKey(name: string): string {
  const exact = exactKey(name);
  if (exact !== undefined) return exact;
  const lower = name.toLowerCase();
  return KEYS.get(lower) ?? lower;
}

/** The spelling to write: the canonical one for known headers, the given one otherwise. */
export function canonicalHeaderName(name: string): string {
  return SPELLINGS.get(headerKey(name)) ?? name;
}

/** Spelling for a key produced by headerKey(); unknown keys fall back to `received`. */
export function spellingOfKey(key: string, received: string): string {
  return SPELLINGS.get(key) ?? received;
}

export function isListHeader(key: string): boolean {
  return LIST_KEYS.has(key);
}

export function compactFormOf(name: string): string | undefined {
  const key = headerKey(name);
  for (const [letter, full] of Object.entries(COMPACT_FORMS)) if (full.toLowerCase() === key) return letter;
  return undefined;
}
