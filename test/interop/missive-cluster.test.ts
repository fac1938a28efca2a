/**
 * Two `missive serve` instances on one PostgreSQL database, then on one Cassandra keyspace (issue 16,
 * docs/scaling.md): instance A listens
 * on 127.0.0.2 and B on 127.0.0.3, each names the other in trusted_peer, and the devices are on 127.0.0.1.
 * A SIP device registered on A receives, live, a MESSAGE that arrives through B (B routes it through A,
 * which holds the device's flow); an account's sync events reach its WebSocket devices on the other
 * instance; and when A is killed (-9), B removes A's registrations after the bound, the devices register on
 * B and find, by sync, the message sent while A was gone.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { SipRequest } from '../../src/sip/message/message.js';
import { openStore } from '../../src/store/index.js';
import {
  type FreshDatabase,
  freshDatabase,
  freshKeyspace,
  instanceOptions,
} from '../support/cluster-instances.js';
import { MissiveProcess, type MissiveOptions } from '../support/missive-process.js';
import { Agent } from '../support/sip-agent.js';
import { eventually, waitFor } from '../support/wait.js';
import { type Json, WebSocketClient } from '../support/websocket-client.js';
import { Cleanup } from './harness/cleanup.js';

const DOMAIN = 'example.test';
const PASSWORD = 'secret';
const ALICE = `alice@${DOMAIN}`;
const BOB = `bob@${DOMAIN}`;
const HOST_A = '127.0.0.2';
const HOST_B = '127.0.0.3';
/** Seconds: short, so that the test sees a death; the bound is still many heartbeats on a loaded machine. */
const HEARTBEAT = 1;
const DEAD_AFTER = 15;

const bodyOf = (request: SipRequest): string => request.body.toString('utf8');

function cpim(from: string, to: string, messageId: string, content: string): string {
  return [
    `From: <sip:${from}>`,
    `To: <sip:${to}>`,
    'DateTime: 2026-12-07T10:00:00.000Z',
    'NS: imdn <urn:ietf:params:imdn>',
    `imdn.Message-ID: ${messageId}`,
    'imdn.Disposition-Notification: positive-delivery, display',
    '',
    'Content-Type: text/plain',
    '',
    content,
  ].join('\r\n');
}

/** A MESSAGE from bob's device to alice, in CPIM with an IMDN Message-ID. */
const bobToAlice = (bobDevice: Agent, messageId: string, content: string) =>
  bobDevice.message({ to: 'alice', contentType: 'message/cpim', body: cpim(BOB, ALICE, messageId, content) });

function instance(id: string, host: string, storeUri: string): MissiveOptions {
  return instanceOptions({
    id,
    host,
    storeUri,
    domain: DOMAIN,
    trustedPeers: [`${HOST_A}/32`, `${HOST_B}/32`],
    heartbeat: HEARTBEAT,
    deadAfter: DEAD_AFTER,
  });
}

