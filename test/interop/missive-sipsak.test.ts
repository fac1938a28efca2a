/**
 * sipsak REGISTER with digest against `missive serve` over UDP and TCP: the right password registers (the
 * 200 lists the new binding), a wrong password and an unknown user are refused the same way. The domain is
 * `localhost` because sipsak resolves the Request-URI's host and sends there.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MissiveProcess } from '../support/missive-process.js';
import { Cleanup } from './harness/cleanup.js';
import { runSipsak } from './harness/sipsak.js';
import { missingPeers } from './harness/tools.js';

const PASSWORD = 'secret';
const DOMAIN = 'localhost';
/** What sipsak says when its credentials were answered by another 401. */
const REFUSED = /request already contains \(Proxy-\) Authorization, but received 40\[1\|7\]/;

describe('missive with sipsak', { skip: missingPeers(['sipsak']) ?? false }, () => {
  const peers = new Cleanup();
  let missive: MissiveProcess;

  before(async () => {
    missive = peers.add(
      await MissiveProcess.start({
        domain: DOMAIN,
        users: [
          ['sipsak-udp', PASSWORD],
          ['sipsak-tcp', PASSWORD],
        ],
      }),
    );
  });
  after(() => peers.run());

  for (const transport of ['udp', 'tcp'] as const) {
    test(`REGISTER with digest over ${transport}; a wrong password and an unknown user are refused alike`, {
      timeout: 60_000,
    }, async () => {
      const user = `sipsak-${transport}`;
      // A third -v: sipsak prints the final response too.
      const common = { port: missive.ports.sip, host: DOMAIN, transport, expires: 300, extraArgs: ['-v'] };
      const ok = await runSipsak({ ...common, user, password: PASSWORD });
      assert.equal(ok.exit.code, 0, `sipsak ${ok.args.join(' ')}:\n${ok.output}`);
      assert.match(ok.output, /authorizing/, 'missive challenged the REGISTER');
      assert.match(
        ok.output,
        new RegExp(`Contact: <sip:${user}@127\\.0\\.0\\.1:\\d+[^>]*>;expires=300`),
        'the 200 lists the binding just made',
      );

      const wrong = await runSipsak({ ...common, user, password: 'wrong' });
      assert.notEqual(wrong.exit.code, 0, wrong.output);
      assert.match(wrong.output, REFUSED, wrong.output);
      const unknown = await runSipsak({ ...common, user: `nobody-${transport}`, password: 'wrong' });
      assert.equal(unknown.exit.code, wrong.exit.code, unknown.output);
      assert.match(unknown.output, REFUSED, unknown.output);
    });
  }
});
