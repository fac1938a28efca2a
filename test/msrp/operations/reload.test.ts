// Relay spec §6 SIGHUP reload, relay spec §9.5 tests 61 and 62, §9.2 test 34, and reloads of [Memory], the
// listening address and the backend. The relay reads a config.ini the test rewrites; `kill -HUP` then waits
// for the relay's "Configuration reloaded" or "Error reloading configuration file" line. Each test has its
// own relay.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { TLSSocket } from 'node:tls';
import { auth, authRequest, authorization, requestChallenge, sessionIdOf } from '../harness/auth.js';
import { connectClient } from '../harness/client.js';
import type { MsrpConnection } from '../harness/connection.js';
import { md5 } from '../harness/digest.js';
import { type RelayOptions, RelayProcess, type ReloadResult } from '../harness/relay-process.js';
import { header, show } from '../harness/message.js';
import { openSession } from '../harness/session.js';
import { createSubscriberTable, openSqliteBackend, uniqueTableName } from '../../credentials/sql-backends.js';
import { freePort } from '../../support/ports.js';
import {
  answerChallenge,
  assertLoginFailed,
  assertRelaysBothWays,
  bindSession,
  makeCert,
  suiteOf,
  tempDir,
} from './fixtures.js';
import { PROCESS_START_MS } from '../../support/wait.js';

// A test starts one or more relays (PROCESS_START_MS each at the most on a loaded machine).
const T = { timeout: 3 * PROCESS_START_MS };
/** msrprelay's failure texts, which tell an unknown user from a wrong password (the default no longer does). */
const UNIFORM_OFF = { uniform_auth_failures: 'no' } as const;
const RELOAD_ERROR = 'Error reloading configuration file:';

function assertReloaded(result: ReloadResult): void {
  assert.ok(result.ok, `the reload failed: ${result.ok ? '' : result.message}`);
}

/** The peer certificate's subjectAltName of a TLS client connection. */
function peerSan(conn: MsrpConnection): string {
  const socket = conn.socket;
  assert.ok(socket instanceof TLSSocket, 'a TLS connection');
  return socket.getPeerCertificate().subjectaltname ?? '';
}

