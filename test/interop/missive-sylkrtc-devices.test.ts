/**
 * One account with two sylkRTC WebSocket devices and a SIP device, and another account with a WebSocket and
 * a SIP device, on a real `missive serve` (issue 12): a registered WebSocket account is a device of the
 * account like a SIP phone. A MESSAGE from the SIP device reaches the recipient's WebSocket device as a
 * `message` event and the sender's WebSocket devices as `sync` replicas (sylk spec §2.5); an
 * account-message reaches the recipient's SIP device (CPIM, §2.8.1) and WebSocket device and is replicated to
 * the sender's other devices (sylk spec §1.5.3); IMDNs both ways (sylk spec §2.6, §1.4.7); the disposition of the final answer
 * (sylk spec §1.5.4: accepted on 200, failed on an error); the message types of current clients and chunked long texts
 * (Appendix C); and every device of an account reads the same journal and unread count.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { SipRequest } from '../../src/sip/message/message.js';
import { openStore } from '../../src/store/index.js';
import { MissiveProcess } from '../support/missive-process.js';
import { LOOPBACK } from '../support/ports.js';
import { waitFor } from '../support/wait.js';
import { type Json, WebSocketClient } from '../support/websocket-client.js';
import { Cleanup } from './harness/cleanup.js';
import { Agent } from '../support/sip-agent.js';

const DOMAIN = 'example.test';
const PASSWORD = 'secret';
const ALICE = `alice@${DOMAIN}`;
const BOB = `bob@${DOMAIN}`;

/** A CPIM body as a SIP client (Blink, Sylk) writes one (sylk spec §2.8.1). */
function cpim(from: string, to: string, messageId: string, contentType: string, content: string): string {
  return [
    `From: <sip:${from}>`,
    `To: <sip:${to}>`,
    'DateTime: 2026-12-07T10:00:00.000Z',
    'NS: imdn <urn:ietf:params:imdn>',
    `imdn.Message-ID: ${messageId}`,
    ...(contentType === 'message/imdn+xml'
      ? []
      : ['imdn.Disposition-Notification: positive-delivery, display']),
    '',
    `Content-Type: ${contentType}`,
    '',
    content,
  ].join('\r\n');
}

/** An IMDN (RFC 5438) for `messageId`, `status` delivered or displayed. */
function imdn(messageId: string, recipient: string, status: 'delivered' | 'displayed'): string {
  const element = status === 'delivered' ? 'delivery-notification' : 'display-notification';
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<imdn xmlns="urn:ietf:params:xml:ns:imdn">',
    `<message-id>${messageId}</message-id>`,
    '<datetime>2026-12-07T10:00:00.000Z</datetime>',
    `<recipient-uri>sip:${recipient}</recipient-uri>`,
    `<original-recipient-uri>sip:${recipient}</original-recipient-uri>`,
    `<${element}><status><${status}/></status></${element}>`,
    '</imdn>',
  ].join('\n');
}

const bodyOf = (request: SipRequest): string => request.body.toString('utf8');

/** The MESSAGE a SIP device has received (or receives) whose body contains `text`. */
function sipMessage(device: Agent, what: string, text: string): Promise<SipRequest> {
  return waitFor(() => device.received.find((r) => bodyOf(r).includes(text)), what, { timeoutMs: 15_000 });
}

function accountMessage(messageId: string, content: string, contentType = 'text/plain'): Json {
  return {
    sylkrtc: 'account-message',
    account: ALICE,
    uri: BOB,
    message_id: messageId,
    content,
    content_type: contentType,
    timestamp: '2026-12-07T10:05:00.000Z',
  };
}

