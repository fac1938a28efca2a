// Relay spec §9.3, test 45: unknown methods, with allow_other_methods yes and no.
import { it } from 'node:test';
import { assertRelayRequest, assertResponse } from '../harness/expect.js';
import { request } from '../harness/message.js';
import { nothingMoreAt, openSession } from '../harness/session.js';
import { describeModes } from '../harness/suite.js';

const T = { timeout: 30_000 };

describeModes(
  '9.3 methods (allow_other_methods = yes)',
  { settings: { allow_other_methods: 'yes' } },
  (s) => {
    it('45 unknown method FOO is forwarded when allowed', T, async (t) => {
      const session = await openSession(s, s.scope(t));
      await session.a.write(
        request({ tid: 'foo00001', method: 'FOO', toPath: session.toB, fromPath: s.aUri }),
      );
      assertRelayRequest(await session.b.nextMessage(), {
        method: 'FOO',
        toPath: session.bUri,
        fromPath: session.fromA,
      });
    });
  },
);

describeModes('9.3 methods (allow_other_methods = no)', { settings: { allow_other_methods: 'no' } }, (s) => {
  it('45 unknown method FOO gets 501 when not allowed', T, async (t) => {
    const session = await openSession(s, s.scope(t));
    await session.a.write(request({ tid: 'foo00001', method: 'FOO', toPath: session.toB, fromPath: s.aUri }));
    assertResponse(await session.a.nextMessage(), {
      tid: 'foo00001',
      status: 501,
      comment: 'Unknown method: FOO',
      toPath: s.aUri,
      fromPath: session.usePath,
    });
    await nothingMoreAt(session, 'b');
  });
});
