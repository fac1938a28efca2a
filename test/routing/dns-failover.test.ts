/**
 * RFC 3263 over real sockets: dnsmasq serves NAPTR, SRV and A records for test domains; missive's proxy
 * forwards a MESSAGE for `sip:user@<domain>` to what DNS names, in SRV priority order, and fails over to
 * the next target when one refuses the connection, answers 503 or stays silent, all within one
 * transaction's time (64*T1, T1 = 50 ms here). The same for a request of missive's own sent through an
 * outbound proxy named by host name (sendThroughServer). The proxy's timers run on a ManualClock: a timeout
 * happens when the test moves the clock to it, not when a loaded machine gets round to it.
 */
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { after, before, describe, test } from 'node:test';
import { sendThroughServer } from '../../src/routing/outbound-proxy.js';
import { SipLocator } from '../../src/sip/dns/locator.js';
import { getVias } from '../../src/sip/headers/via.js';
import { getNameAddrs } from '../../src/sip/headers/name-addr.js';
import { createResponse } from '../../src/sip/message/create-response.js';
import { type SipMessage, SipRequest, type SipResponse } from '../../src/sip/message/message.js';
import type { ClientFailure } from '../../src/sip/transaction/types.js';
import { SipUri } from '../../src/sip/uri.js';
import { Dnsmasq } from '../interop/harness/dnsmasq.js';
import { freePort, LOOPBACK } from '../support/ports.js';
import { missingPeers } from '../interop/harness/tools.js';
import { ManualClock } from '../support/manual-clock.js';
import { Agent } from '../support/sip-agent.js';
import { EVENT_WAIT_MS, waitFor } from '../support/wait.js';
import { DOMAIN, type Fixture, startFixture } from './fixture.js';

const T1 = 50;

const isRequest =
  (method: string) =>
  (message: SipMessage): boolean =>
    message.kind === 'request' && message.method === method;
const BUDGET_MS = 64 * T1;

/** A UDP socket that takes datagrams and never answers: a server that is up but silent. */
async function silentServer(): Promise<{ socket: Socket; port: number; received: () => number }> {
  const socket = createSocket('udp4');
  let count = 0;
  socket.on('message', () => count++);
  await new Promise<void>((resolve) => socket.bind(0, LOOPBACK, resolve));
  return { socket, port: socket.address().port, received: () => count };
}

async function peer(transport: 'udp' | 'tcp'): Promise<Agent> {
  return new Agent('user', 'peer.test', 'unused', { transport, host: LOOPBACK, port: 9 }).start();
}

const srv = (name: string, target: string, port: number, priority: number) => ({
  name,
  target,
  port,
  priority,
  weight: 10,
});

