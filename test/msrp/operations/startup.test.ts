// Relay spec §9.5 tests 63–65 and §4 (TLS host name rules), relay spec §6 (pid file), relay spec §7 (bad
// option values), and the sample configuration: startup succeeds or fails with exit status 1 and `Failed to
// create MSRP Relay: …` on stderr.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { auth, requestChallenge, sessionIdOf } from '../harness/auth.js';
import { getCerts } from '../harness/certs.js';
import { connectClient } from '../harness/client.js';
import { type RelayOptions, RelayProcess } from '../harness/relay-process.js';
import { REPO_ROOT } from '../../support/node-program.js';
import { makeCert, startupFailure, suiteOf, tempDir } from './fixtures.js';
import { PROCESS_START_MS } from '../../support/wait.js';

// A test starts one or more relays (PROCESS_START_MS each at the most on a loaded machine).
const T = { timeout: 3 * PROCESS_START_MS };
const NO_CERTIFICATE = 'TLS certificate file is not specified in configuration or is invalid';
const NOT_IN_SAN = (host: string): string =>
  `The specified MSRP Relay hostname "${host}" is not set as DNS subject alternative name in the TLS certificate.`;

describe('relay spec §9.5 startup', { concurrency: 3 }, () => {
  const dir = tempDir('msrp-ops-startup-');
  /** SANs first.example.net (the first one) and *.example.com. */
  let wildcard: { certPath: string; keyPath: string } | undefined;
  const relays: RelayProcess[] = [];

  before(async () => {
    wildcard = await makeCert(dir.path, 'wildcard', ['first.example.net', '*.example.com']);
  });
  after(async () => {
    for (const relay of relays.splice(0)) await relay.stop();
    dir.remove();
  });

  const start = async (opts: RelayOptions): Promise<RelayProcess> => {
    const relay = await RelayProcess.start(opts);
    relays.push(relay);
    return relay;
  };
  const wildcardTls = (hostname: string | null): RelayOptions => {
    if (wildcard === undefined) throw new Error('no certificate');
    return {
      tls: true,
      settings: { certificate: wildcard.certPath, key: wildcard.keyPath, hostname },
    };
  };

  it('63 TLS mode without a certificate: exit 1, "TLS certificate file is not specified…"', T, async () => {
    const message = await startupFailure({
      tls: true,
      settings: { certificate: null, key: null, hostname: null },
    });
    assert.equal(message, NO_CERTIFICATE);
  });

  it('63 TLS mode with a certificate file that does not exist: exit 1, same message', T, async () => {
    const message = await startupFailure({
      tls: true,
      settings: { certificate: join(dir.path, 'missing.crt') },
    });
    assert.ok(message.startsWith(NO_CERTIFICATE), message);
  });

  it('64 hostname not a DNS SAN of the certificate: exit 1 with the relay spec §4 message', T, async () => {
    const message = await startupFailure({ tls: true, settings: { hostname: 'other.example' } });
    assert.equal(message, NOT_IN_SAN('other.example'));
  });

  it('64 a wildcard SAN does not match the bare parent domain', T, async () => {
    assert.equal(await startupFailure(wildcardTls('example.com')), NOT_IN_SAN('example.com'));
  });

  for (const hostname of ['relay.example.com', 'a.b.example.com']) {
    it(
      `64 the wildcard SAN *.example.com accepts hostname ${hostname}; Use-Path carries it`,
      T,
      async (t) => {
        const relay = await start(wildcardTls(hostname));
        const s = suiteOf(relay);
        const a = await s.scope(t).client();
        const { usePath } = await auth(a, { toUri: s.domainUri, fromUri: s.aUri });
        assert.equal(usePath, `msrps://${hostname}:${relay.port}/${sessionIdOf(usePath)};tcp`);
      },
    );
  }

  it('relay spec §4 without hostname, TLS: the first DNS SAN of the certificate is used', T, async (t) => {
    const relay = await start(wildcardTls(null));
    const s = suiteOf(relay);
    const a = await s.scope(t).client();
    const { usePath } = await auth(a, { toUri: s.domainUri, fromUri: s.aUri });
    assert.equal(usePath, `msrps://first.example.net:${relay.port}/${sessionIdOf(usePath)};tcp`);
  });

  const badValues: readonly (readonly [string, RelayOptions, RegExp])[] = [
    [
      'max_auth_attempts = abc',
      { tls: false, settings: { max_auth_attempts: 'abc' } },
      /^\[Relay\] max_auth_attempts = abc: expected /,
    ],
    [
      'debug_notls = maybe',
      { tls: false, settings: { debug_notls: 'maybe' } },
      /^\[Relay\] debug_notls = maybe: expected /,
    ],
    [
      'address = 1.2.3.4:99999',
      { tls: false, settings: { address: '1.2.3.4:99999' } },
      /^\[Relay\] address = 1\.2\.3\.4:99999: expected /,
    ],
    ['backend = ldap', { tls: false, settings: { backend: 'ldap' } }, /^\[Relay\] backend = ldap: expected /],
    [
      'log_level = LOUD',
      { tls: false, settings: { log_level: 'LOUD' } },
      /^\[Relay\] log_level = LOUD: expected /,
    ],
    [
      '[Database] username_col = user; drop',
      {
        tls: false,
        settings: { backend: 'database' },
        sections: { Database: { username_col: 'user; drop' } },
      },
      /^\[Database\] username_col = user; drop: expected /,
    ],
  ];
  for (const [title, opts, expected] of badValues) {
    it(`bad value ${title}: exit 1 and a message naming the option`, T, async () => {
      assert.match(await startupFailure(opts), expected);
    });
  }

  it('--config-file that does not exist: exit 1 and a message naming the file', T, async () => {
    const missing = join(dir.path, 'no-such-dir', 'config.ini');
    const message = await startupFailure({ tls: false, configFile: missing });
    assert.ok(message.includes(missing), message);
  });

  it('--config-file that cannot be read (a directory): exit 1 and a message naming it', T, async () => {
    const message = await startupFailure({ tls: false, configFile: dir.path });
    assert.ok(message.includes(dir.path), message);
  });

  it(
    '65 a second instance with the same --runtime-dir refuses: "already running with pid N"',
    T,
    async () => {
      const run = tempDir('msrp-ops-run-');
      try {
        const pidFile = join(run.path, 'msrprelay.pid');
        const first = await start({ tls: false, args: ['--runtime-dir', run.path] });
        assert.equal(readFileSync(pidFile, 'utf8'), `${first.pid}\n`, 'the pid file names the first relay');

        const message = await startupFailure({ tls: false, args: ['--runtime-dir', run.path] });
        assert.equal(message, `already running with pid ${first.pid}`);
        assert.equal(
          readFileSync(pidFile, 'utf8'),
          `${first.pid}\n`,
          'the refused instance left the pid file',
        );
        assert.ok(first.running, 'the first relay is still running');

        await first.stop(); // SIGTERM
        assert.equal(first.exitCode, 0, `exit status after SIGTERM; output:\n${first.output()}`);
        assert.equal(existsSync(pidFile), false, 'the pid file is removed at exit');

        // A stale pid file (its process is gone) does not prevent a start.
        writeFileSync(pidFile, `${first.pid}\n`);
        const third = await start({ tls: false, args: ['--runtime-dir', run.path] });
        assert.equal(readFileSync(pidFile, 'utf8'), `${third.pid}\n`);
        await third.stop();
        assert.equal(existsSync(pidFile), false, 'the pid file is removed at exit');
      } finally {
        run.remove();
      }
    },
  );

  it(
    'the sample deploy/relay/config.ini.sample starts with only certificate, key and address changed',
    T,
    async (t) => {
      const certs = await getCerts();
      const sample = readFileSync(join(REPO_ROOT, 'deploy/relay/config.ini.sample'), 'utf8');
      let replaced = 0;
      const text = sample
        .replace(/^certificate = .*$/m, () => {
          replaced++;
          return `certificate = ${certs.certPath}`;
        })
        .replace(/^key = .*$/m, () => {
          replaced++;
          return `key = ${certs.keyPath}`;
        });
      assert.equal(replaced, 2, 'the sample sets certificate and key');
      // An ephemeral loopback port instead of the sample's 0.0.0.0:2855, which other tests and peers may hold.
      const withAddress = text.replace(/^\[Relay\]$/m, '[Relay]\naddress = 127.0.0.1:0');
      assert.notEqual(withAddress, text, 'the sample has a [Relay] section');
      const relay = await start({ tls: true, configText: withAddress });
      const listening = relay.logs().find((e) => e.msg === 'MSRP relay listening');
      assert.deepEqual(
        { host: listening?.host, tls: listening?.tls, hostname: listening?.hostname },
        { host: '127.0.0.1', tls: true, hostname: 'localhost' },
      );
      const a = await connectClient({ port: relay.port, tls: true });
      t.after(() => {
        a.destroy();
      });
      const challenge = await requestChallenge(a, {
        toUri: 'msrps://example.com;tcp',
        fromUri: 'msrps://127.0.0.1:40001/asess;tcp',
      });
      assert.equal(challenge.realm, 'example.com');
      a.destroy();
      await relay.stop();
      assert.equal(relay.exitCode, 0);
    },
  );
});
