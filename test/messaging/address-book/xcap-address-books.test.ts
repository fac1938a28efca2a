// Address books on an XCAP server's REST API (sylk spec §1.4.13). OpenXCAP cannot run here, so a local HTTP
// server stands in for it; the test checks the exact requests (method, path, headers, body) and each answer.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { XcapAddressBooks } from '../../../src/messaging/address-book/xcap-address-books.js';

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

const ALICE = 'alice@example.test';
const quiet = pino({ level: 'silent' });

describe('address books on an XCAP server (a stand-in)', () => {
  const seen: Seen[] = [];
  let answer: { status: number; body: string } = { status: 200, body: '{}' };
  let server: Server;
  let base: string;

  before(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        seen.push({
          method: request.method ?? '',
          url: request.url ?? '',
          headers: request.headers,
          body: Buffer.concat(chunks).toString(),
        });
        response.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    assert.ok(address !== null && typeof address === 'object');
    base = `http://127.0.0.1:${String(address.port)}/xcap/`;
  });
  after(() => {
    server.close();
  });

  const books = (): XcapAddressBooks =>
    new XcapAddressBooks({ baseUrl: base, logger: quiet, timeoutMs: 5000 });

  test('fetch: GET …/api/v1/users/{account}/addressbook with the reference User-Agent', async () => {
    const book = { contacts: [{ id: 'c1', name: 'Carol' }], groups: [], policies: [] };
    answer = { status: 200, body: JSON.stringify(book) };
    assert.deepEqual(await books().fetch(ALICE), { ok: true, value: book });
    const request = seen.at(-1);
    assert.equal(request?.method, 'GET');
    assert.equal(request.url, '/xcap/api/v1/users/alice%40example.test/addressbook');
    assert.equal(request.headers['user-agent'], 'SylkServer');
  });

  test('add, update and delete: POST the list, PUT and DELETE the entry, JSON bodies', async () => {
    const carol = { id: 'c 1', name: 'Carol' };
    answer = { status: 200, body: JSON.stringify({ ...carol, created: true }) };
    const added = await books().change(ALICE, { type: 'contact', action: 'add', data: carol });
    assert.deepEqual(added, { ok: true, value: { ...carol, created: true } });
    let request = seen.at(-1);
    assert.equal(request?.method, 'POST');
    assert.equal(request.url, '/xcap/api/v1/users/alice%40example.test/addressbook/contacts');
    assert.equal(request.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(request.body), carol);

    answer = { status: 204, body: '' };
    const updated = await books().change(ALICE, {
      type: 'group',
      action: 'update',
      data: { id: 'g1', name: 'T' },
    });
    assert.deepEqual(updated, { ok: true, value: { id: 'g1', name: 'T' } });
    request = seen.at(-1);
    assert.equal(request?.method, 'PUT');
    assert.equal(request.url, '/xcap/api/v1/users/alice%40example.test/addressbook/groups/g1');

    const deleted = await books().change(ALICE, { type: 'policy', action: 'delete', data: { id: 'p/1' } });
    assert.ok(deleted.ok);
    request = seen.at(-1);
    assert.equal(request?.method, 'DELETE');
    assert.equal(request.url, '/xcap/api/v1/users/alice%40example.test/addressbook/policies/p%2F1');
    assert.equal(request.body, '');
  });

  test("a refusal is the reference's text; an unreachable server or a bad book is an error, not an empty book", async () => {
    answer = { status: 409, body: JSON.stringify({ detail: 'duplicate contact' }) };
    assert.deepEqual(await books().change(ALICE, { type: 'contact', action: 'add', data: { id: 'c1' } }), {
      ok: false,
      refusal: { kind: 'invalid', reason: 'Non-200 response: 409, duplicate contact' },
    });
    answer = { status: 200, body: 'not json' };
    assert.deepEqual(await books().fetch(ALICE), {
      ok: false,
      refusal: { kind: 'unavailable', reason: 'Address book server unavailable' },
    });
    const count = seen.length;
    // Nothing is sent for an object missive refuses itself.
    assert.equal(
      (await books().change(ALICE, { type: 'contact', action: 'add', data: { name: 'no id' } })).ok,
      false,
    );
    assert.equal(seen.length, count);
    const gone = new XcapAddressBooks({ baseUrl: 'http://127.0.0.1:1', logger: quiet, timeoutMs: 2000 });
    assert.deepEqual(await gone.fetch(ALICE), {
      ok: false,
      refusal: { kind: 'unavailable', reason: 'Address book server unavailable' },
    });
  });
});
