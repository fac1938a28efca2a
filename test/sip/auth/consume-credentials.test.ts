/** Consuming the credentials for our realms before forwarding (RFC 3261 §22.3). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { consumeOwnCredentials } from '../../../src/sip/auth/consume-credentials.js';
import { parseRequest, request } from '../helpers.js';

const OURS = 'example.com';
const isOurs = (realm: string): boolean => realm.toLowerCase() === OURS;

const digest = (realm: string, user = 'alice'): string =>
  `Digest username="${user}", realm="${realm}", nonce="n1", uri="sip:bob@example.com", response="0123456789abcdef0123456789abcdef", qop=auth, nc=00000001, cnonce="c1"`;

function headersOf(extra: readonly string[]) {
  return parseRequest(request(extra)).headers;
}

describe('consumeOwnCredentials', () => {
  test('removes Proxy-Authorization and Authorization for our realm, keeps those for other realms, in order', () => {
    const headers = headersOf([
      `Proxy-Authorization: ${digest('other.net')}`,
      `Proxy-Authorization: ${digest(OURS)}`,
      `Authorization: ${digest(OURS)}`,
      `Authorization: ${digest('uas.example.org')}`,
      `Proxy-Authorization: ${digest('third.org')}`,
    ]);
    assert.equal(consumeOwnCredentials(headers, isOurs), 2);
    assert.deepEqual(headers.getAll('Proxy-Authorization'), [digest('other.net'), digest('third.org')]);
    assert.deepEqual(headers.getAll('Authorization'), [digest('uas.example.org')]);
    assert.equal(headers.get('Call-ID'), '3848276298220188511@192.0.2.1', 'other headers untouched');
  });

  test('the realm is compared as the caller says (here: case-insensitively, as domains are)', () => {
    const headers = headersOf([`Proxy-Authorization: ${digest('EXAMPLE.com')}`]);
    assert.equal(consumeOwnCredentials(headers, isOurs), 1);
    assert.equal(headers.has('Proxy-Authorization'), false);
  });

  test('removes what shows no other realm: Basic (the password itself), unparseable values, digest without realm', () => {
    const headers = headersOf([
      'Proxy-Authorization: Basic YWxpY2U6c2VjcmV0',
      'Proxy-Authorization: Digest username="alice", realm="example.com", realm="x"',
      'Authorization: Digest username="alice", nonce="n1", response="00"',
      `Proxy-Authorization: ${digest('other.net')}`,
    ]);
    assert.equal(consumeOwnCredentials(headers, isOurs), 3);
    assert.deepEqual(headers.getAll('Proxy-Authorization'), [digest('other.net')]);
    assert.equal(headers.has('Authorization'), false);
  });

  test('a request without credentials is left as it is', () => {
    const headers = headersOf([]);
    const before = [...headers.entries()];
    assert.equal(consumeOwnCredentials(headers, isOurs), 0);
    assert.deepEqual([...headers.entries()], before);
  });
});
