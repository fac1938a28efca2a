// Relay spec §9.3, tests 36–40, 42–44, 46–48 and 60: binding and forwarding (timeouts: 41; methods: 45;
// next hops: 49, 50 are in their own files).
import { it } from 'node:test';
import { auth } from '../harness/auth.js';
import { assertRelayReport, assertRelayRequest, assertResponse } from '../harness/expect.js';
import { type HeaderList, header, request, response, responseTo } from '../harness/message.js';
import { nothingMoreAt, ok, openSession } from '../harness/session.js';
import { describeModes } from '../harness/suite.js';

const T = { timeout: 30_000 };
const NO_SESSION = 'Indicated session does not exist, please terminate';

describeModes('9.3 binding and forwarding', {}, (s) => {
  const hello: HeaderList = [
    ['Message-ID', 'm1'],
    ['Byte-Range', '1-5/5'],
    ['Content-Type', 'text/plain'],
  ];

  it('36 first SEND from A binds and connects to B', T, async (t) => {
    const scope = s.scope(t);
    const endpoint = await scope.endpoint();
    const a = await scope.client();
    const { usePath } = await auth(a, { toUri: s.domainUri, fromUri: s.aUri });
    const bUri = endpoint.uri();
    await a.write(
      request({
        tid: 's1234567',
        method: 'SEND',
        toPath: `${usePath} ${bUri}`,
        fromPath: s.aUri,
        headers: hello,
        body: 'hello',
      }),
    );
    const b = await endpoint.nextConnection();
    assertRelayRequest(await b.nextMessage(), {
      method: 'SEND',
      toPath: bUri,
      fromPath: `${usePath} ${s.aUri}`,
      headers: hello,
      body: 'hello',
    });
    assertResponse(await a.nextMessage(), {
      tid: 's1234567',
      status: 200,
      comment: 'OK',
      toPath: s.aUri,
      fromPath: usePath,
    });
  });

  it('37 empty bind SEND (msrplib style)', T, async (t) => {
    const scope = s.scope(t);
    const endpoint = await scope.endpoint();
    const a = await scope.client();
    const { usePath } = await auth(a, { toUri: s.domainUri, fromUri: s.aUri });
    const headers: HeaderList = [
      ['Message-ID', 'bind37'],
      ['Byte-Range', '1-0/0'],
    ];
    await a.write(
      request({
        tid: 's3700000',
        method: 'SEND',
        toPath: `${usePath} ${endpoint.uri()}`,
        fromPath: s.aUri,
        headers,
      }),
    );
    assertResponse(await a.nextMessage(), {
      tid: 's3700000',
      status: 200,
      comment: 'OK',
      toPath: s.aUri,
      fromPath: usePath,
    });
    const b = await endpoint.nextConnection();
    assertRelayRequest(await b.nextMessage(), {
      method: 'SEND',
      toPath: endpoint.uri(),
      fromPath: `${usePath} ${s.aUri}`,
      headers,
    });
  });

  it('38 two sessions on the same relay (the relay connects to itself)', T, async (t) => {
    const scope = s.scope(t);
    const bUri = `${s.mode.scheme}://127.0.0.1:40002/bsess;tcp`;
    const b = await scope.client();
    const { usePath: useB } = await auth(b, { toUri: s.domainUri, fromUri: bUri, username: 'bob' });
    const a = await scope.client();
    const { usePath: useA } = await auth(a, { toUri: s.domainUri, fromUri: s.aUri });
    await a.write(
      request({
        tid: 's3800000',
        method: 'SEND',
        toPath: `${useA} ${useB} ${bUri}`,
        fromPath: s.aUri,
        headers: hello,
        body: 'hello',
      }),
    );
    assertResponse(await a.nextMessage(), {
      tid: 's3800000',
      status: 200,
      comment: 'OK',
      toPath: s.aUri,
      fromPath: useA,
    });
    assertRelayRequest(await b.nextMessage(), {
      method: 'SEND',
      toPath: bUri,
      fromPath: `${useB} ${useA} ${s.aUri}`,
      headers: hello,
      body: 'hello',
    });
  });

  it('39 B answers 481: A gets a REPORT (Byte-Range absent for an empty body)', T, async (t) => {
    const session = await openSession(s, s.scope(t));
    const { a, b } = session;
    await a.write(
      request({
        tid: 's3900000',
        method: 'SEND',
        toPath: session.toB,
        fromPath: s.aUri,
        headers: hello,
        body: 'hello',
      }),
    );
    await b.write(responseTo(await b.nextMessage(), 481, 'No such session', session.bUri));
    assertResponse(await a.nextMessage(), {
      tid: 's3900000',
      status: 200,
      comment: 'OK',
      toPath: s.aUri,
      fromPath: session.usePath,
    });
    assertRelayReport(await a.nextMessage(), {
      toPath: s.aUri,
      fromPath: session.usePath,
      status: '000 481 No such session',
      messageId: 'm1',
      byteRange: '1-5/5',
    });
    const empty: HeaderList = [
      ['Message-ID', 'm39'],
      ['Byte-Range', '1-0/0'],
    ];
    await a.write(
      request({ tid: 's3900001', method: 'SEND', toPath: session.toB, fromPath: s.aUri, headers: empty }),
    );
    await b.write(responseTo(await b.nextMessage(), 481, 'No such session', session.bUri));
    assertResponse(await a.nextMessage(), {
      tid: 's3900001',
      status: 200,
      comment: 'OK',
      toPath: s.aUri,
      fromPath: session.usePath,
    });
    assertRelayReport(await a.nextMessage(), {
      toPath: s.aUri,
      fromPath: session.usePath,
      status: '000 481 No such session',
      messageId: 'm39',
    });
  });

  it('40 B answers 200 OK: nothing is sent to A', T, async (t) => {
    const session = await openSession(s, s.scope(t));
    await session.a.write(
      request({
        tid: 's4000000',
        method: 'SEND',
        toPath: session.toB,
        fromPath: s.aUri,
        headers: hello,
        body: 'hello',
      }),
    );
    await session.b.write(ok(session, await session.b.nextMessage()));
    assertResponse(await session.a.nextMessage(), {
      tid: 's4000000',
      status: 200,
      comment: 'OK',
      toPath: s.aUri,
      fromPath: session.usePath,
    });
    await nothingMoreAt(session, 'a');
  });

  it(
    '42 Failure-Report partial: no 200, downstream 4xx reported; no: no 200, responses ignored',
    T,
    async (t) => {
      const session = await openSession(s, s.scope(t));
      const { a, b } = session;
      const partial: HeaderList = [
        ['Message-ID', 'm42p'],
        ['Byte-Range', '1-5/5'],
        ['Failure-Report', 'partial'],
        ['Content-Type', 'text/plain'],
      ];
      await a.write(
        request({
          tid: 's4200000',
          method: 'SEND',
          toPath: session.toB,
          fromPath: s.aUri,
          headers: partial,
          body: 'hello',
        }),
      );
      const fwd = await b.nextMessage();
      assertRelayRequest(fwd, {
        method: 'SEND',
        toPath: session.bUri,
        fromPath: session.fromA,
        headers: partial,
        body: 'hello',
      });
      await nothingMoreAt(session, 'a');
      await b.write(responseTo(fwd, 415, 'Unsupported media type', session.bUri));
      assertRelayReport(await a.nextMessage(), {
        toPath: s.aUri,
        fromPath: session.usePath,
        status: '000 415 Unsupported media type',
        messageId: 'm42p',
        byteRange: '1-5/5',
      });
      const no: HeaderList = [
        ['Message-ID', 'm42n'],
        ['Byte-Range', '1-5/5'],
        ['Failure-Report', 'no'],
        ['Content-Type', 'text/plain'],
      ];
      await a.write(
        request({
          tid: 's4200001',
          method: 'SEND',
          toPath: session.toB,
          fromPath: s.aUri,
          headers: no,
          body: 'hello',
        }),
      );
      const fwdNo = await b.nextMessage();
      assertRelayRequest(fwdNo, {
        method: 'SEND',
        toPath: session.bUri,
        fromPath: session.fromA,
        headers: no,
        body: 'hello',
      });
      await b.write(responseTo(fwdNo, 481, 'No such session', session.bUri));
      await nothingMoreAt(session, 'a');
    },
  );

  it('43 success REPORT from B reaches A, B gets no response', T, async (t) => {
    const session = await openSession(s, s.scope(t));
    const headers: HeaderList = [
      ['Message-ID', 'm1'],
      ['Byte-Range', '1-5/5'],
      ['Status', '000 200 OK'],
    ];
    await session.b.write(
      request({
        tid: 'rep00001',
        method: 'REPORT',
        toPath: `${session.usePath} ${s.aUri}`,
        fromPath: session.bUri,
        headers,
      }),
    );
    assertRelayRequest(await session.a.nextMessage(), {
      method: 'REPORT',
      toPath: s.aUri,
      fromPath: `${session.usePath} ${session.bUri}`,
      headers,
    });
    await nothingMoreAt(session, 'b');
  });

  it('44 NICKNAME round trip', T, async (t) => {
    const session = await openSession(s, s.scope(t));
    const headers: HeaderList = [['Use-Nickname', '"al"']];
    await session.a.write(
      request({ tid: 'nick0001', method: 'NICKNAME', toPath: session.toB, fromPath: s.aUri, headers }),
    );
    const fwd = await session.b.nextMessage();
    assertRelayRequest(fwd, { method: 'NICKNAME', toPath: session.bUri, fromPath: session.fromA, headers });
    await session.b.write(
      response({
        tid: fwd.tid,
        status: 200,
        comment: 'OK',
        toPath: header(fwd, 'From-Path') ?? '',
        fromPath: session.bUri,
      }),
    );
    assertResponse(await session.a.nextMessage(), {
      tid: 'nick0001',
      status: 200,
      comment: 'OK',
      toPath: s.aUri,
      fromPath: `${session.usePath} ${session.bUri}`,
    });
  });

  it('46 SEND without Byte-Range or Message-ID gets 400, nothing forwarded', T, async (t) => {
    const session = await openSession(s, s.scope(t));
    const cases: [string, HeaderList, string][] = [
      [
        's4600000',
        [
          ['Message-ID', 'm46'],
          ['Content-Type', 'text/plain'],
        ],
        'SEND received without Byte-Range',
      ],
      [
        's4600001',
        [
          ['Byte-Range', '1-5/5'],
          ['Content-Type', 'text/plain'],
        ],
        'SEND received without Message-ID',
      ],
    ];
    for (const [tid, headers, reason] of cases) {
      await session.a.write(
        request({ tid, method: 'SEND', toPath: session.toB, fromPath: s.aUri, headers, body: 'hello' }),
      );
      assertResponse(await session.a.nextMessage(), {
        tid,
        status: 400,
        comment: `Request was unintelligible, please try again (${reason})`,
        toPath: s.aUri,
        fromPath: session.usePath,
      });
    }
    await nothingMoreAt(session, 'b');
  });

  it(
    '47 session checks: wrong sid, foreign From-Path, other destination, no next hop, REPORT while unbound',
    T,
    async (t) => {
      const scope = s.scope(t);
      const session = await openSession(s, scope);
      const { a, usePath, toB } = session;
      const send = (tid: string, toPath: string, fromPath = s.aUri): Promise<void> =>
        a.write(request({ tid, method: 'SEND', toPath, fromPath, headers: hello, body: 'hello' }));
      const expect481 = async (
        tid: string,
        detail: string,
        toPath = s.aUri,
        fromPath = usePath,
      ): Promise<void> => {
        assertResponse(await a.nextMessage(), {
          tid,
          status: 481,
          comment: `${NO_SESSION}: ${detail}`,
          toPath,
          fromPath,
        });
      };
      const wrong = s.relay.uri('wrongsid');
      await send('s4700000', `${wrong} ${session.bUri}`);
      await expect481('s4700000', 'Wrong session id on relay MSRP URI', s.aUri, wrong);
      const foreign = `${s.mode.scheme}://127.0.0.1:40009/other;tcp`;
      await send('s4700001', toB, foreign);
      await expect481('s4700001', 'From-Path does not match session source', foreign);
      await send('s4700002', `${usePath} ${s.mode.scheme}://127.0.0.1:40003/elsewhere;tcp`);
      await expect481('s4700002', 'To-Path does not match session destination');
      await send('s4700003', usePath);
      await expect481('s4700003', 'Non-response with me as endpoint, nowhere to relay to');
      await nothingMoreAt(session, 'b');
      // REPORT on a session that is authenticated but not yet bound.
      const fresh = await scope.client();
      const { usePath: useF } = await auth(fresh, { toUri: s.domainUri, fromUri: s.aUri });
      const headers: HeaderList = [
        ['Message-ID', 'm1'],
        ['Status', '000 200 OK'],
      ];
      await fresh.write(
        request({
          tid: 'r4700000',
          method: 'REPORT',
          toPath: `${useF} ${session.bUri}`,
          fromPath: s.aUri,
          headers,
        }),
      );
      assertResponse(await fresh.nextMessage(), {
        tid: 'r4700000',
        status: 481,
        comment: `${NO_SESSION}: Non-SEND method received on unbound session`,
        toPath: s.aUri,
        fromPath: useF,
      });
    },
  );

  it(
    '48 bind SEND to an unknown sid gets 481; single To-Path SEND on a fresh connection gets 501',
    T,
    async (t) => {
      const scope = s.scope(t);
      const a = await scope.client();
      const nosuch = s.relay.uri('nosuch');
      const bUri = `${s.mode.scheme}://127.0.0.1:40002/bsess;tcp`;
      await a.write(
        request({
          tid: 's4800000',
          method: 'SEND',
          toPath: `${nosuch} ${bUri}`,
          fromPath: s.aUri,
          headers: hello,
          body: 'hello',
        }),
      );
      assertResponse(await a.nextMessage(), {
        tid: 's4800000',
        status: 481,
        comment: NO_SESSION,
        toPath: s.aUri,
        fromPath: nosuch,
      });
      const fresh = await scope.client();
      await fresh.write(
        request({
          tid: 's4800001',
          method: 'SEND',
          toPath: bUri,
          fromPath: s.aUri,
          headers: hello,
          body: 'hello',
        }),
      );
      assertResponse(await fresh.nextMessage(), {
        tid: 's4800001',
        status: 501,
        comment: 'Unknown method: SEND',
        toPath: s.aUri,
        fromPath: bUri,
      });
    },
  );

  it('60 keep-alive SEND: 200 from the relay, header preserved at B', T, async (t) => {
    const session = await openSession(s, s.scope(t));
    const headers: HeaderList = [
      ['Message-ID', 'ka1'],
      ['Byte-Range', '1-0/0'],
      ['Keep-Alive', 'yes'],
    ];
    await session.a.write(
      request({ tid: 'ka000001', method: 'SEND', toPath: session.toB, fromPath: s.aUri, headers }),
    );
    assertResponse(await session.a.nextMessage(), {
      tid: 'ka000001',
      status: 200,
      comment: 'OK',
      toPath: s.aUri,
      fromPath: session.usePath,
    });
    assertRelayRequest(await session.b.nextMessage(), {
      method: 'SEND',
      toPath: session.bUri,
      fromPath: session.fromA,
      headers,
    });
  });
});
