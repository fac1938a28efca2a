/**
 * `missive serve --metrics-port`: a real server, real traffic (a REGISTER and a MESSAGE over UDP between
 * two SIP agents, its 200 retransmitted, a MESSAGE refused, a wrong SIP password, a wrong sylkRTC password, an HTTP request, a SIP WebSocket and a
 * sylkRTC connection), and /metrics scraped before and after, parsed by a strict text-format parser; the
 * series must have moved by exactly what the traffic causes. /ready: 503 until every listener is up.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, test } from 'node:test';
import { WebSocket } from 'ws';
import { Agent } from '../support/sip-agent.js';
import { MissiveProcess } from '../support/missive-process.js';
import { freePorts } from '../support/ports.js';
import { type Exposition, parsePrometheusText, sampleValue } from '../support/prometheus-text.js';
import { eventually, sleep, waitFor } from '../support/wait.js';
import { ha1, WebSocketClient } from '../support/websocket-client.js';

const DOMAIN = 'example.test';
let missive: MissiveProcess;
let metricsPort: number;
/** Every /ready status seen on the metrics address from before the start until the first 200. */
const readySeen: number[] = [];

async function scrape(): Promise<Extract<Exposition, { ok: true }>> {
  const response = await fetch(`http://127.0.0.1:${String(metricsPort)}/metrics`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const parsed = parsePrometheusText(await response.text());
  assert.ok(parsed.ok, parsed.ok ? '' : `line ${String(parsed.line)}: ${parsed.error}`);
  return parsed;
}

function delta(
  before: Exposition,
  after: Exposition,
  name: string,
  labels: Record<string, string> = {},
): number {
  return (sampleValue(after, name, labels) ?? 0) - (sampleValue(before, name, labels) ?? 0);
}

/** Polls /ready (connection refused until the endpoint listens) and records each status until a 200. */
async function watchReady(port: number, started: Promise<unknown>): Promise<void> {
  const start = { done: false };
  void started.finally(() => {
    start.done = true;
  });
  for (;;) {
    const status = await fetch(`http://127.0.0.1:${String(port)}/ready`).then(
      (r) => r.status,
      () => undefined,
    );
    if (status !== undefined) readySeen.push(status);
    if (status === 200) return;
    // Started, and still no 200 after many tries: the assertion below says what was seen.
    if (start.done && readySeen.length > 200) return;
    if (start.done && status === undefined) return;
    await sleep(5);
  }
}

before(async () => {
  [metricsPort] = (await freePorts(1)) as [number];
  const starting = MissiveProcess.start({
    domain: DOMAIN,
    users: [
      ['alice', 'alice-pw'],
      ['bob', 'bob-pw'],
    ],
    args: ['--metrics-port', String(metricsPort)],
    // A loaded CI machine (load average 50 on 2 cores) has taken more than the default 30 s to start it.
  });
  const watching = watchReady(metricsPort, starting);
  missive = await starting;
  await watching;
});

after(async () => {
  await missive.stop();
});

test('/ready answers 503 until every listener is up, then 200 (metrics address and web port)', async () => {
  assert.equal(readySeen.at(-1), 200, JSON.stringify(readySeen));
  // The metrics endpoint listens first of all, before the certificate and the store: a wide window.
  assert.equal(readySeen[0], 503, JSON.stringify(readySeen));
  assert.ok(
    readySeen.slice(0, -1).every((status) => status === 503),
    `before the first 200 only 503: ${JSON.stringify(readySeen)}`,
  );
  // The listeners log before /ready turns 200, so by then the process had started them all.
  const web = await fetch(`http://127.0.0.1:${String(missive.ports.ws)}/ready`);
  assert.equal(web.status, 200);
  assert.deepEqual(await web.json(), { status: 'ready' });
});

test('traffic moves the SIP, login, message, HTTP, WebSocket and storage series by what it caused', async () => {
  const server = { transport: 'udp', host: '127.0.0.1', port: missive.ports.sip } as const;
  const alice = await new Agent('alice', DOMAIN, 'alice-pw', server).start();
  const bob = await new Agent('bob', DOMAIN, 'bob-pw', server).start();
  const mallory = await new Agent('alice', DOMAIN, 'wrong', server).start();
  const sipSocket = new WebSocket(`ws://127.0.0.1:${String(missive.ports.ws)}/`, ['sip']);
  const sipOpen = once(sipSocket, 'open');
  let sylkRtc: WebSocketClient | undefined;
  try {
    const first = await scrape();
    // REGISTER: 401 then 200 each, for alice and bob.
    assert.equal((await alice.register()).status, 200);
    assert.equal((await bob.register()).status, 200);
    // A wrong password: 401, then 403 (or 401 again) for the retry.
    assert.ok((await mallory.register()).status >= 400);
    // MESSAGE alice → bob: 407, then the authenticated one forked to bob, who answers 200.
    const sent = alice.authenticated({
      method: 'MESSAGE',
      uri: `sip:bob@${DOMAIN}`,
      body: 'hello from the metrics test',
    });
    const arrived = await bob.incoming('MESSAGE', 10_000);
    await bob.answer(arrived, 200);
    assert.equal((await sent).status, 200);
    // bob's 200 again, as a UDP UAS retransmits it: received twice, one delivery. The second 2xx counted as
    // received is the sign that missive has read the retransmission (and would have counted it as delivered).
    await bob.answer(arrived, 200);
    await eventually(
      async () =>
        delta(first, await scrape(), 'missive_sip_responses_received_total', {
          method: 'MESSAGE',
          class: '2xx',
        }) === 2,
      'missive to count the retransmitted 200 as received',
      { timeoutMs: 20_000 },
    );
    // A MESSAGE with an empty body: 407, then refused with 400 before it reaches any device.
    const empty = await alice.authenticated({ method: 'MESSAGE', uri: `sip:bob@${DOMAIN}`, body: '' });
    assert.deepEqual([empty.status, empty.reason], [400, 'Empty Body']);
    // HTTP: one GET /health.
    assert.equal((await fetch(`http://127.0.0.1:${String(missive.ports.ws)}/health`)).status, 200);
    // A SIP WebSocket, open; a sylkRTC connection with a wrong password for bob.
    await sipOpen;
    sylkRtc = await WebSocketClient.ready(`ws://127.0.0.1:${String(missive.ports.ws)}/webrtcgateway/ws`);
    const bobAccount = `bob@${DOMAIN}`;
    await sylkRtc.call({ sylkrtc: 'account-add', account: bobAccount, password: ha1(bobAccount, 'wrong') });
    await sylkRtc.call({ sylkrtc: 'account-register', account: bobAccount });
    const outcome = await waitFor(async () => {
      const frame = await sylkRtc?.next();
      return frame?.state === 'failed' ? frame : undefined;
    }, 'the sylkRTC registration to fail');
    assert.equal(outcome.state, 'failed');

    const second = await scrape();
    const d = (name: string, labels?: Record<string, string>): number => delta(first, second, name, labels);
    // alice 2, bob 2, mallory 2.
    assert.equal(d('missive_sip_requests_received_total', { method: 'REGISTER' }), 6);
    assert.equal(d('missive_sip_responses_sent_total', { method: 'REGISTER', class: '2xx' }), 2);
    assert.equal(d('missive_sip_responses_sent_total', { method: 'REGISTER', class: '4xx' }), 4);
    assert.equal(d('missive_sip_requests_received_total', { method: 'MESSAGE' }), 4);
    assert.equal(d('missive_sip_responses_sent_total', { method: 'MESSAGE', class: '4xx' }), 3);
    assert.equal(d('missive_sip_responses_sent_total', { method: 'MESSAGE', class: '2xx' }), 1);
    assert.equal(d('missive_sip_responses_received_total', { method: 'MESSAGE', class: '2xx' }), 2);
    assert.equal(d('missive_messages_delivered_total', { via: 'sip' }), 1);
    assert.equal(d('missive_messages_total', { outcome: 'stored' }), 1);
    assert.equal(d('missive_messages_total', { outcome: 'refused' }), 1);
    assert.equal(d('missive_messages_refused_total', { reason: 'Empty Body' }), 1);
    assert.equal(d('missive_login_failures_total', { protocol: 'sip' }), 1);
    assert.equal(d('missive_login_failures_total', { protocol: 'sylkrtc' }), 1);
    assert.equal(d('missive_login_failures_total', { protocol: 'msrp' }), 0);
    assert.equal(d('missive_http_requests_total', { route: '/health', status: '200' }), 1);
    assert.equal(sampleValue(second, 'missive_sip_connections', { transport: 'ws' }), 1);
    assert.equal(sampleValue(second, 'missive_sylkrtc_connections'), 1);
    assert.equal(sampleValue(second, 'missive_registrations'), 2);
    // One journal write for the MESSAGE: the sender's and the recipient's entries in one batch.
    assert.equal(d('missive_storage_seconds_count', { operation: 'appendBatch' }), 1);
    // The relay's series keep their names; process metrics are there.
    assert.equal(sampleValue(second, 'msrp_relay_connections_accepted_total'), 0);
    assert.ok((sampleValue(second, 'process_cpu_user_seconds_total') ?? 0) > 0);
    assert.equal(second.families.get('missive_storage_seconds')?.type, 'histogram');

    // The WebSocket gone, the gauges follow.
    sipSocket.close();
    sylkRtc.socket.close();
    await eventually(async () => {
      const third = await scrape();
      return (
        sampleValue(third, 'missive_sip_connections', { transport: 'ws' }) === 0 &&
        sampleValue(third, 'missive_sylkrtc_connections') === 0
      );
    }, 'the WebSocket gauges to return to 0');
  } finally {
    sipSocket.terminate();
    sylkRtc?.socket.terminate();
    await Promise.all([alice.stop(), bob.stop(), mallory.stop()]);
  }
});
