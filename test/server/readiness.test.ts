import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { after, test } from 'node:test';
import { Registry } from 'prom-client';
import { ServerMetrics } from '../../src/server/metrics/server-metrics.js';
import { Readiness } from '../../src/server/readiness.js';
import { startMetricsServer } from '../../src/web/metrics-server.js';
import { parsePrometheusText, sampleValue } from '../support/prometheus-text.js';

const servers: Server[] = [];
after(() => {
  for (const server of servers) server.close();
});

async function endpoint(readiness: Readiness, metrics: ServerMetrics): Promise<string> {
  const { server, port } = await startMetricsServer('127.0.0.1', 0, {
    render: () => metrics.render(),
    contentType: metrics.registry.contentType,
    ready: () => readiness.ready(),
  });
  servers.push(server);
  return `http://127.0.0.1:${String(port)}`;
}

async function readyStatus(base: string): Promise<[number, unknown]> {
  const response = await fetch(`${base}/ready`);
  return [response.status, await response.json()];
}

test('/ready: 503 while starting, 200 once started while the store answers, 503 from the stop on', async () => {
  const readiness = new Readiness();
  const base = await endpoint(readiness, new ServerMetrics(new Registry()));
  assert.deepEqual(await readyStatus(base), [503, { status: 'not ready' }]);
  let storeAnswers = true;
  readiness.started(() => Promise.resolve(storeAnswers));
  assert.deepEqual(await readyStatus(base), [200, { status: 'ready' }]);
  storeAnswers = false;
  assert.deepEqual(await readyStatus(base), [503, { status: 'not ready' }]);
  storeAnswers = true;
  readiness.stopping();
  assert.deepEqual(await readyStatus(base), [503, { status: 'not ready' }]);
  // Not ready again once stopping, whatever the order of calls.
  readiness.started(() => Promise.resolve(true));
  assert.equal(readiness.state, 'stopping');
});

test('/metrics: the registry and the texts added, strict text format; other paths 404', async () => {
  const metrics = new ServerMetrics(new Registry());
  metrics.addText(() => '# TYPE extra_total counter\nextra_total 7\n');
  metrics.loginFailed('msrp');
  metrics.httpRequest('/health', 200);
  metrics.messages.refused({ status: 400, reason: 'Invalid Public Key: no user id' });
  metrics.messages.stored();
  metrics.messages.duplicate();
  metrics.messages.duplicate();
  metrics.storage('append', 0.002);
  const base = await endpoint(new Readiness(), metrics);
  const response = await fetch(`${base}/metrics`);
  assert.equal(response.status, 200);
  const parsed = parsePrometheusText(await response.text());
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
  assert.equal(sampleValue(parsed, 'extra_total'), 7);
  assert.equal(sampleValue(parsed, 'missive_login_failures_total', { protocol: 'msrp' }), 1);
  assert.equal(sampleValue(parsed, 'missive_login_failures_total', { protocol: 'sip' }), 0);
  assert.equal(sampleValue(parsed, 'missive_http_requests_total', { route: '/health', status: '200' }), 1);
  // The detail after the colon is per message: it would make a label value per key.
  assert.equal(sampleValue(parsed, 'missive_messages_refused_total', { reason: 'Invalid Public Key' }), 1);
  assert.equal(sampleValue(parsed, 'missive_messages_total', { outcome: 'stored' }), 1);
  assert.equal(sampleValue(parsed, 'missive_messages_total', { outcome: 'duplicate' }), 2);
  assert.equal(sampleValue(parsed, 'missive_messages_total', { outcome: 'refused' }), 1);
  assert.equal(
    sampleValue(parsed, 'missive_storage_seconds_bucket', { operation: 'append', le: '0.0025' }),
    1,
  );
  assert.ok((sampleValue(parsed, 'nodejs_heap_size_used_bytes') ?? 0) > 0);
  assert.equal((await fetch(`${base}/other`)).status, 404);
});

test('SIP traffic: methods outside the known set count as other; responses by method and class', async () => {
  const { SipRequest, SipResponse } = await import('../../src/sip/message/message.js');
  const { SipHeaders } = await import('../../src/sip/headers/header-list.js');
  const { parseUri } = await import('../../src/sip/uri.js');
  const metrics = new ServerMetrics(new Registry());
  const uri = parseUri('sip:a@b');
  assert.ok(uri !== undefined);
  metrics.sip.received(new SipRequest({ method: 'MESSAGE', uri }));
  metrics.sip.received(new SipRequest({ method: 'XYZZY', uri }));
  metrics.sip.sent(
    new SipResponse({ status: 202, reason: 'Accepted', headers: SipHeaders.of([['CSeq', '1 MESSAGE']]) }),
  );
  metrics.sip.sent(
    new SipResponse({ status: 699, reason: 'x', headers: SipHeaders.of([['CSeq', '1 FOO']]) }),
  );
  const delivered = new SipResponse({
    status: 200,
    reason: 'OK',
    headers: SipHeaders.of([['CSeq', '2 MESSAGE']]),
  });
  // Received twice (a UDP retransmission), answered once: a delivery is the transaction's first final.
  metrics.sip.received(delivered);
  metrics.sip.received(delivered);
  metrics.sip.answered(new SipRequest({ method: 'MESSAGE', uri }), delivered);
  metrics.sip.answered(new SipRequest({ method: 'OPTIONS', uri }), delivered);
  const parsed = parsePrometheusText(await metrics.render());
  assert.ok(parsed.ok);
  assert.equal(sampleValue(parsed, 'missive_sip_requests_received_total', { method: 'MESSAGE' }), 1);
  assert.equal(sampleValue(parsed, 'missive_sip_requests_received_total', { method: 'other' }), 1);
  assert.equal(
    sampleValue(parsed, 'missive_sip_responses_sent_total', { method: 'MESSAGE', class: '2xx' }),
    1,
  );
  assert.equal(sampleValue(parsed, 'missive_sip_responses_sent_total', { method: 'other', class: '6xx' }), 1);
  assert.equal(
    sampleValue(parsed, 'missive_sip_responses_received_total', { method: 'MESSAGE', class: '2xx' }),
    2,
  );
  assert.equal(sampleValue(parsed, 'missive_messages_delivered_total', { via: 'sip' }), 1);
  // A series appears once it has counted something, as with prom-client's own labels().inc().
  assert.equal(sampleValue(parsed, 'missive_sip_requests_received_total', { method: 'INVITE' }), undefined);
});
