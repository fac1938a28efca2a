/**
 * RFC 5626 §5.3 over real sockets: a MESSAGE for a device registered with outbound (reg-id, +sip.instance)
 * goes over its flow; once that connection is gone so is the binding (480, no device), and no new connection
 * is tried; a flow that cannot be used answers 430 (Flow Failed). A device registered without outbound keeps
 * the 480 it had. A stored connection id
 * that another instance (or an earlier run) gave out, and that here names another device's live connection,
 * does not carry the request to that device. The flows of one device are tried one after the other (RFC 5626 §7).
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import type { Agent } from '../support/sip-agent.js';
import { digestAuthorization } from '../sip/auth/digest-client.js';
import { DOMAIN, type Fixture, PASSWORD, startFixture } from './fixture.js';
import { eventually, waitFor } from '../support/wait.js';

const INSTANCE = '"<urn:uuid:00000000-0000-4000-8000-000000000001>"';

describe('outbound flows (RFC 5626)', () => {
  let fixture: Fixture;
  before(async () => {
    fixture = await startFixture();
    // One user per test: a dead binding left by one test must not be a branch of the next.
    await fixture.store.subscribers.add('dave', DOMAIN, PASSWORD);
    for (const user of ['erin', 'frank', 'grace', 'heidi', 'ivan'])
      await fixture.store.subscribers.add(user, DOMAIN, PASSWORD);
  });
  after(async () => {
    await fixture.close();
  });

  /** Until the server has seen its connections drop to `count`. */
  async function connectionsDownTo(count: number): Promise<void> {
    await eventually(
      () => fixture.service.transports.connections.size <= count,
      () => `${String(count)} connections (${String(fixture.service.transports.connections.size)} open)`,
    );
    assert.equal(fixture.service.transports.connections.size, count);
  }

  /** Until `user`'s bindings have gone from the store with the connection that carried them. */
  async function bindingsGone(user: string): Promise<void> {
    const aor = `${user}@${DOMAIN}`;
    await eventually(
      async () => (await fixture.store.locations.lookup(aor, Date.now())).length === 0,
      `${aor}'s bindings to go`,
    );
  }

  async function send(alice: Agent, to: string): Promise<number> {
    return (await alice.authenticated({ method: 'MESSAGE', uri: `sip:${to}@${DOMAIN}`, body: 'x' })).status;
  }

  test('a TCP flow: delivered while open, gone with its connection (480), no connection tried', async () => {
    const alice = await fixture.agent('alice');
    const bob = await fixture.agent('bob', 'tcp');
    const before = fixture.service.transports.connections.size;
    const registered = await bob.authenticated({
      method: 'REGISTER',
      uri: `sip:${DOMAIN}`,
      to: `<${bob.aor}>`,
      contact: `<sip:bob@127.0.0.1:${String(bob.port)};transport=tcp;ob>;reg-id=1;+sip.instance=${INSTANCE}`,
      extra: [
        ['Supported', 'outbound'],
        ['Expires', '300'],
      ],
    });
    assert.equal(registered.status, 200);
    assert.match(registered.headers.get('Supported') ?? '', /outbound/);

    const sending = send(alice, 'bob');
    await bob.answer(await bob.incoming('MESSAGE'), 200);
    assert.equal(await sending, 200);

    await bob.stop();
    await connectionsDownTo(before);
    await bindingsGone('bob');
    assert.equal(await send(alice, 'bob'), 480);
    assert.equal(fixture.service.transports.connections.size, before, 'no connection opened toward bob');
  });

  test('a TCP registration without outbound still gets 480 when its connection is gone', async () => {
    const alice = await fixture.agent('alice');
    const carol = await fixture.agent('carol', 'tcp');
    const before = fixture.service.transports.connections.size;
    assert.equal((await carol.register()).status, 200);
    await carol.stop();
    await connectionsDownTo(before);
    assert.equal(await send(alice, 'carol'), 480);
  });

  test('a WebSocket flow: gone with its socket (480)', async () => {
    const before = fixture.service.transports.connections.size;
    const socket = new WebSocket(`ws://127.0.0.1:${String(fixture.ports.get('ws'))}`, 'sip');
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const frames: string[] = [];
    socket.on('message', (data: Buffer) => frames.push(data.toString()));
    const response = (): Promise<string> => waitFor(() => frames.shift(), 'an answer over the WebSocket');
    const register = (cseq: number, auth?: string): string =>
      [
        `REGISTER sip:${DOMAIN} SIP/2.0`,
        `Via: SIP/2.0/WS flow.invalid;branch=z9hG4bKflow${String(cseq)}`,
        'Max-Forwards: 70',
        `From: <sip:dave@${DOMAIN}>;tag=flow`,
        `To: <sip:dave@${DOMAIN}>`,
        'Call-ID: ws-flow',
        `CSeq: ${String(cseq)} REGISTER`,
        `Contact: <sip:dave@flow.invalid;transport=ws;ob>;reg-id=1;+sip.instance=${INSTANCE}`,
        'Supported: outbound',
        'Expires: 300',
        ...(auth === undefined ? [] : [`Authorization: ${auth}`]),
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
    socket.send(register(1));
    const nonce = /nonce="([^"]+)"/.exec(await response())?.[1] ?? '';
    const authorization = digestAuthorization({
      username: 'dave',
      realm: DOMAIN,
      password: PASSWORD,
      nonce,
      method: 'REGISTER',
      uri: `sip:${DOMAIN}`,
    });
    socket.send(register(2, authorization));
    assert.match(await response(), /^SIP\/2\.0 200/);
    socket.close();
    await connectionsDownTo(before);
    await bindingsGone('dave');
    const alice = await fixture.agent('alice');
    assert.equal(await send(alice, 'dave'), 480);
  });

  /** A TCP port on 127.0.0.1 that nobody listens on. */
  async function closedPort(): Promise<number> {
    const server = createServer().listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    await new Promise((resolve) => server.close(resolve));
    return port;
  }

  /**
   * A binding of `user` stored as another instance would have written it: its REGISTER came from a port
   * this server has no connection from, over a connection whose id here belongs to `victim`'s live one.
   */
  async function staleBinding(user: string, victim: Agent, outbound: boolean): Promise<void> {
    assert.equal((await victim.register()).status, 200);
    const [victimBinding] = await fixture.store.locations.lookup(`${victim.user}@${DOMAIN}`, Date.now());
    const connectionId = victimBinding?.source.connectionId;
    assert.ok(connectionId !== undefined && fixture.service.transports.connections.byId(connectionId));
    const port = await closedPort();
    const now = Date.now();
    await fixture.store.locations.upsert({
      aor: `${user}@${DOMAIN}`,
      contact: `sip:${user}@127.0.0.1:${String(port)};transport=tcp${outbound ? ';ob' : ''}`,
      ...(outbound ? { instanceId: '<urn:uuid:00000000-0000-4000-8000-000000000002>', regId: 1 } : {}),
      expiresAt: now + 300_000,
      callId: `stale-${user}`,
      cseq: 1,
      path: [],
      source: { transport: 'tcp', host: '127.0.0.1', port, connectionId },
      updatedAt: now,
    });
  }

  /**
   * Answers every MESSAGE `flow` receives with `status()`, as a device would, and counts them. Read the
   * count after the sender's final response and a round trip on the flow's own connection: the proxy waits
   * for every branch it sent before it answers, and anything it wrote to that connection arrived before the
   * answer to the round trip.
   */
  function answering(flow: Agent, status: () => number = () => 200): { readonly count: () => number } {
    return flow.answering('MESSAGE', status);
  }

  test("an outbound binding with another instance's connection id: 430, not the live connection's device", async () => {
    const alice = await fixture.agent('alice');
    const frank = await fixture.agent('frank', 'tcp');
    await staleBinding('erin', frank, true);
    const atFrank = answering(frank);
    const status = await send(alice, 'erin');
    await frank.roundTrip();
    assert.equal(atFrank.count(), 0, 'the MESSAGE for erin reached frank');
    assert.equal(status, 430);
  });

  test("a binding without outbound with another instance's connection id: its own address, not the live connection", async () => {
    const alice = await fixture.agent('alice');
    const heidi = await fixture.agent('heidi', 'tcp');
    await staleBinding('grace', heidi, false);
    const atHeidi = answering(heidi);
    const status = await send(alice, 'grace');
    await heidi.roundTrip();
    assert.equal(atHeidi.count(), 0, 'the MESSAGE for grace reached heidi');
    // Its recorded address refuses the connection: as for any registration that cannot be reached.
    assert.equal(status, 480);
  });

  test('the flows of one device are tried one after the other, the next on 430 (RFC 5626 §7)', async () => {
    const alice = await fixture.agent('alice');
    const flows = [await fixture.agent('ivan', 'tcp'), await fixture.agent('ivan', 'tcp')];
    for (const [index, flow] of flows.entries()) {
      const registered = await flow.authenticated({
        method: 'REGISTER',
        uri: `sip:${DOMAIN}`,
        to: `<${flow.aor}>`,
        contact: `<sip:ivan@127.0.0.1:${String(flow.port)};transport=tcp;ob>;reg-id=${String(index + 1)};+sip.instance=${INSTANCE}`,
        extra: [
          ['Supported', 'outbound'],
          ['Expires', '300'],
        ],
      });
      assert.equal(registered.status, 200);
      // The second flow is the more recent registration.
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    // Each flow answers as told; the flows that got a MESSAGE are read once the sender has its answer.
    let status: (flow: Agent) => number = () => 200;
    const counters = flows.map((flow) => answering(flow, () => status(flow)));
    const receivers = async (sending: Promise<number>): Promise<[number, Agent[]]> => {
      const before = counters.map((counter) => counter.count());
      const final = await sending;
      for (const flow of flows) if (flow.transports.connections.size > 0) await flow.roundTrip();
      return [final, flows.filter((_, i) => (counters[i]?.count() ?? 0) > (before[i] ?? 0))];
    };

    const [first, got] = await receivers(send(alice, 'ivan'));
    assert.equal(first, 200);
    assert.deepEqual(got, [flows[1]], 'one flow only, the most recent');

    // The flow says its far end is gone: the other flow carries the MESSAGE.
    status = (flow) => (flow === flows[1] ? 430 : 200);
    const [retried, both] = await receivers(send(alice, 'ivan'));
    assert.equal(retried, 200);
    assert.deepEqual(both, flows);

    // Its connection closed: the same, without a response.
    status = () => 200;
    const before = fixture.service.transports.connections.size;
    await flows[1]?.stop();
    await connectionsDownTo(before - 1);
    const [again, last] = await receivers(send(alice, 'ivan'));
    assert.equal(again, 200);
    assert.deepEqual(last, [flows[0]]);
  });
});
