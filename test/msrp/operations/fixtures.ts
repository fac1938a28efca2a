// Helpers of the operations tests (relay spec §6, §9.5): a Suite around a relay started by hand (so that the
// harness's openSession and Scope work with it), certificates with chosen SANs, login attempts and a check
// that a session still relays both ways.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { writeSelfSignedCertificate } from '../../../src/tls/self-signed.js';
import {
  type Challenge,
  authRequest,
  authorization,
  requestChallenge,
  sessionIdOf,
} from '../harness/auth.js';
import type { MsrpConnection } from '../harness/connection.js';
import { assertRelayRequest, assertResponse } from '../harness/expect.js';
import { type MsrpMessage, header, request, responseTo, show } from '../harness/message.js';
import { RelayProcess, type RelayOptions } from '../harness/relay-process.js';
import { ok, type Session } from '../harness/session.js';
import { MODES, Scope, type Suite } from '../harness/suite.js';
import { PROCESS_START_MS } from '../../support/wait.js';

export const LOGIN_FAILED = 'Unauthorized: Login failed:';
export const STARTUP_FAILED = 'Failed to create MSRP Relay:';

/** A Suite (as describeModes gives) for a relay the test started itself. */
export function suiteOf(relay: RelayProcess): Suite {
  const mode = MODES.find((m) => m.tls === relay.tls);
  if (mode === undefined) throw new Error('no harness mode for this relay');
  return {
    mode,
    relay,
    aUri: `${mode.scheme}://127.0.0.1:40001/asess;tcp`,
    domainUri: `${mode.scheme}://example.com;tcp`,
    scope(t: TestContext): Scope {
      const scope = new Scope(mode, relay);
      t.after(() => scope.close());
      return scope;
    },
  };
}

/**
 * Starts a relay for a block of tests; stop() is for an `after` hook and fails when the relay died during
 * the tests (a crash is a failure even if no test noticed).
 */
export function relayHolder(): {
  start(opts: RelayOptions): Promise<RelayProcess>;
  readonly relay: RelayProcess;
  stop(): Promise<void>;
} {
  let relay: RelayProcess | undefined;
  return {
    async start(opts) {
      relay = await RelayProcess.start(opts);
      return relay;
    },
    get relay(): RelayProcess {
      if (relay === undefined) throw new Error('relay not started');
      return relay;
    },
    async stop() {
      const died = relay !== undefined && !relay.running;
      const report = died
        ? `relay exited during the tests (status ${relay?.exitCode}):\n${relay?.output()}`
        : '';
      await relay?.stop();
      if (died) throw new Error(report);
    },
  };
}

/** A temporary directory removed by the returned function. */
export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return {
    path,
    remove() {
      rmSync(path, { recursive: true, force: true });
    },
  };
}

/** A self-signed certificate with these DNS subjectAltNames, written into `dir`. */
export async function makeCert(
  dir: string,
  name: string,
  dnsNames: readonly string[],
): Promise<{ certPath: string; keyPath: string }> {
  const { files } = await writeSelfSignedCertificate(dir, name, {
    commonName: dnsNames[0] ?? name,
    dnsNames,
    days: 2,
  });
  return { certPath: files.certificate, keyPath: files.key };
}

/**
 * Runs a relay that must fail to start: exit status 1 and one stderr line `Failed to create MSRP Relay: …`,
 * which is returned (without the prefix).
 */
export async function startupFailure(opts: RelayOptions): Promise<string> {
  const relay = await RelayProcess.spawn(opts);
  try {
    const code = await relay.waitExit(PROCESS_START_MS);
    assert.equal(code, 1, `exit status; output:\n${relay.output()}`);
    const line = relay
      .stderr()
      .split('\n')
      .find((l) => l.startsWith(STARTUP_FAILED));
    assert.ok(line !== undefined, `no "${STARTUP_FAILED}" line on stderr; output:\n${relay.output()}`);
    assert.ok(
      !relay.logs().some((e) => e.msg === 'MSRP relay listening'),
      `the relay listened before failing:\n${relay.output()}`,
    );
    return line.slice(STARTUP_FAILED.length + 1);
  } finally {
    await relay.stop();
  }
}