for (const [where, fresh] of [
  ['one PostgreSQL database', freshDatabase],
  ['one Cassandra keyspace', freshKeyspace],
] as const)
  describe(`two missive serve instances on ${where}`, { timeout: 300_000 }, () => {
    const peers = new Cleanup();
    let database: FreshDatabase;
    let a: MissiveProcess;
    let b: MissiveProcess;

    const sipDevice = async (user: string, server: MissiveProcess, host: string): Promise<Agent> => {
      const device = peers.add(await Agent.device(user, PASSWORD, { host, port: server.ports.sip }, DOMAIN));
      assert.equal((await device.register()).status, 200);
      return device;
    };
    const webDevice = async (
      account: string,
      server: MissiveProcess,
      host: string,
    ): Promise<WebSocketClient> => {
      const client = peers.add(
        await WebSocketClient.ready(`ws://${host}:${String(server.ports.ws)}/webrtcgateway/ws`),
      );
      await client.register(account, PASSWORD);
      return client;
    };
    const sipMessage = (device: Agent, what: string, text: string): Promise<SipRequest> =>
      waitFor(() => device.received.find((r) => bodyOf(r).includes(text)), what, { timeoutMs: 20_000 });

    before(async () => {
      database = await fresh();
      const store = await openStore(database.uri);
      for (const user of ['alice', 'bob']) await store.subscribers.add(user, DOMAIN, PASSWORD);
      await store.close();
      a = await MissiveProcess.start(instance('a', HOST_A, database.uri));
      b = peers.add(await MissiveProcess.start(instance('b', HOST_B, database.uri)));
      // Each knows the other once it has read the instances table after the other's first beat.
      assert.match(b.output, /"peers":\["a"\]/);
    });
    after(async () => {
      await peers.run();
      await a.stop();
      await database.drop();
    });

    test('a device registered on A receives, live, a MESSAGE that arrives through B', async () => {
      const aliceOnA = await sipDevice('alice', a, HOST_A);
      const bobOnB = await sipDevice('bob', b, HOST_B);
      // B read A's address at its start (A was beating already).
      const answer = await bobToAlice(bobOnB, 'live-1', 'hello across instances');
      assert.equal(answer.status, 200);
      const received = await sipMessage(
        aliceOnA,
        'the MESSAGE at alice’s device on A',
        'hello across instances',
      );
      // It came from A, the instance alice registered through, over her flow: A's Via is the top one.
      assert.match(
        received.headers.get('Via') ?? '',
        new RegExp(`^SIP/2\\.0/UDP ${HOST_A.replaceAll('.', '\\.')}:`),
      );
    });

    test('an account’s sync events reach its WebSocket devices on the other instance', async () => {
      const aliceWebOnA = await webDevice(ALICE, a, HOST_A);
      const aliceWebOnB = await webDevice(ALICE, b, HOST_B);
      const bobWebOnA = await webDevice(BOB, a, HOST_A);

      // Sent from alice's device on B: the replica reaches her device on A, the message bob's device on A.
      const sent = await aliceWebOnB.request({
        sylkrtc: 'account-message',
        account: ALICE,
        uri: BOB,
        message_id: 'ws-across-1',
        content: 'from alice on B',
        content_type: 'text/plain',
        timestamp: '2026-12-07T10:05:00.000Z',
      });
      assert.equal(sent.sylkrtc, 'ack', JSON.stringify(sent));
      const replica = await aliceWebOnA.received(
        'the replica at alice’s device on A',
        (f) => f.event === 'sync' && (f.content as Json | undefined)?.message_id === 'ws-across-1',
        20_000,
      );
      assert.equal(replica.type, 'message');
      assert.equal(replica.action, 'add');
      assert.equal((replica.content as Json).content, 'from alice on B');
      const atBob = await bobWebOnA.received(
        'the message at bob’s device on A',
        (f) => f.event === 'message' && f.message_id === 'ws-across-1',
        20_000,
      );
      assert.equal(atBob.content, 'from alice on B');

      // Read on B: alice's device on A is told.
      const read = await aliceWebOnB.request({
        sylkrtc: 'account-mark-conversation-read',
        account: ALICE,
        contact: BOB,
      });
      assert.equal(read.sylkrtc, 'ack', JSON.stringify(read));
      const readEvent = await aliceWebOnA.received(
        'the read event at alice’s device on A',
        (f) => f.event === 'sync' && f.type === 'conversation' && f.action === 'read',
        20_000,
      );
      assert.deepEqual(readEvent.content, { contact: BOB });

      // Removed on A: alice's device on B is told.
      const removed = await aliceWebOnA.request({
        sylkrtc: 'account-remove-message',
        account: ALICE,
        contact: BOB,
        message_id: 'ws-across-1',
      });
      assert.equal(removed.sylkrtc, 'ack', JSON.stringify(removed));
      const removeEvent = await aliceWebOnB.received(
        'the remove event at alice’s device on B',
        (f) => f.event === 'sync' && f.type === 'message' && f.action === 'remove',
        20_000,
      );
      assert.equal((removeEvent.content as Json).message_id, 'ws-across-1');
    });

    test('kill -9 of A: B removes its registrations after the bound; the devices register on B and lose no message', async () => {
      const store = await openStore(database.uri);
      peers.add({ stop: () => store.close() });
      await sipDevice('alice', a, HOST_A);
      const bobOnB = await sipDevice('bob', b, HOST_B);
      assert.ok((await store.locations.lookup(ALICE, Date.now())).some((binding) => binding.holder === 'a'));

      await a.kill();
      // B notices A's silence and removes what A held (bounded: many heartbeats).
      await eventually(
        async () =>
          (await store.locations.lookup(ALICE, Date.now())).every((binding) => binding.holder !== 'a'),
        'A’s registrations removed by B',
        { timeoutMs: 60_000, intervalMs: 200 },
      );
      // B logs the removal once its delete has been written, so the line may follow what the store shows.
      await eventually(
        () => /instances stopped beating: their registrations removed/.test(b.output),
        'B to log that A stopped beating',
      );

      // While alice has no device anywhere, bob's message is stored for her.
      const answer = await bobToAlice(bobOnB, 'while-a-was-gone', 'sent while A was down');
      assert.ok(answer.status >= 200 && answer.status < 300, String(answer.status));

      // alice's devices come back through B: the SIP one receives the next message live, the WebSocket one
      // finds the earlier one by sync.
      const aliceOnB = await sipDevice('alice', b, HOST_B);
      const next = await bobToAlice(bobOnB, 'after-failover', 'after the failover');
      assert.equal(next.status, 200);
      await sipMessage(aliceOnB, 'the next MESSAGE at alice’s device, now on B', 'after the failover');
      const aliceWeb = await webDevice(ALICE, b, HOST_B);
      const synced = await aliceWeb.sync(ALICE);
      assert.ok(JSON.stringify(synced).includes('while-a-was-gone'), JSON.stringify(synced).slice(0, 2000));
    });
  });