describe('missive serve: WebSocket and SIP devices of one account', { timeout: 180_000 }, () => {
  const peers = new Cleanup();
  let missive: MissiveProcess;
  let url: string;
  let alicePhone: WebSocketClient;
  let aliceLaptop: WebSocketClient;
  let aliceSip: Agent;
  let bobWeb: WebSocketClient;
  let bobSip: Agent;

  const device = async (account: string): Promise<WebSocketClient> => {
    const client = peers.add(await WebSocketClient.ready(url));
    await client.register(account, PASSWORD);
    return client;
  };
  const sipDevice = async (user: string): Promise<Agent> => {
    const sip = peers.add(
      await Agent.device(user, PASSWORD, { host: LOOPBACK, port: missive.ports.sip }, DOMAIN),
    );
    assert.equal((await sip.register()).status, 200);
    return sip;
  };

  before(async () => {
    const users = ['alice', 'bob', 'carol'].map((user) => [user, PASSWORD] as const);
    missive = peers.add(await MissiveProcess.start({ domain: DOMAIN, users }));
    url = `ws://${LOOPBACK}:${String(missive.ports.ws)}/webrtcgateway/ws`;
    alicePhone = await device(ALICE);
    aliceLaptop = await device(ALICE);
    aliceSip = await sipDevice('alice');
    bobWeb = await device(BOB);
    bobSip = await sipDevice('bob');
  });
  after(() => peers.run());

  test('a MESSAGE from the SIP device: a message event at the recipient’s WebSocket device, sync replicas at the sender’s', async () => {
    const answer = await aliceSip.message({
      to: 'bob',
      contentType: 'message/cpim',
      body: cpim(ALICE, BOB, 'sip-1', 'text/plain', 'hello from the SIP phone'),
    });
    assert.ok(answer.status >= 200 && answer.status < 300, String(answer.status));

    const received = await bobWeb.received(
      'the message at bob',
      (f) => f.event === 'message' && f.message_id === 'sip-1',
    );
    assert.equal(received.account, BOB);
    assert.deepEqual(received.sender, { uri: ALICE, display_name: null });
    assert.equal(received.content, 'hello from the SIP phone');
    assert.equal(received.content_type, 'text/plain');
    assert.deepEqual(received.disposition_notification, ['positive-delivery', 'display']);
    // bob's SIP device gets it too (missive is the registrar and forks to it).
    await sipMessage(bobSip, 'the MESSAGE at bob’s SIP device', 'hello from the SIP phone');

    for (const [name, client] of [
      ['phone', alicePhone],
      ['laptop', aliceLaptop],
    ] as const) {
      const copy = await client.received(
        `the sync replica at alice’s ${name}`,
        (f) => f.event === 'sync' && (f.content as Json | undefined)?.message_id === 'sip-1',
      );
      assert.equal(copy.type, 'message');
      assert.equal(copy.action, 'add');
      assert.deepEqual(copy.content, {
        transaction: '1',
        account: ALICE,
        sylkrtc: 'account-message',
        uri: BOB,
        message_id: 'sip-1',
        content: 'hello from the SIP phone',
        content_type: 'text/plain',
        timestamp: (copy.content as Json).timestamp,
        server_generated: true,
      });
    }
  });

  test('an account-message reaches the recipient’s SIP and WebSocket devices, and the sender’s SIP device and other WebSocket device', async () => {
    const sent = await alicePhone.request(accountMessage('ws-1', 'hello from the phone app'));
    assert.equal(sent.sylkrtc, 'ack', JSON.stringify(sent));

    const atBobSip = await sipMessage(bobSip, 'the MESSAGE at bob’s SIP device', 'imdn.Message-ID: ws-1');
    assert.match(atBobSip.headers.get('From') ?? '', new RegExp(`<sip:${ALICE}>`));
    assert.match(atBobSip.headers.get('Content-Type') ?? '', /^message\/cpim/);
    const body = bodyOf(atBobSip);
    assert.match(body, new RegExp(`^From: <sip:${ALICE}>`, 'm'));
    assert.match(body, new RegExp(`^To: <sip:${BOB}>`, 'm'));
    assert.match(body, /^imdn\.Disposition-Notification: positive-delivery, display/m);
    assert.match(body, /hello from the phone app/);

    const atBobWeb = await bobWeb.received(
      'the message at bob’s web device',
      (f) => f.event === 'message' && f.message_id === 'ws-1',
    );
    assert.equal(atBobWeb.content, 'hello from the phone app');
    assert.deepEqual(atBobWeb.sender, { uri: ALICE, display_name: null });

    const replica = await aliceLaptop.received(
      'the replica at alice’s laptop',
      (f) => f.event === 'sync' && (f.content as Json | undefined)?.message_id === 'ws-1',
    );
    assert.equal((replica.content as Json).transaction, sent.transaction);
    // The sender's SIP phone gets the copy as a MESSAGE too.
    const atAliceSip = await sipMessage(
      aliceSip,
      'the copy at alice’s SIP device',
      'hello from the phone app',
    );
    assert.match(atAliceSip.headers.get('To') ?? '', new RegExp(`sip:${BOB}`));
    // The sending device has no replica of its own message: the laptop's arrived, the phone has none.
    assert.equal(
      alicePhone.events('sync').filter((f) => (f.content as Json | undefined)?.message_id === 'ws-1').length,
      0,
    );
  });

  test('standalone, a served recipient has the message once it is stored: accepted 200 at every WebSocket device of the sender (sylk spec §1.5.4)', async () => {
    for (const client of [alicePhone, aliceLaptop]) {
      const accepted = await client.received(
        'accepted for ws-1',
        (f) => f.event === 'disposition-notification' && f.message_id === 'ws-1',
      );
      assert.equal(accepted.state, 'accepted');
      assert.equal(accepted.code, 200);
      assert.equal(accepted.reason, 'OK');
      assert.equal(accepted.message_timestamp, '2026-12-07T10:05:00+00:00');
    }
    const stored = (await alicePhone.sync(ALICE)).messages as Json[];
    assert.equal(stored.find((m) => m.message_id === 'ws-1')?.state, 'accepted', JSON.stringify(stored));
  });

  test('IMDNs both ways: from the SIP device to a disposition-notification event, from a WebSocket device to an IMDN MESSAGE', async () => {
    // bob's SIP phone says it displayed ws-1 (alice's, from her phone app).
    const answer = await bobSip.message({
      to: 'alice',
      contentType: 'message/cpim',
      body: cpim(BOB, ALICE, 'imdn-from-sip', 'message/imdn+xml', imdn('ws-1', BOB, 'displayed')),
    });
    assert.ok(answer.status >= 200 && answer.status < 300, String(answer.status));
    for (const client of [alicePhone, aliceLaptop]) {
      const displayed = await client.received(
        'displayed for ws-1',
        (f) => f.event === 'disposition-notification' && f.message_id === 'ws-1' && f.state === 'displayed',
      );
      assert.equal(displayed.code, 200);
      assert.equal(displayed.reason, '');
    }
    // bob's web device says it displayed sip-1 (from alice's SIP phone): an IMDN MESSAGE to alice's phone.
    const sent = await bobWeb.request({
      sylkrtc: 'account-disposition-notification',
      account: BOB,
      uri: ALICE,
      message_id: 'sip-1',
      state: 'displayed',
      timestamp: '2026-12-07T10:00:00.000Z',
    });
    assert.equal(sent.sylkrtc, 'ack', JSON.stringify(sent));
    const atAliceSip = await sipMessage(
      aliceSip,
      'the IMDN at alice’s SIP device',
      '<message-id>sip-1</message-id>',
    );
    const body = bodyOf(atAliceSip);
    assert.match(body, /Content-Type: message\/imdn\+xml/);
    assert.match(body, /<displayed\s*\/>/);
    assert.match(body, new RegExp(`^From: <sip:${BOB}>`, 'm'));
    // …and alice's web devices learn it from the same IMDN.
    const displayed = await aliceLaptop.received(
      'displayed for sip-1',
      (f) => f.event === 'disposition-notification' && f.message_id === 'sip-1' && f.state === 'displayed',
    );
    assert.equal(displayed.account, ALICE);
  });

  test('the message types of current clients and a long text in chunks are stored, synced and delivered like any other', async () => {
    const location = JSON.stringify({ latitude: 52.37, longitude: 4.89, expires: '2026-12-07T11:00:00Z' });
    const contact = JSON.stringify({ uri: 'sip:dave@example.test', name: 'Dave' });
    const metadata = JSON.stringify({ action: 'reply', messageId: 'ws-1', value: 'thumbs-up' });
    const chunk = (n: number): string => `part ${String(n)} ${'x'.repeat(4000)}`;
    const cases: readonly (readonly [string, string, string])[] = [
      ['loc-1', 'application/sylk-location-sharing', location],
      ['contact-1', 'application/sylk-contact-update', contact],
      ['meta-1', 'application/sylk-message-metadata', metadata],
      ['long', 'text/plain', chunk(0)],
      ['long-1', 'text/plain', chunk(1)],
      ['long-2', 'text/plain', chunk(2)],
    ];
    for (const [id, type, content] of cases) {
      const sent = await alicePhone.request(accountMessage(id, content, type));
      assert.equal(sent.sylkrtc, 'ack', `${id}: ${JSON.stringify(sent)}`);
    }
    for (const [id, type, content] of cases) {
      const message = await bobWeb.received(
        `${id} at bob`,
        (f) => f.event === 'message' && f.message_id === id,
      );
      assert.equal(message.content_type, type, id);
      assert.equal(message.content, content, id);
      const replica = await aliceLaptop.received(
        `${id} at alice’s laptop`,
        (f) => f.event === 'sync' && (f.content as Json | undefined)?.message_id === id,
      );
      assert.equal((replica.content as Json).content_type, type, id);
      assert.equal((replica.content as Json).content, content, id);
      const atSip = await sipMessage(bobSip, `${id} at bob’s SIP device`, `imdn.Message-ID: ${id}\r\n`);
      assert.match(bodyOf(atSip), new RegExp(`Content-Type: ${type.replace('/', '\\/')}`), id);
    }
    const bobJournal = (await bobWeb.sync(BOB)).messages as Json[];
    const aliceJournal = (await aliceLaptop.sync(ALICE)).messages as Json[];
    for (const [id, type, content] of cases) {
      const incoming = bobJournal.find((m) => m.message_id === id);
      assert.deepEqual(
        [incoming?.content_type, incoming?.content, incoming?.direction, incoming?.contact],
        [type, content, 'incoming', ALICE],
        id,
      );
      const outgoing = aliceJournal.find((m) => m.message_id === id);
      assert.deepEqual([outgoing?.content, outgoing?.direction], [content, 'outgoing'], id);
    }
    // The chunks in the order sent.
    const ids = bobJournal.map((m) => m.message_id).filter((id) => String(id).startsWith('long'));
    assert.deepEqual(ids, ['long', 'long-1', 'long-2']);
  });

  test('every device of an account reads the same journal and unread count', async () => {
    const second = await device(BOB);
    const first = (await bobWeb.sync(BOB)).messages;
    assert.deepEqual((await second.sync(BOB)).messages, first);
    assert.deepEqual((await alicePhone.sync(ALICE)).messages, (await aliceLaptop.sync(ALICE)).messages);
    // The unread count every device's push badge and history read (sylk spec §3.7): what bob's journal says.
    const store = await openStore(missive.storeUri);
    let unread: number;
    try {
      unread = (await store.journal.unread(BOB)).total;
    } finally {
      await store.close();
    }
    const counted = (first as Json[]).filter(
      (m) =>
        m.direction === 'incoming' &&
        ['text/plain', 'text/html', 'application/sylk-file-transfer'].includes(String(m.content_type)) &&
        Array.isArray(m.disposition) &&
        (m.disposition as unknown[]).includes('display'),
    ).length;
    assert.equal(unread, counted);
    assert.ok(unread > 0);
    // Read on one device: the count is 0, and the other device sees the same read journal.
    assert.equal(
      (await bobWeb.request({ sylkrtc: 'account-mark-conversation-read', account: BOB, contact: ALICE }))
        .sylkrtc,
      'ack',
    );
    await second.received(
      'the read at the other device',
      (f) => f.event === 'sync' && f.type === 'conversation' && f.action === 'read',
    );
    const read = await openStore(missive.storeUri);
    try {
      assert.equal((await read.journal.unread(BOB)).total, 0);
    } finally {
      await read.close();
    }
    assert.deepEqual((await second.sync(BOB)).messages, (await bobWeb.sync(BOB)).messages);
  });

  test('the SIP device reads the same journal over the history API as the WebSocket devices by sync', async () => {
    // sylk spec §2.4.1: the token comes back in a MESSAGE to the asking device.
    const asked = aliceSip.received.length;
    const answer = await aliceSip.message({
      to: 'alice',
      contentType: 'application/sylk-api-token',
      body: 'token',
    });
    assert.ok(answer.status >= 200 && answer.status < 300, String(answer.status));
    const reply = await waitFor(
      () =>
        aliceSip.received
          .slice(asked)
          .find((r) => (r.headers.get('Content-Type') ?? '').startsWith('application/sylk-api-token')),
      'the token at alice’s SIP device',
      { timeoutMs: 15_000 },
    );
    const { token } = JSON.parse(bodyOf(reply)) as { token: string };
    const history = await fetch(
      `http://${LOOPBACK}:${String(missive.ports.ws)}/webrtcgateway/messages/history/${ALICE}`,
      { headers: { Authorization: `Apikey ${token}` } },
    );
    assert.equal(history.status, 200);
    const { messages } = (await history.json()) as { messages: Json[] };
    assert.ok(messages.length > 0);
    assert.deepEqual(messages, (await alicePhone.sync(ALICE)).messages);
  });
});
