/** RFC 4976 §5 digest (MD5, qop=auth) for the generator's AUTH: HA2 = MD5("AUTH:" + To-Path URI). */
import { createHash, randomBytes } from 'node:crypto';

const md5 = (text: string): string => createHash('md5').update(text, 'latin1').digest('hex');

/** Parses `Digest k="v", k=v, …` into a map (lower-case keys). */
export function parseChallenge(value: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const match of value.replace(/^\s*Digest\s+/i, '').matchAll(/([A-Za-z-]+)=(?:"([^"]*)"|([^\s,]+))/g)) {
    params.set((match[1] ?? '').toLowerCase(), match[2] ?? match[3] ?? '');
  }
  return params;
}

/** The Authorization header value answering `challenge` for `uri` (the AUTH's To-Path text). */
export function authorization(challenge: string, username: string, password: string, uri: string): string {
  const params = parseChallenge(challenge);
  const realm = params.get('realm') ?? '';
  const nonce = params.get('nonce') ?? '';
  const opaque = params.get('opaque');
  const nc = '00000001';
  const cnonce = randomBytes(8).toString('hex');
  const ha1 = md5(`${username}:${realm}:${password}`);
  const response = md5(`${ha1}:${nonce}:${nc}:${cnonce}:auth:${md5(`AUTH:${uri}`)}`);
  const fields = [
    `username="${username}"`,
    `realm="${realm}"`,
    `nonce="${nonce}"`,
    `uri="${uri}"`,
    'qop=auth',
    `nc=${nc}`,
    `cnonce="${cnonce}"`,
    `response="${response}"`,
  ];
  if (opaque !== undefined) fields.push(`opaque="${opaque}"`);
  return `Digest ${fields.join(', ')}`;
}
