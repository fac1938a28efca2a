// Relay spec §9.3, tests 49 and 50: an unreachable next hop, and a next hop without a port; TLS resumption.
import { it } from 'node:test';
import { auth } from '../harness/auth.js';
import { assertRelayReport, assertRelayRequest, assertResponse } from '../harness/expect.js';
import { type HeaderList, request } from '../harness/message.js';
import assert from 'node:assert/strict';
import { openSession } from '../harness/session.js';
import { assertRelaysBothWays } from '../operations/fixtures.js';
import { describeModes } from '../harness/suite.js';

const T = { timeout: 30_000 };
const abc: HeaderList = [
  ['Message-ID', 'm49'],
  ['Byte-Range', '1-3/3'],
  ['Content-Type', 'text/plain'],
];

describeModes('9.3 next hops', {}, (s) => {
  it('49 unreachable next hop: 200, REPORT 408 Session got disconnected, then EOF', T, async (t) => {
    const a = await s.scope(t).client();
    const { usePath } = await auth(a, { toUri: s.domainUri, fromUri: s.aUri });
    const unreachable = `${s.mode.scheme}://127.0.0.1:1/x;tcp`;
    await a.write(
      request({
        tid: 's4900000',
        method: 'SEND',
        toPath: `${usePath} ${unreachable}`,
        fromPath: s.aUri,
        headers: abc,
        body: 'abc',
      }),
    );
    assertResponse(await a.nextMessage(), {
      tid: 's4900000',
      status: 200,
      comment: 'OK',
      toPath: s.aUri,
      fromPath: usePath,
    });
    assertRelayReport(await a.nextMessage(), {
      toPath: s.aUri,
      fromPath: usePath,
      status: '000 408 Session got disconnected',
      messageId: 'm49',
      byteRange: '1-3/3',
    });
    await a.expectClosed();
  });

  it('50 next hop without a port: the relay connects to 2855 (Target)', T, async (t) => {
    const scope = s.scope(t);
    // A loopback address of its own per mode, so the two modes can both listen on port 2855.
    const host = s.mode.tls ? '127.0.0.4' : '127.0.0.3';
    const endpoint = await scope.endpoint({ host, port: 2855 });
    const a = await scope.client();
    const { usePath } = await auth(a, { toUri: s.domainUri, fromUri: s.aUri });
    const bUri = `${s.mode.scheme}://${host}/x;tcp`;
    await a.write(
      request({
        tid: 's5000000',
        method: 'SEND',
        toPath: `${usePath} ${bUri}`,
        fromPath: s.aUri,
        headers: abc,
        body: 'abc',
      }),
    );
    assertResponse(await a.nextMessage(), {
      tid: 's5000000',
      status: 200,
      comment: 'OK',
      toPath: s.aUri,
      fromPath: usePath,
    });
    const b = await endpoint.nextConnection();
    assertRelayRequest(await b.nextMessage(), {
      method: 'SEND',
      toPath: bUri,
      fromPath: `${usePath} ${s.aUri}`,
      headers: abc,
      body: 'abc',
    });
  });

  if (!s.mode.tls) return;
  it(
    'a second session to the same TLS next hop resumes the TLS session (no full handshake)',
    T,
    async (t) => {
      const scope = s.scope(t);
      const endpoint = await scope.endpoint({});
      const first = await openSession(s, scope, { via: endpoint });
      await assertRelaysBothWays(first, 'first');
      const second = await openSession(s, scope, { via: endpoint });
      await assertRelaysBothWays(second, 'second');
      assert.deepEqual(endpoint.resumed, [false, true], 'the first handshake is full, the second resumed');
    },
  );
});