/** Answers a fresh challenge with these credentials; returns the relay's reply to the answer. */
export async function answerChallenge(
  conn: MsrpConnection,
  s: Suite,
  cred: { username?: string; password?: string },
  challenge?: Challenge,
): Promise<MsrpMessage> {
  const ch = challenge ?? (await requestChallenge(conn, { toUri: s.domainUri, fromUri: s.aUri }));
  await conn.write(
    authRequest({
      toUri: s.domainUri,
      fromUri: s.aUri,
      headers: [['Authorization', authorization(ch, s.domainUri, cred)]],
    }),
  );
  return conn.nextMessage();
}

/** Asserts the exact 403 a failed login gets (relay spec §2.5). */
export function assertLoginFailed(msg: MsrpMessage, s: Suite, reason: string): void {
  assertResponse(msg, {
    tid: msg.tid,
    status: 403,
    comment: `${LOGIN_FAILED} ${reason}`,
    toPath: s.aUri,
    fromPath: s.domainUri,
  });
}

let sends = 0;

/** A SEND A → B and a SEND B → A over the session, each delivered verbatim and answered 200. */
export async function assertRelaysBothWays(session: Session, tag: string): Promise<void> {
  const n = ++sends;
  const body = `${tag} a->b`;
  const toB = request({
    tid: `ab${String(n).padStart(6, '0')}`,
    method: 'SEND',
    toPath: session.toB,
    fromPath: session.aUri,
    headers: [
      ['Message-ID', `${tag}-ab`],
      ['Byte-Range', `1-${body.length}/${body.length}`],
      ['Content-Type', 'text/plain'],
    ],
    body,
  });
  await session.a.write(toB);
  const atB = await session.b.nextMessage();
  assertRelayRequest(atB, {
    method: 'SEND',
    toPath: session.bUri,
    fromPath: session.fromA,
    headers: [
      ['Message-ID', `${tag}-ab`],
      ['Byte-Range', `1-${body.length}/${body.length}`],
      ['Content-Type', 'text/plain'],
    ],
    body,
  });
  await session.b.write(ok(session, atB));
  assertResponse(await session.a.nextMessage(), {
    tid: `ab${String(n).padStart(6, '0')}`,
    status: 200,
    comment: 'OK',
    toPath: session.aUri,
    fromPath: session.usePath,
  });

  const back = `${tag} b->a`;
  const tid = `ba${String(n).padStart(6, '0')}`;
  const headers: [string, string][] = [
    ['Message-ID', `${tag}-ba`],
    ['Byte-Range', `1-${back.length}/${back.length}`],
    ['Content-Type', 'text/plain'],
  ];
  await session.b.write(
    request({
      tid,
      method: 'SEND',
      toPath: `${session.usePath} ${session.aUri}`,
      fromPath: session.bUri,
      headers,
      body: back,
    }),
  );
  const atA = await session.a.nextMessage();
  assertRelayRequest(atA, {
    method: 'SEND',
    toPath: session.aUri,
    fromPath: `${session.usePath} ${session.bUri}`,
    headers,
    body: back,
  });
  await session.a.write(responseTo(atA, 200, 'OK', session.aUri));
  assertResponse(await session.b.nextMessage(), {
    tid,
    status: 200,
    comment: 'OK',
    toPath: session.bUri,
    fromPath: session.usePath, // the relay answers B's SEND itself (relay spec §9.3 test 36), A's 200 is not forwarded
  });
}

/**
 * Binds a session that `a` authenticated earlier (Use-Path `usePath`) to a new endpoint B, as openSession
 * does right after its AUTH: an empty SEND, 200 to A, B answers 200.
 */
export async function bindSession(
  s: Suite,
  scope: Scope,
  a: MsrpConnection,
  usePath: string,
): Promise<Session> {
  const endpoint = await scope.endpoint();
  const bUri = endpoint.uri();
  const toB = `${usePath} ${bUri}`;
  await a.write(
    request({
      tid: 'bindlate',
      method: 'SEND',
      toPath: toB,
      fromPath: s.aUri,
      headers: [
        ['Message-ID', 'bind-late'],
        ['Byte-Range', '1-0/0'],
      ],
    }),
  );
  const reply = await a.nextMessage();
  assert.equal(reply.status, 200, `bind SEND not accepted:\n${show(reply)}`);
  const b = await endpoint.nextConnection();
  const bind = await b.nextMessage();
  assert.equal(header(bind, 'Message-ID'), 'bind-late', `unexpected first message at B:\n${show(bind)}`);
  await b.write(responseTo(bind, 200, 'OK', bUri));
  const sessionId = sessionIdOf(usePath);
  return { a, b, endpoint, aUri: s.aUri, bUri, usePath, sessionId, toB, fromA: `${usePath} ${s.aUri}` };
}
