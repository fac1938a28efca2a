/**
 * The push counters as the metrics endpoint renders them (issue 13: pushes sent, failed and tokens removed,
 * by provider): the dispatcher's snapshot, read at scrape time, parsed by the strict text-format parser.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import type { PushStatsSnapshot } from '../../src/push/push-stats.js';
import { ServerMetrics } from '../../src/server/metrics/server-metrics.js';
import { parsePrometheusText, sampleValue } from '../support/prometheus-text.js';

test('pushes by provider and result, tokens removed by provider, unrouted and the queue', async () => {
  const metrics = new ServerMetrics(new Registry());
  let snapshot: PushStatsSnapshot = { byProvider: {}, unrouted: 0, queued: 0, inFlight: 0 };
  metrics.addPushStats(() => snapshot);
  snapshot = {
    byProvider: {
      apns: { sent: 3, failed: 1, retried: 2, dropped: 0, tokensRemoved: 1 },
      fcm: { sent: 5, failed: 0, retried: 0, dropped: 0, tokensRemoved: 0 },
    },
    unrouted: 4,
    queued: 2,
    inFlight: 1,
  };
  const parsed = parsePrometheusText(await metrics.render());
  assert.ok(parsed.ok, parsed.ok ? '' : `line ${String(parsed.line)}: ${parsed.error}`);
  const value = (name: string, labels: Record<string, string> = {}) => sampleValue(parsed, name, labels);
  assert.equal(value('missive_pushes_total', { provider: 'apns', result: 'sent' }), 3);
  assert.equal(value('missive_pushes_total', { provider: 'apns', result: 'failed' }), 1);
  assert.equal(value('missive_pushes_total', { provider: 'apns', result: 'retried' }), 2);
  assert.equal(value('missive_pushes_total', { provider: 'fcm', result: 'sent' }), 5);
  assert.equal(value('missive_push_tokens_removed_total', { provider: 'apns' }), 1);
  assert.equal(value('missive_push_tokens_removed_total', { provider: 'fcm' }), 0);
  assert.equal(value('missive_pushes_unrouted_total'), 4);
  assert.equal(value('missive_push_queue', { state: 'queued' }), 2);
  assert.equal(value('missive_push_queue', { state: 'in_flight' }), 1);
});
