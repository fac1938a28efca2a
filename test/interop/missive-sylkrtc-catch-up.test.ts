/**
 * A device that was offline catches up with account-sync-conversations (sylk spec §1.4.8, §3.6, Appendix B
 * flow 4) on a real `missive serve`: paging on from the last message_id it has, the cursor's edge cases (an
 * unknown message_id falls back to `since`, else to the whole journal; a known one wins over `since`; `since`
 * is compared with the storage time, strictly after; a `since` in the future is an empty page), and the
 * bounds of `limit` (absent: the default; null: no limit; 0: nothing; a boolean counts as an integer, as in
 * Python; negative or not an integer: refused). Then missive stops in the middle of a catch-up and starts
 * again on the same data directory: the device reconnects, registers and goes on from where it was, without
 * losing or repeating a message.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MissiveProcess } from '../support/missive-process.js';
import { LOOPBACK } from '../support/ports.js';
import { sleep } from '../support/wait.js';
import { type Json, WebSocketClient } from '../support/websocket-client.js';
import { Cleanup } from './harness/cleanup.js';

const DOMAIN = 'example.test';
const PASSWORD = 'secret';
const ALICE = `alice@${DOMAIN}`;
const BOB = `bob@${DOMAIN}`;

const idsOf = (event: Json): string[] => (event.messages as Json[]).map((m) => String(m.message_id));

describe('missive serve: an offline device catches up with account-sync-conversations', {
  timeout: 180_000,
}, () => {
  const peers = new Cleanup();
  let missive: MissiveProcess;
  let url: string;
  let alice: WebSocketClient;
  /** After m-3 was stored and before m-4 was: a `since` between them. */
  let between: string;

  const device = async (account: string): Promise<WebSocketClient> => {
    const client = peers.add(await WebSocketClient.ready(url));
    await client.register(account, PASSWORD);
    return client;
  };

  const send = async (n: number): Promise<void> => {
    const reply = await alice.request({
      sylkrtc: 'account-message',
      account: ALICE,
      uri: BOB,
      message_id: `m-${String(n)}`,
      content: `message ${String(n)}`,
      content_type: 'text/plain',
      timestamp: new Date().toISOString(),
    });
    assert.equal(reply.sylkrtc, 'ack', JSON.stringify(reply));
  };

  before(async () => {
    const users = ['alice', 'bob'].map((user) => [user, PASSWORD] as const);
    missive = peers.add(await MissiveProcess.start({ domain: DOMAIN, users }));
    url = `ws://${LOOPBACK}:${String(missive.ports.ws)}/webrtcgateway/ws`;
    alice = await device(ALICE);
    // bob has no device online while alice writes: his journal keeps them.
    for (let n = 1; n <= 3; n++) await send(n);
    // The acks came after the writes; the storage times are in milliseconds, so a few apart is enough.
    await sleep(5);
    between = new Date().toISOString();
    await sleep(5);
    for (let n = 4; n <= 7; n++) await send(n);
  });
  after(() => peers.run());

  test('paging from the last message_id: limit entries each, oldest first, has_more until the end', async () => {
    const bob = await device(BOB);
    const first = await bob.sync(BOB, { message_id: null, limit: 3 });
    assert.deepEqual(idsOf(first), ['m-1', 'm-2', 'm-3']);
    assert.equal(first.has_more, true);
    const message = (first.messages as Json[])[0];
    assert.deepEqual(
      [message?.contact, message?.direction, message?.state, message?.content],
      [ALICE, 'incoming', 'received', 'message 1'],
    );
    const second = await bob.sync(BOB, { message_id: 'm-3', limit: 3 });
    assert.deepEqual(idsOf(second), ['m-4', 'm-5', 'm-6']);
    assert.equal(second.has_more, true);
    const third = await bob.sync(BOB, { message_id: 'm-6', limit: 3 });
    assert.deepEqual(idsOf(third), ['m-7']);
    assert.equal(third.has_more, undefined);
    assert.deepEqual(idsOf(await bob.sync(BOB, { message_id: 'm-7', limit: 3 })), []);
  });

  test('the cursor: unknown message_id, since, both, and since in the future (sylk spec §3.6)', async () => {
    const bob = await device(BOB);
    const all = ['m-1', 'm-2', 'm-3', 'm-4', 'm-5', 'm-6', 'm-7'];
    const cases: readonly (readonly [string, Json, readonly string[]])[] = [
      ['no cursor', {}, all],
      ['message_id null', { message_id: null }, all],
      ['message_id empty', { message_id: '' }, all],
      ['an unknown message_id', { message_id: 'no-such-id' }, all],
      ['since between m-3 and m-4', { since: between }, ['m-4', 'm-5', 'm-6', 'm-7']],
      [
        'an unknown message_id falls back to since',
        { message_id: 'no-such-id', since: between },
        ['m-4', 'm-5', 'm-6', 'm-7'],
      ],
      ['a known message_id wins over since', { message_id: 'm-5', since: between }, ['m-6', 'm-7']],
      [
        'a known message_id wins over a since in the future',
        { message_id: 'm-6', since: '2100-01-01T00:00:00Z' },
        ['m-7'],
      ],
      ['since in the future', { since: '2100-01-01T00:00:00.000Z' }, []],
      ['since long ago', { since: '2000-01-01T00:00:00+00:00' }, all],
      ['the last message: nothing after it', { message_id: 'm-7' }, []],
    ];
    for (const [what, fields, expected] of cases) {
      assert.deepEqual(idsOf(await bob.sync(BOB, fields)), expected, what);
    }
  });

  test('limit: absent the default, null no limit, 0 nothing, a boolean an integer; negative and non-integers refused', async () => {
    const bob = await device(BOB);
    assert.equal(idsOf(await bob.sync(BOB, {})).length, 7, 'absent');
    assert.equal(idsOf(await bob.sync(BOB, { limit: null })).length, 7, 'null');
    assert.deepEqual(idsOf(await bob.sync(BOB, { limit: 0 })), [], '0');
    assert.deepEqual(idsOf(await bob.sync(BOB, { limit: true })), ['m-1'], 'true is 1');
    assert.deepEqual(idsOf(await bob.sync(BOB, { limit: false })), [], 'false is 0');
    assert.equal(idsOf(await bob.sync(BOB, { limit: 1_000_000 })).length, 7, 'beyond the server’s cap');
    const refusals: readonly (readonly [unknown, string])[] = [
      [-1, "Invalid value for 'limit' property: -1 (expected: 0 or more, or null)"],
      [1.5, "Invalid value for 'limit' property: 1.5"],
      ['3', "Invalid value for 'limit' property: '3'"],
      [[3], "Invalid value for 'limit' property: [3]"],
    ];
    for (const [limit, error] of refusals) {
      const reply = await bob.request({ sylkrtc: 'account-sync-conversations', account: BOB, limit });
      assert.deepEqual([reply.sylkrtc, reply.error], ['error', error], JSON.stringify(limit));
    }
    // No sync-conversations event was sent for a refused request: the one after them is the next event.
    const before = bob.events('sync-conversations').length;
    await bob.sync(BOB, { limit: 1 });
    assert.equal(bob.events('sync-conversations').length, before + 1);
  });

  test('missive stops in the middle of a catch-up: the device reconnects, registers and goes on without a gap or a repeat', async () => {
    const phone = await device(BOB);
    const seen = idsOf(await phone.sync(BOB, { message_id: null, limit: 3 }));
    assert.deepEqual(seen, ['m-1', 'm-2', 'm-3']);

    await missive.shutdown();
    await phone.closedWith();
    await alice.closedWith();
    missive = peers.add(
      await MissiveProcess.start({
        domain: DOMAIN,
        users: [],
        dataDir: missive.dataDir,
        ports: missive.ports,
      }),
    );
    // The device reconnects; alice writes one more meanwhile.
    alice = await device(ALICE);
    await send(8);
    const again = await device(BOB);
    for (;;) {
      const page = await again.sync(BOB, { message_id: seen.at(-1), limit: 3 });
      seen.push(...idsOf(page));
      if (page.has_more !== true) break;
    }
    assert.deepEqual(seen, ['m-1', 'm-2', 'm-3', 'm-4', 'm-5', 'm-6', 'm-7', 'm-8']);
  });
});
