/**
 * Kamailio's msrp module in front of the missive relay (deploy/kamailio-msrp/kamailio-msrp.cfg, as
 * `npm run bench:msrp` runs it): Kamailio keeps one connection to a next hop for all its sessions, by design,
 * and missive accepts them on it, a lane each (docs/msrp-relay.md "The accepting side"). Plain TCP.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startKamailio } from '../../bench/msrp/relays/kamailio.js';
import type { RunningRelay } from '../../bench/msrp/relays/relay.js';
import { auth, authRequest } from '../msrp/harness/auth.js';
import { authorization } from '../../bench/msrp/digest.js';
import { connectClient } from '../msrp/harness/client.js';
import type { MsrpConnection } from '../msrp/harness/connection.js';
import { assertRelayRequest } from '../msrp/harness/expect.js';
import { type HeaderList, header, request, show } from '../msrp/harness/message.js';
import { RelayProcess } from '../msrp/harness/relay-process.js';
import { Cleanup } from './harness/cleanup.js';
import { makeWorkDir, removeWorkDir } from './harness/paths.js';
import { missingPeers } from './harness/tools.js';

const text = (id: string, body: string): HeaderList => [
  ['Message-ID', id],
  ['Byte-Range', `1-${body.length}/${body.length}`],
  ['Failure-Report', 'no'],
  ['Content-Type', 'text/plain'],
];

/** AUTH at Kamailio (its challenge has no opaque, which the relay harness's auth() requires). */
async function authAtKamailio(conn: MsrpConnection, toUri: string, fromUri: string): Promise<string> {
  await conn.write(authRequest({ toUri, fromUri }));
  const challenge = await conn.nextMessage();
  assert.equal(challenge.status, 401, show(challenge));
  const value = authorization(header(challenge, 'WWW-Authenticate') ?? '', 'alice', 'secret', toUri);
  await conn.write(authRequest({ toUri, fromUri, headers: [['Authorization', value]] }));
  const ok = await conn.nextMessage();
  const usePath = header(ok, 'Use-Path');
  assert.ok(ok.status === 200 && usePath !== undefined, show(ok));
  return usePath;
}

describe('Kamailio sharing its connection to missive', { skip: missingPeers(['kamailio']) ?? false }, () => {
  const cleanup = new Cleanup();
  let kamailio: RunningRelay;
  let missive: RelayProcess;

  before(async () => {
    const workDir = makeWorkDir('kamailio-shares');
    cleanup.add({
      stop: async () => {
        removeWorkDir(workDir);
        await Promise.resolve();
      },
    });
    kamailio = await startKamailio({
      transport: 'tcp',
      workDir,
      keyFile: '',
      certFile: '',
      core: 0,
      fdLimit: 4096,
    });
    cleanup.add(kamailio);
    missive = await RelayProcess.start({ tls: false, settings: { log_level: 'info' } });
    cleanup.add(missive);
  });
  after(() => cleanup.run());

  it('sessions through Kamailio reach missive on one connection, each relayed both ways', {
    timeout: 60_000,
  }, async (t) => {
    const conns: MsrpConnection[] = [];
    t.after(() => {
      for (const conn of conns) conn.destroy();
    });
    const peers: string[] = [];
    for (const name of ['k1', 'k2', 'k3']) {
      const bUri = `msrp://127.0.0.1:40002/b-${name};tcp`;
      const b = await connectClient({ port: missive.port, tls: false });
      conns.push(b);
      const atMissive = await auth(b, { toUri: 'msrp://example.com;tcp', fromUri: bUri, username: 'bob' });
      const a = await connectClient({ port: kamailio.port, tls: false });
      conns.push(a);
      // Kamailio sends to A's URI's address, over the connection already open to it: A's own.
      const aUri = `msrp://127.0.0.1:${a.socket.localPort ?? 0}/a-${name};tcp`;
      const useA = await authAtKamailio(a, `msrp://127.0.0.1:${kamailio.port};tcp`, aUri);
      const useB = atMissive.usePath;
      await a.write(
        request({
          tid: `send${name}`,
          method: 'SEND',
          toPath: `${useA} ${useB} ${bUri}`,
          fromPath: aUri,
          headers: text(`a-${name}`, name),
          body: name,
        }),
      );
      // Kamailio's config answers every SEND it relays (with its Message-ID), whatever Failure-Report says.
      const ok = await a.nextMessage();
      assert.equal(ok.tid, `send${name}`, show(ok));
      assert.equal(ok.status, 200, show(ok));
      assertRelayRequest(await b.nextMessage(10_000), {
        method: 'SEND',
        toPath: bUri,
        fromPath: `${useB} ${useA} ${aUri}`,
        headers: text(`a-${name}`, name),
        body: name,
      });
      await b.write(
        request({
          tid: `back${name}`,
          method: 'SEND',
          toPath: `${useB} ${useA} ${aUri}`,
          fromPath: bUri,
          headers: text(`b-${name}`, name),
          body: name,
        }),
      );
      const atA = await a.nextMessage(10_000);
      assert.equal(atA.method, 'SEND');
      assert.equal(atA.body?.toString(), name);
      const entry = await missive.waitForLog(
        (e) => e.msg === `Found matching unbound session ${atMissive.sessionId}`,
        {
          timeoutMs: 10_000,
          what: `the bind of ${name}`,
        },
      );
      peers.push(String(entry.peer));
    }
    assert.equal(
      new Set(peers).size,
      1,
      `one connection from Kamailio carried them all: ${peers.join(', ')}`,
    );
  });
});