describe('RFC 3263: the proxy locates other domains by DNS and fails over', {
  skip: missingPeers(['dnsmasq']) ?? false,
}, () => {
  let dns: Dnsmasq;
  let fixture: Fixture;
  let sender: Agent;
  const agents: Agent[] = [];
  let primary: Agent, secondary: Agent, tcpLive: Agent, busy: Agent, afterBusy: Agent, afterSilence: Agent;
  let silent: Awaited<ReturnType<typeof silentServer>>;
  let silentToo: Awaited<ReturnType<typeof silentServer>>;
  let deadTcpPort: number;
  const clock = new ManualClock(Date.now());

  before(async () => {
    [primary, secondary, busy, afterBusy, afterSilence] = await Promise.all([
      peer('udp'),
      peer('udp'),
      peer('udp'),
      peer('udp'),
      peer('udp'),
    ]);
    tcpLive = await peer('tcp');
    agents.push(primary, secondary, busy, afterBusy, afterSilence, tcpLive);
    silent = await silentServer();
    silentToo = await silentServer();
    deadTcpPort = await freePort();
    dns = await Dnsmasq.start({
      naptr: [
        {
          name: 'other.test',
          order: 10,
          preference: 10,
          service: 'SIP+D2U',
          replacement: '_sip._udp.other.test',
        },
        {
          name: 'other.test',
          order: 20,
          preference: 10,
          service: 'SIP+D2T',
          replacement: '_sip._tcp.other.test',
        },
        {
          name: 'refused.test',
          order: 10,
          preference: 10,
          service: 'SIP+D2T',
          replacement: '_sip._tcp.refused.test',
        },
      ],
      srv: [
        srv('_sip._udp.other.test', 'sip2.other.test', secondary.port, 20),
        srv('_sip._udp.other.test', 'sip1.other.test', primary.port, 10),
        srv('_sip._tcp.refused.test', 'dead.refused.test', deadTcpPort, 10),
        srv('_sip._tcp.refused.test', 'live.refused.test', tcpLive.port, 20),
        srv('_sip._udp.busy.test', 'busy.busy.test', busy.port, 10),
        srv('_sip._udp.busy.test', 'ok.busy.test', afterBusy.port, 20),
        srv('_sip._udp.silent.test', 'mute.silent.test', silent.port, 10),
        srv('_sip._udp.silent.test', 'ok.silent.test', afterSilence.port, 20),
        srv('_sip._udp.dead.test', 'one.dead.test', silent.port, 10),
        srv('_sip._udp.dead.test', 'two.dead.test', silentToo.port, 20),
      ],
      hosts: Object.fromEntries(
        [
          'sip1.other.test',
          'sip2.other.test',
          'dead.refused.test',
          'live.refused.test',
          'busy.busy.test',
          'ok.busy.test',
          'mute.silent.test',
          'ok.silent.test',
          'one.dead.test',
          'two.dead.test',
        ].map((name) => [name, [LOOPBACK]]),
      ),
    });
    fixture = await startFixture({
      trustedPeers: ['127.0.0.1/32'],
      locator: new SipLocator({ resolver: dns.resolver(), families: [4] }),
      timers: { t1: T1, t2: 4 * T1, t4: 5 * T1 },
      clock,
    });
    sender = await fixture.agent('alice');
  });

  after(async () => {
    await fixture.close();
    await Promise.all(agents.map((agent) => agent.stop()));
    silent.socket.close();
    silentToo.socket.close();
    await dns.stop();
  });

  /**
   * A round trip from `peer` to the proxy's UDP socket: whatever the proxy sent `peer` before has arrived
   * (one socket each way), so that a test can say what did not.
   */
  async function nothingMore(peer: Agent): Promise<void> {
    const port = fixture.ports.get('udp');
    assert.ok(port !== undefined);
    await peer.roundTrip({ transport: 'udp', host: LOOPBACK, port }, DOMAIN);
  }

  /** Sends a MESSAGE (from a trusted address: no challenge) and returns how to wait for its final answer. */
  async function message(
    to: string,
  ): Promise<{ callId: string | undefined; final: (ms: number) => Promise<SipResponse> }> {
    const request = sender.request({ method: 'MESSAGE', uri: to, body: 'via DNS' });
    const callId = request.headers.get('Call-ID');
    await sender.send(request);
    return {
      callId,
      final: async (ms) =>
        (
          await sender.next(
            (m) => m.kind === 'response' && m.status >= 200 && m.headers.get('Call-ID') === callId,
            ms,
          )
        ).message as SipResponse,
    };
  }

  test('NAPTR → SRV → A: the MESSAGE lands on the priority-10 UDP target, not the priority-20 one', async () => {
    const sent = await message('sip:user@other.test');
    const received = await primary.incoming('MESSAGE', 3000);
    assert.equal(String(received.message.uri), 'sip:user@other.test', 'the Request-URI is left as it was');
    assert.equal(received.message.body.toString(), 'via DNS');
    assert.match(getVias(received.message.headers)?.[0]?.transport ?? '', /^UDP$/);
    await primary.answer(received, 200);
    assert.equal((await sent.final(3000)).status, 200);
    await nothingMore(secondary);
    assert.equal(secondary.has(isRequest('MESSAGE')), false, 'the backup got nothing');
  });

  test('a refused TCP connection to the first SRV target fails over to the second at once', async () => {
    const movedBefore = clock.now();
    const sent = await message('sip:user@refused.test');
    const received = await tcpLive.incoming('MESSAGE', 3000);
    assert.equal(received.source.transport, 'tcp');
    assert.equal(clock.now(), movedBefore, 'no timeout was needed: the proxy’s clock has not moved');
    await tcpLive.answer(received, 200);
    assert.equal((await sent.final(3000)).status, 200);
  });

  test('a 503 from the first target moves the request to the next, as a new transaction', async () => {
    const sent = await message('sip:user@busy.test');
    const first = await busy.incoming('MESSAGE', 3000);
    await busy.answer(first, 503);
    const second = await afterBusy.incoming('MESSAGE', 3000);
    const branchOf = (r: typeof first) => getVias(r.message.headers)?.[0]?.branch;
    assert.notEqual(branchOf(second), branchOf(first), 'a fresh Via branch for the new target');
    await afterBusy.answer(second, 202);
    assert.equal((await sent.final(3000)).status, 202, 'the 503 was not forwarded; the second answer was');
  });

  test('a silent first target times out after its share of 64*T1; the second gets the rest', async () => {
    const before = silent.received();
    const sent = await message('sip:user@silent.test');
    await waitFor(() => silent.received() > before, 'the first target to get the MESSAGE', {
      timeoutMs: EVENT_WAIT_MS,
    });
    // Its share is half the budget (two targets): just short of it, nothing has gone to the second.
    clock.advance(BUDGET_MS / 2 - 1);
    await nothingMore(afterSilence);
    assert.equal(
      afterSilence.has(isRequest('MESSAGE')),
      false,
      'the second target waits for the first’s share',
    );
    clock.advance(1);
    const received = await afterSilence.incoming('MESSAGE', EVENT_WAIT_MS);
    assert.ok(silent.received() - before >= 2, 'the first target was tried (and retransmitted to)');
    await afterSilence.answer(received, 200);
    assert.equal((await sent.final(3000)).status, 200);
  });

  test('when every target is silent, the answer is 408 once the one budget is spent (not one per target)', async () => {
    const [firstBefore, secondBefore] = [silent.received(), silentToo.received()];
    const sent = await message('sip:user@dead.test');
    await waitFor(() => silent.received() > firstBefore, 'the first target to get the MESSAGE', {
      timeoutMs: EVENT_WAIT_MS,
    });
    clock.advance(BUDGET_MS / 2);
    await waitFor(() => silentToo.received() > secondBefore, 'the second target to get the MESSAGE', {
      timeoutMs: EVENT_WAIT_MS,
    });
    clock.advance(BUDGET_MS / 2 - 1);
    await nothingMore(sender);
    assert.equal(
      sender.has((m) => m.kind === 'response' && m.status >= 200 && m.headers.get('Call-ID') === sent.callId),
      false,
      'no answer before the budget is spent',
    );
    clock.advance(1);
    const final = await sent.final(EVENT_WAIT_MS);
    assert.equal(final.status, 408);
  });

  test('an INVITE fails over past a 503 (ACKed there); a CANCEL then reaches the target that rings', async () => {
    const invite = sender.request({ method: 'INVITE', uri: 'sip:user@busy.test' });
    const callId = invite.headers.get('Call-ID');
    await sender.send(invite);
    const first = await busy.incoming('INVITE', 3000);
    await busy.answer(first, 503);
    const ack = await busy.incoming('ACK', 3000);
    assert.equal(getVias(ack.message.headers)?.[0]?.branch, getVias(first.message.headers)?.[0]?.branch);
    const second = await afterBusy.incoming('INVITE', 3000);
    assert.equal(
      getNameAddrs(second.message.headers, 'Record-Route')?.length,
      1,
      'missive stays on the path',
    );
    await afterBusy.answer(second, 180);
    await sender.next(
      (m) => m.kind === 'response' && m.status === 180 && m.headers.get('Call-ID') === callId,
    );
    const cancel = new SipRequest({ method: 'CANCEL', uri: invite.uri, headers: invite.headers.clone() });
    cancel.headers.set('CSeq', (invite.headers.get('CSeq') ?? '').replace('INVITE', 'CANCEL'));
    assert.equal((await sender.transact(cancel)).status, 200);
    const cancelled = await afterBusy.incoming('CANCEL', 3000);
    assert.equal(
      getVias(cancelled.message.headers)?.[0]?.branch,
      getVias(second.message.headers)?.[0]?.branch,
    );
    await afterBusy.answer(cancelled, 200);
    await afterBusy.answer(second, 487);
    const final = await sender.next(
      (m) => m.kind === 'response' && m.status >= 200 && m.headers.get('CSeq')?.endsWith('INVITE') === true,
    );
    assert.equal((final.message as SipResponse).status, 487);
    await nothingMore(busy);
    assert.equal(busy.has(isRequest('CANCEL')), false, 'the target that answered 503 is left alone');
  });

  test('in a dialog whose remote target is a host name, the ACK of the 2xx and the BYE are located too', async () => {
    const invite = sender.request({ method: 'INVITE', uri: 'sip:user@other.test' });
    const callId = invite.headers.get('Call-ID') ?? '';
    await sender.send(invite);
    const atPrimary = await primary.incoming('INVITE', 3000);
    const ok = createResponse(atPrimary.message, 200, undefined, { toTag: 'callee' });
    // A Contact that only DNS (NAPTR → SRV) turns into the callee's address and port.
    ok.headers.add('Contact', '<sip:user@other.test>');
    for (const rr of atPrimary.message.headers.getAll('Record-Route')) ok.headers.add('Record-Route', rr);
    await primary.transports.sendResponse(ok, atPrimary.source);
    const answer = (
      await sender.next(
        (m) => m.kind === 'response' && m.status === 200 && m.headers.get('Call-ID') === callId,
      )
    ).message as SipResponse;
    const routes = (getNameAddrs(answer.headers, 'Record-Route') ?? [])
      .reverse()
      .map((r) => `<${String(r.uri)}>`);
    const inDialog = (method: string, cseq: number): SipRequest => {
      const request = sender.request({
        method,
        uri: 'sip:user@other.test',
        to: answer.headers.get('To') ?? '',
        callId,
        cseq,
        fromTag: /tag=([^;]+)/.exec(answer.headers.get('From') ?? '')?.[1],
      });
      for (const route of routes) request.headers.add('Route', route);
      return request;
    };
    await sender.send(inDialog('ACK', 1));
    const ack = await primary.incoming('ACK', 3000);
    assert.equal(ack.message.headers.get('Call-ID'), callId);
    const bye = sender.transact(inDialog('BYE', 2));
    const byeAtPrimary = await primary.incoming('BYE', 3000);
    await primary.answer(byeAtPrimary, 200);
    assert.equal((await bye).status, 200);
    await nothingMore(secondary);
    assert.equal(secondary.has(isRequest('ACK')), false, 'nothing went to the backup');
  });

  test('a domain DNS knows nothing about gets 480', async () => {
    const sent = await message('sip:user@nowhere.test');
    const final = await sent.final(5000);
    assert.equal(final.status, 480);
    assert.equal(final.reason, 'Unresolvable Destination');
  });

  test('sendThroughServer: a request of missive’s own reaches an outbound proxy named by host name, with failover', async () => {
    const request = sender.request({
      method: 'MESSAGE',
      uri: 'sip:bob@elsewhere.test',
      body: 'from the app',
    });
    request.headers.deleteFirst('Via');
    const outcome = new Promise<number | ClientFailure>((resolve) => {
      void sendThroughServer(fixture.service.outbound, SipUri.parse('sip:refused.test') as SipUri, request, {
        onResponse: (response) => {
          if (response.status >= 200) resolve(response.status);
        },
        onFailure: resolve,
      });
    });
    const received = await tcpLive.incoming('MESSAGE', 3000);
    assert.equal(String(received.message.uri), 'sip:bob@elsewhere.test');
    assert.equal(getVias(received.message.headers)?.length, 1, 'one Via: missive’s own');
    assert.equal(getVias(received.message.headers)?.[0]?.transport, 'TCP');
    await tcpLive.answer(received, 200);
    assert.equal(await outcome, 200);
  });
});
