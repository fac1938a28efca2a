/**
 * What a registered user could make `missive serve` store or deliver (security issue 10, points 6 to 8),
 * end to end over UDP with registered devices: a body over the limit, a sender over its rate, a journal over
 * its quota, an IMDN about someone else's message, a message id another sender used, a private key sent to
 * someone else, and malformed SIP API requests. Each refusal gets its defined answer, is stored nowhere (the
 * store is read) and reaches no device: the device's first MESSAGE is a later one that the test sends after
 * the refused one, so "nothing arrived" is shown by what did arrive, in order.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openStore, type Store } from '../../src/store/index.js';
import { MissiveProcess } from '../support/missive-process.js';
import { Cleanup } from './harness/cleanup.js';
import { LOOPBACK } from '../support/ports.js';
import { Agent } from '../support/sip-agent.js';

const DOMAIN = 'example.test';
const PASSWORD = 'secret';
const MAX_MESSAGE_BYTES = 4096;
const BURST = 10;
const MAX_ENTRIES = 25;
const USERS = [
  'alice',
  'bob',
  'carol',
  'amy',
  'ben',
  'mallory',
  'bea',
  'dave',
  'flo',
  'erin',
  'fil1',
  'fil2',
  'fil3',
  'quinn',
  'pat',
  'rex',
  'api',
  'ray',
];

const at = (user: string): string => `${user}@${DOMAIN}`;

/** A CPIM body as Sylk clients send it, with the given imdn.Message-ID. */
function cpim(from: string, to: string, messageId: string, contentType: string, content: string): string {
  const head = [
    `From: <sip:${at(from)}>`,
    `To: <sip:${at(to)}>`,
    'DateTime: 2026-01-01T12:00:00+00:00',
    'NS: imdn <urn:ietf:params:imdn>',
    `imdn.Message-ID: ${messageId}`,
    'imdn.Disposition-Notification: positive-delivery, display',
  ];
  return `${head.join('\r\n')}\r\n\r\nContent-Type: ${contentType}\r\n\r\n${content}`;
}

/** A "displayed" IMDN (RFC 5438) about `messageId`, in CPIM as Sylk clients send it. */
function displayed(from: string, to: string, imdnId: string, messageId: string): string {
  const xml =
    '<?xml version="1.0" encoding="UTF-8"?>\n<imdn xmlns="urn:ietf:params:xml:ns:imdn">' +
    `<message-id>${messageId}</message-id><datetime>2026-01-01T12:00:00+00:00</datetime>` +
    `<recipient-uri>sip:${at(from)}</recipient-uri>` +
    '<display-notification><status><displayed/></status></display-notification></imdn>';
  return cpim(from, to, imdnId, 'message/imdn+xml', xml);
}

