/**
 * sylk spec §5.1, the rule for message pushes, on the real messaging application (SQLite, standalone, SIP
 * devices): the recipient's stored copy of text/plain, text/html and application/sylk-file-transfer pushes;
 * the sender's own copy, other content types and API requests do not (IMDNs and keys: the messaging
 * acceptance tests). Push events are emitted before the 200, so a 200 without one means none comes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type AppFixture, DOMAIN, sendAuthenticated, startApp } from '../messaging/app-fixture.js';
import { type ConformanceBackend, sqliteBackend } from '../store/backends.js';

const A = `alice@${DOMAIN}`;
const B = `bob@${DOMAIN}`;

describe('which messages push (sylk spec §5.1)', () => {
  let backend: ConformanceBackend;
  let app: AppFixture;
  before(async () => {
    backend = await sqliteBackend();
    app = await startApp(backend, 'standalone');
  });
  after(async () => {
    await app.close();
    await backend.close();
  });

  it('text/plain and text/html push the recipient only, never the sender’s own copy', async () => {
    const alice = await app.agent('alice');
    for (const contentType of ['text/plain', 'text/html']) {
      const response = await sendAuthenticated(alice, { to: B, contentType, body: 'hi' });
      assert.equal(response.status, 200);
    }
    assert.deepEqual(
      app.eventsFor('push', B).map((event) => (event.kind === 'push' ? event.push.contentType : '')),
      ['text/plain', 'text/html'],
    );
    assert.ok((await app.store.journal.count(A)) >= 2, 'alice keeps her own copies');
    assert.equal(app.eventsFor('push', A).length, 0, 'no push for the sender’s copy');
  });

  it('another content type is stored without a push; an API request pushes nobody', async () => {
    const alice = await app.agent('alice');
    const before = app.eventsFor('push', B).length;
    const stored = await app.store.journal.count(B);
    assert.equal(
      (await sendAuthenticated(alice, { to: B, contentType: 'application/octet-stream', body: 'x' })).status,
      200,
    );
    assert.equal(
      (await sendAuthenticated(alice, { to: A, contentType: 'application/sylk-api-token', body: 'x' }))
        .status,
      200,
    );
    assert.equal(await app.store.journal.count(B), stored + 1, 'the octet-stream is stored');
    assert.equal(app.eventsFor('push', B).length, before);
    assert.equal(app.eventsFor('push', A).length, 0);
  });
});
