// Operations: the Prometheus /metrics endpoint (`metrics_address`) and the relay's log lines (pino JSON on
// stdout): `log_failed_auth` and "Session ended" with byte counts.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { openSession } from '../harness/session.js';
import { eventually } from '../../support/wait.js';
import {
  answerChallenge,
  assertLoginFailed,
  assertRelaysBothWays,
  relayHolder,
  suiteOf,
} from './fixtures.js';

const T = { timeout: 30_000 };

interface HttpReply {
  readonly status: number;
  readonly contentType: string | undefined;
  readonly body: string;
}

function httpCall(port: number, path: string, method = 'GET'): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method, agent: false, timeout: 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        resolve({
          status: res.statusCode ?? 0,
          contentType: res.headers['content-type'],
          body: Buffer.concat(chunks).toString('utf8'),
        });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => {
      req.destroy(new Error(`no answer from ${method} ${path} within 5000 ms`));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Samples of a Prometheus text exposition, keyed `name` or `name{labels}`; checks the line syntax. */
function parseMetrics(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (-?[0-9.eE+]+)$/.exec(line);
    assert.ok(
      m?.[1] !== undefined && m[2] !== undefined,
      `not a Prometheus sample line: ${JSON.stringify(line)}`,
    );
    samples.set(m[1], Number(m[2]));
  }
  return samples;
}

describe('operations: metrics and logs', { concurrency: true }, () => {
  describe('/metrics', () => {
    const holder = relayHolder();
    let port = 0;
    before(async () => {
      const relay = await holder.start({ tls: false, settings: { metrics_address: '127.0.0.1:0' } });
      const entry = await relay.waitForLog((e) => e.msg === 'Metrics listening', {
        what: 'Metrics listening',
      });
      assert.equal(typeof entry.port, 'number');
      port = entry.port as number;
      assert.notEqual(port, 0, 'the logged metrics port is the one bound');
    });
    after(() => holder.stop());

    const scrape = async (): Promise<Map<string, number>> => {
      const reply = await httpCall(port, '/metrics');
      assert.equal(reply.status, 200);
      assert.equal(reply.contentType, 'text/plain; version=0.0.4');
      return parseMetrics(reply.body);
    };
    const sample = (metrics: Map<string, number>, key: string): number => {
      const value = metrics.get(key);
      assert.ok(value !== undefined, `no sample ${key}`);
      return value;
    };
    const ESTABLISHED = 'msrp_relay_connections{state="ESTABLISHED"}';
    const FAILURES = 'msrp_relay_auth_failures_total';
    const WRITTEN = 'msrp_relay_bytes_written_total';

    it('GET /metrics follows connections, failed logins and bytes written', T, async (t) => {
      const s = suiteOf(holder.relay);
      const scope = s.scope(t);
      const idle = await scrape();
      assert.equal(sample(idle, ESTABLISHED), 0);

      const session = await openSession(s, scope);
      const open = await scrape();
      // Both of the session's connections (A's and the relay's to B) are established.
      assert.equal(sample(open, ESTABLISHED), 2);

      assertLoginFailed(
        await answerChallenge(await scope.client(), s, { password: 'wrong' }),
        s,
        'Incorrect password',
      );
      const failed = await scrape();
      assert.equal(sample(failed, FAILURES), sample(open, FAILURES) + 1);

      await assertRelaysBothWays(session, 'metrics');
      const sent = await scrape();
      assert.ok(sample(sent, WRITTEN) > sample(failed, WRITTEN), 'bytes written grows with relayed traffic');

      session.a.destroy();
      await session.b.expectClosed();
      await eventually(
        async () => sample(await scrape(), ESTABLISHED) === 0,
        'no established connection once the session ended',
        { intervalMs: 100 },
      );
    });

    it('other paths and methods get 404', T, async () => {
      for (const [method, path] of [
        ['GET', '/'],
        ['GET', '/metrics/'],
        ['GET', '/metricsx'],
        ['POST', '/metrics'],
      ] as const) {
        const reply = await httpCall(port, path, method);
        assert.equal(reply.status, 404, `${method} ${path}`);
      }
    });

    it('log_failed_auth = no (the default): a failed login is not logged', T, async (t) => {
      const s = suiteOf(holder.relay);
      const from = holder.relay.logPosition;
      const a = await s.scope(t).client();
      assertLoginFailed(await answerChallenge(a, s, { password: 'wrong' }), s, 'Incorrect password');
      // A later warning, logged after the failed login was answered: a line about that login would be before it.
      const b = await s.scope(t).client();
      await b.write(
        Buffer.concat([Buffer.from('MSRP '), Buffer.from([0xff, 0xfe]), Buffer.from(' AUTH\r\n')]),
      );
      await b.expectClosed();
      const later = await holder.relay.waitForLog(
        (e) => typeof e.msg === 'string' && e.msg.startsWith('Protocol error'),
        { from, what: 'the protocol error of a later connection' },
      );
      const logged = holder.relay.logsSince(from);
      assert.ok(logged.includes(later));
      assert.ok(
        !logged.some((e) => typeof e.msg === 'string' && e.msg.startsWith('AUTH failed')),
        JSON.stringify(logged),
      );
    });
  });

  describe('log lines', () => {
    const holder = relayHolder();
    before(async () => {
      await holder.start({ tls: false, settings: { log_level: 'info', log_failed_auth: 'yes' } });
    });
    after(() => holder.stop());

    it(
      'log_failed_auth = yes: AUTH failed for username "alice": Incorrect password, at warning',
      T,
      async (t) => {
        const s = suiteOf(holder.relay);
        const from = holder.relay.logPosition;
        const a = await s.scope(t).client();
        assertLoginFailed(await answerChallenge(a, s, { password: 'wrong' }), s, 'Incorrect password');
        const entry = await holder.relay.waitForLog(
          (e) =>
            e.peer === `127.0.0.1:${a.socket.localPort}` &&
            typeof e.msg === 'string' &&
            e.msg.startsWith('AUTH'),
          { from, timeoutMs: 3000, what: 'the failed AUTH log line' },
        );
        assert.equal(entry.msg, 'AUTH failed for username "alice": Incorrect password');
        assert.equal(entry.level, 40, 'pino level 40 = warning');
      },
    );

    it('a session end logs "Session ended" with the bytes written to each side', T, async (t) => {
      const s = suiteOf(holder.relay);
      const session = await openSession(s, s.scope(t));
      await assertRelaysBothWays(session, 'logs');
      const from = holder.relay.logPosition;
      session.a.destroy();
      await session.b.expectClosed();
      const entry = await holder.relay.waitForLog(
        (e) => e.msg === 'Session ended' && e.session === session.sessionId,
        {
          from,
          timeoutMs: 3000,
          what: 'the Session ended line',
        },
      );
      assert.equal(entry.level, 30, 'pino level 30 = info');
      assert.equal(entry.user, 'alice@example.com');
      assert.match(String(entry.peer), /^127\.0\.0\.1:\d+$/, 'the client connection it was read from');
      // Every byte the relay wrote to A (401, 200s, the SEND from B) and to B (bind, SEND from A, 200).
      assert.equal(entry.bytesToSource, session.a.bytesReceived);
      assert.equal(entry.bytesToDestination, session.b.bytesReceived);
      assert.ok(session.a.bytesReceived > 0 && session.b.bytesReceived > 0);
      assert.equal(typeof entry.seconds, 'number');
    });
  });
});