describe('missive: what the messaging application refuses is stored nowhere and reaches no device', () => {
  const peers = new Cleanup();
  let missive: MissiveProcess;
  let store: Store;
  const devices = new Map<string, Agent>();

  /** The user's registered device. */
  const device = (user: string): Agent => {
    const found = devices.get(user);
    assert.ok(found !== undefined, `${user} has a device`);
    return found;
  };

  const text = (from: string, to: string, body: string): Promise<number> =>
    device(from)
      .message({ to, contentType: 'text/plain', body })
      .then((response) => response.status);

  before(async () => {
    missive = peers.add(
      await MissiveProcess.start({
        domain: DOMAIN,
        users: USERS.map((user) => [user, PASSWORD] as const),
        // A rate so slow that no token comes back during the test: the burst is all a sender has.
        args: [
          ...['--max-message-bytes', String(MAX_MESSAGE_BYTES)],
          ...['--message-rate', '0.001', '--message-burst', String(BURST)],
          ...['--journal-max-entries', String(MAX_ENTRIES)],
        ],
      }),
    );
    for (const user of USERS) {
      const ua = peers.add(
        await Agent.device(user, PASSWORD, { host: LOOPBACK, port: missive.ports.sip }, DOMAIN),
      );
      assert.equal((await ua.register()).status, 200, `${user} registered`);
      devices.set(user, ua);
    }
    store = await openStore(`sqlite://${join(missive.dataDir, 'missive.db')}`);
    peers.add({ stop: () => store.close() });
  });
  after(() => peers.run());

  test(`a body over --max-message-bytes (${String(MAX_MESSAGE_BYTES)}) gets 413, is not stored and reaches no device`, async () => {
    const big = await device('bea').message({
      to: 'dave',
      contentType: 'text/plain',
      body: 'x'.repeat(5000),
    });
    assert.equal(big.status, 413);
    assert.equal(big.reason, 'Message Too Large');
    assert.equal(await text('bea', 'dave', 'small'), 200);
    const first = await device('dave').receivedAt(0);
    assert.equal(first.body.toString('utf8'), 'small', "dave's device got the small message first");
    for (const account of [at('dave'), at('bea')]) {
      const entries = (await store.journal.latest(account, 10)).entries;
      assert.deepEqual(
        entries.map((entry) => entry.content),
        ['small'],
        `${account}'s journal`,
      );
    }
  });

  test(`a sender over its rate (burst ${String(BURST)}) gets 403 Too Many Messages, nothing stored`, async () => {
    for (let i = 0; i < BURST; i++)
      assert.equal(await text('flo', 'erin', `m${String(i)}`), 200, `message ${String(i)}`);
    const over = await device('flo').message({ to: 'erin', contentType: 'text/plain', body: 'one too many' });
    assert.equal(over.status, 403);
    assert.equal(over.reason, 'Too Many Messages');
    assert.equal(await store.journal.count(at('erin')), BURST);
    assert.equal(await store.journal.count(at('flo')), BURST);
    // Another sender is not affected.
    assert.equal(await text('fil3', 'erin', 'from someone else'), 200);
  });

  test(`an account over --journal-max-entries (${String(MAX_ENTRIES)}) refuses more with 480, nothing stored`, async () => {
    // Three senders, so that no sender reaches its rate limit or its own journal's quota.
    const plan = [
      ['fil1', 10],
      ['fil2', 10],
      ['fil3', MAX_ENTRIES - 20],
    ] as const;
    for (const [from, n] of plan)
      for (let i = 0; i < n; i++) assert.equal(await text(from, 'quinn', `${from} ${String(i)}`), 200);
    assert.deepEqual(await store.journal.usage(at('quinn')), {
      entries: MAX_ENTRIES,
      contentBytes: (await store.journal.latest(at('quinn'), 100)).entries.reduce(
        (sum, entry) => sum + Buffer.byteLength(entry.content),
        0,
      ),
    });
    const fil3Before = await store.journal.count(at('fil3'));
    const full = await device('fil3').message({ to: 'quinn', contentType: 'text/plain', body: 'no room' });
    assert.equal(full.status, 480);
    assert.equal(full.reason, 'Recipient Journal Full');
    assert.equal(await store.journal.count(at('quinn')), MAX_ENTRIES);
    assert.equal(await store.journal.count(at('fil3')), fil3Before, "not in the sender's journal either");
    const received = device('quinn').received.map((request) => request.body.toString('utf8'));
    assert.ok(!received.includes('no room'), "quinn's device did not get it");
  });

  test("bob's IMDN about alice's message to carol changes nothing; carol's own IMDN does", async () => {
    const sent = await device('alice').message({
      to: 'carol',
      contentType: 'message/cpim',
      body: cpim('alice', 'carol', 'imdn-m1', 'text/plain', 'for carol'),
    });
    assert.equal(sent.status, 200);
    const aliceBefore = await store.journal.get(at('alice'), 'imdn-m1');
    const carolBefore = await store.journal.get(at('carol'), 'imdn-m1');
    assert.equal(aliceBefore?.state, 'accepted');
    assert.equal(carolBefore?.contact, at('alice'));
    for (const to of ['alice', 'carol']) {
      const forged = await device('bob').message({
        to,
        contentType: 'message/cpim',
        body: displayed('bob', to, `bob-imdn-${to}`, 'imdn-m1'),
      });
      assert.equal(forged.status, 403, `bob's IMDN to ${to}`);
      assert.equal(forged.reason, 'Not A Party To The Message');
    }
    assert.deepEqual(await store.journal.get(at('alice'), 'imdn-m1'), aliceBefore);
    assert.deepEqual(await store.journal.get(at('carol'), 'imdn-m1'), carolBefore);
    assert.equal(await store.journal.get(at('alice'), 'bob-imdn-alice'), undefined, 'not journaled');
    const real = await device('carol').message({
      to: 'alice',
      contentType: 'message/cpim',
      body: displayed('carol', 'alice', 'carol-imdn', 'imdn-m1'),
    });
    assert.equal(real.status, 200);
    assert.equal((await store.journal.get(at('alice'), 'imdn-m1'))?.state, 'displayed');
    assert.equal((await store.journal.get(at('alice'), 'carol-imdn'))?.contentType, 'message/imdn');
    assert.equal((await store.journal.get(at('carol'), 'imdn-m1'))?.unread, false, "carol's copy is read");
  });

  test("a message id another sender used is refused, not silently dropped; the sender's retry is one entry", async () => {
    const body = cpim('amy', 'ben', 'dup-1', 'text/plain', 'from amy');
    assert.equal((await device('amy').message({ to: 'ben', contentType: 'message/cpim', body })).status, 200);
    const retry = await device('amy').message({ to: 'ben', contentType: 'message/cpim', body });
    assert.equal(retry.status, 200, "amy's retry");
    const reused = await device('mallory').message({
      to: 'ben',
      contentType: 'message/cpim',
      body: cpim('mallory', 'ben', 'dup-1', 'text/plain', 'from mallory'),
    });
    assert.equal(reused.status, 403);
    assert.equal(reused.reason, 'Message-ID Already Used');
    const entries = (await store.journal.latest(at('ben'), 10)).entries;
    assert.deepEqual(
      entries.map((entry) => [entry.messageId, entry.contact, entry.content]),
      [['dup-1', at('amy'), 'from amy']],
    );
    assert.equal(await store.journal.count(at('mallory')), 0);
  });

  test("a private key sent to someone else: 403, and that user's device gets nothing", async () => {
    const key = await device('pat').message({
      to: 'rex',
      contentType: 'text/pgp-private-key',
      body: '-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nxcLYBGZ\n-----END PGP PRIVATE KEY BLOCK-----\n',
    });
    assert.equal(key.status, 403);
    assert.equal(await text('pat', 'rex', 'after the key'), 200);
    const first = await device('rex').receivedAt(0);
    assert.equal(first.headers.get('Content-Type'), 'text/plain');
    assert.equal(first.body.toString('utf8'), 'after the key', "rex's device got the later message first");
  });

  test('malformed and empty SIP API requests get 400 and are forwarded to no device; valid ones neither', async () => {
    const api = device('api');
    const malformed = await api.message({
      to: 'ray',
      contentType: 'application/sylk-api-conversation-read',
      body: 'not json',
    });
    assert.equal(malformed.status, 400);
    const empty = await api.message({ to: 'ray', contentType: 'application/sylk-api-token', body: '' });
    assert.equal(empty.status, 400);
    const valid = await api.message({
      to: 'ray',
      contentType: 'application/sylk-api-conversation-read',
      body: JSON.stringify({ contact: at('ray') }),
    });
    assert.equal(valid.status, 200);
    assert.equal(await text('api', 'ray', 'after the requests'), 200);
    const first = await device('ray').receivedAt(0);
    assert.equal(first.body.toString('utf8'), 'after the requests', "ray's device got the message first");
  });
});