describe('relay spec §6 SIGHUP reload', { concurrency: true }, () => {
  const relays: RelayProcess[] = [];
  const cleanups: (() => Promise<void> | void)[] = [];
  after(async () => {
    const died = relays.filter((r) => !r.running);
    for (const relay of relays.splice(0)) await relay.stop();
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    if (died.length > 0) {
      throw new Error(`a relay exited during the tests:\n${died.map((r) => r.output()).join('\n---\n')}`);
    }
  });
  const start = async (opts: RelayOptions): Promise<RelayProcess> => {
    const relay = await RelayProcess.start(opts);
    relays.push(relay);
    return relay;
  };

  it(
    '61 max_auth_attempts 3 → 1: new connections close at the first failure; sessions keep relaying',
    T,
    async (t) => {
      const relay = await start({ tls: false, settings: { max_auth_attempts: 3 } });
      const s = suiteOf(relay);
      const scope = s.scope(t);
      const bound = await openSession(s, scope);
      const unboundA = await scope.client();
      const unbound = await auth(unboundA, { toUri: s.domainUri, fromUri: s.aUri, username: 'bob' });

      // Before the reload a failed login is answered and the connection stays.
      const early = await scope.client();
      assertLoginFailed(await answerChallenge(early, s, { password: 'wrong' }), s, 'Incorrect password');

      await relay.writeConfig({ tls: false, settings: { max_auth_attempts: 1 } });
      assertReloaded(await relay.reload());

      const late = await scope.client();
      const challenge = await requestChallenge(late, { toUri: s.domainUri, fromUri: s.aUri });
      await late.write(
        authRequest({
          toUri: s.domainUri,
          fromUri: s.aUri,
          headers: [['Authorization', authorization(challenge, s.domainUri, { password: 'wrong' })]],
        }),
      );
      await late.expectClosed();

      await assertRelaysBothWays(bound, 'bound61');
      // The session authenticated (UNBOUND) before the reload is bound after it.
      const lateBound = await bindSession(s, scope, unboundA, unbound.usePath);
      await assertRelaysBothWays(lateBound, 'unbound61');
    },
  );

  it(
    '62 a broken certificate path: error logged, old listener and settings kept; fixed: new ones apply',
    T,
    async (t) => {
      const certs = tempDir('msrp-ops-reload-certs-');
      cleanups.push(() => {
        certs.remove();
      });
      const relay = await start({ tls: true });
      const s = suiteOf(relay);
      const scope = s.scope(t);
      const session = await openSession(s, scope);

      // The new configuration names a certificate (and key) that does not exist yet.
      await relay.writeConfig({
        tls: true,
        settings: {
          certificate: join(certs.path, 'relay2.crt'),
          key: join(certs.path, 'relay2.key'),
          hostname: 'relay2.test',
          max_auth_attempts: 1,
        },
      });
      const broken = await relay.reload();
      assert.ok(!broken.ok, 'the reload with a missing certificate must fail');
      assert.ok(
        broken.message.startsWith(
          `${RELOAD_ERROR} TLS certificate file is not specified in configuration or is invalid`,
        ),
        broken.message,
      );
      assert.equal(broken.entry.level, 50, 'logged at error level');
      assert.ok(relay.running, 'the relay keeps running');

      // The old listener, certificate and settings are kept.
      const a = await scope.client();
      assert.match(peerSan(a), /DNS:localhost/);
      const { usePath } = await auth(a, { toUri: s.domainUri, fromUri: s.aUri });
      assert.equal(usePath, `msrps://localhost:${relay.port}/${sessionIdOf(usePath)};tcp`);
      const stillThree = await scope.client();
      assertLoginFailed(await answerChallenge(stillThree, s, { password: 'wrong' }), s, 'Incorrect password');
      await assertRelaysBothWays(session, 'broken62');

      // The files fixed (created), the same configuration reloads: the new certificate, host name and
      // max_auth_attempts apply to new connections.
      await makeCert(certs.path, 'relay2', ['relay2.test']);
      assertReloaded(await relay.reload());
      const b = await scope.client();
      assert.match(peerSan(b), /DNS:relay2\.test/);
      const renewed = await auth(b, { toUri: s.domainUri, fromUri: s.aUri });
      assert.equal(renewed.usePath, `msrps://relay2.test:${relay.port}/${renewed.sessionId};tcp`);
      const one = await scope.client();
      const ch = await requestChallenge(one, { toUri: s.domainUri, fromUri: s.aUri });
      await one.write(
        authRequest({
          toUri: s.domainUri,
          fromUri: s.aUri,
          headers: [['Authorization', authorization(ch, s.domainUri, { password: 'wrong' })]],
        }),
      );
      await one.expectClosed();
      await assertRelaysBothWays(session, 'fixed62');
    },
  );

  it('34 a challenge issued before a reload is accepted after it (Target; msrprelay: 403)', T, async (t) => {
    const relay = await start({ tls: false });
    const s = suiteOf(relay);
    const scope = s.scope(t);
    const a = await scope.client();
    const challenge = await requestChallenge(a, { toUri: s.domainUri, fromUri: s.aUri });
    assertReloaded(await relay.reload());
    const reply = await answerChallenge(a, s, {}, challenge);
    assert.equal(reply.status, 200, `expected 200, got:\n${show(reply)}`);
    assert.equal(header(reply, 'Use-Path'), relay.uri(challenge.nonce));
    // Challenges issued after the reload work too.
    const b = await scope.client();
    await auth(b, { toUri: s.domainUri, fromUri: s.aUri });
  });

  it('[Memory] changes (carol added, bob removed) apply to new connections', T, async (t) => {
    // msrprelay's texts tell an unknown user from a wrong password: what this test looks at.
    const relay = await start({ tls: false, settings: UNIFORM_OFF });
    const s = suiteOf(relay);
    const scope = s.scope(t);
    const early = await scope.client();
    assertLoginFailed(
      await answerChallenge(early, s, { username: 'carol', password: '5678' }),
      s,
      'Username not found',
    );

    await relay.writeConfig({
      tls: false,
      settings: UNIFORM_OFF,
      memory: { 'alice@example.com': '1234', 'carol@example.com': '5678' },
    });
    assertReloaded(await relay.reload());

    await auth(await scope.client(), {
      toUri: s.domainUri,
      fromUri: s.aUri,
      username: 'carol',
      password: '5678',
    });
    await auth(await scope.client(), { toUri: s.domainUri, fromUri: s.aUri, username: 'alice' });
    const bob = await scope.client();
    assertLoginFailed(await answerChallenge(bob, s, { username: 'bob' }), s, 'Username not found');
  });

  it(
    'a new listening port: it accepts, the old one stops, sessions on the old port keep relaying',
    T,
    async (t) => {
      const relay = await start({ tls: false });
      const s = suiteOf(relay);
      const scope = s.scope(t);
      const oldPort = relay.port;
      const session = await openSession(s, scope);

      const newPort = await freePort();
      await relay.writeConfig({ tls: false, settings: { address: `127.0.0.1:${newPort}` } });
      const result = await relay.reload();
      assertReloaded(result);
      assert.equal(result.ok && result.entry.port, newPort, 'the reload log line names the new port');
      assert.equal(relay.port, newPort);

      const a = await scope.client();
      const { usePath } = await auth(a, { toUri: s.domainUri, fromUri: s.aUri });
      assert.equal(usePath, `msrp://127.0.0.1:${newPort}/${sessionIdOf(usePath)};tcp`);
      await assert.rejects(
        connectClient({ port: oldPort, tls: false, timeoutMs: 2000 }).then((conn) => {
          conn.destroy();
        }),
        /ECONNREFUSED/,
        'the old port must refuse connections',
      );
      await assertRelaysBothWays(session, 'oldport');
    },
  );

  it('backend memory → database (SQLite): new AUTHs use the subscriber table', T, async (t) => {
    const sqlite = await openSqliteBackend();
    cleanups.push(() => sqlite.close());
    if (sqlite.connection.dialect !== 'sqlite') throw new Error('not an SQLite connection');
    const table = uniqueTableName();
    await createSubscriberTable(sqlite, table);
    await sqlite.exec(
      `INSERT INTO ${sqlite.quote(table)} (username, domain, password, ha1) VALUES (?, ?, ?, ?)`,
      ['dave', 'example.com', 'dbpass', md5('dave:example.com:dbpass')],
    );

    const relay = await start({ tls: false, settings: UNIFORM_OFF });
    const s = suiteOf(relay);
    const scope = s.scope(t);
    const early = await scope.client();
    assertLoginFailed(
      await answerChallenge(early, s, { username: 'dave', password: 'dbpass' }),
      s,
      'Username not found',
    );

    await relay.writeConfig({
      tls: false,
      settings: { ...UNIFORM_OFF, backend: 'database' },
      sections: {
        Database: {
          uri: `sqlite://${sqlite.connection.path}`,
          subscriber_table: table,
          cleartext_passwords: 'yes',
        },
      },
    });
    assertReloaded(await relay.reload());

    await auth(await scope.client(), {
      toUri: s.domainUri,
      fromUri: s.aUri,
      username: 'dave',
      password: 'dbpass',
    });
    const alice = await scope.client();
    assertLoginFailed(await answerChallenge(alice, s, { username: 'alice' }), s, 'Username not found');
  });
});
