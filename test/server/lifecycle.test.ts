/**
 * A real `missive serve`'s start and stop as an operator meets them: a certificate that cannot be used stops
 * the start with the setting and the file named (and no stack trace), SIGTERM lets a MESSAGE in progress get
 * its final response before the process exits, `config check` checks the certificate files as the start
 * does, and `missive --version` prints the package's version.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { MissiveProcess } from '../support/missive-process.js';
import { missiveArgs, REPO_ROOT } from '../support/node-program.js';
import { Agent } from '../support/sip-agent.js';
import { createTestCa, issueCertificate, type Pem } from '../support/test-ca.js';
import { eventually } from '../support/wait.js';

const DOMAIN = 'missive.test';
const run = promisify(execFile);

function missiveCommand(args: readonly string[]) {
  return run(process.execPath, missiveArgs(args), { cwd: REPO_ROOT });
}

describe('missive serve: certificate errors at the start', () => {
  let dir: string;
  let ca: Pem;
  let leaf: Pem;
  let other: Pem;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'missive-start-'));
    ca = await createTestCa();
    leaf = await issueCertificate(ca, { names: [DOMAIN] });
    other = await issueCertificate(ca, { names: [DOMAIN] });
    await writeFile(join(dir, 'leaf.crt'), `${leaf.cert}\n${ca.cert}`);
    await writeFile(join(dir, 'other.key'), other.key);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const startFails = async (args: readonly string[]): Promise<string> => {
    const error = await MissiveProcess.start({ domain: DOMAIN, users: [], args }).then(
      () => assert.fail('missive serve started'),
      (failure: unknown) => failure as Error,
    );
    assert.doesNotMatch(error.message, /\n\s+at /, 'no stack trace');
    return error.message;
  };

  it('names the key setting and file when the key does not belong to the certificate', async () => {
    const message = await startFails([
      '--tls-certificate',
      join(dir, 'leaf.crt'),
      '--tls-private-key',
      join(dir, 'other.key'),
    ]);
    assert.match(
      message,
      /missive serve: cannot use the TLS certificates:\n {2}\[General\] tls_private_key = .*other\.key: this key does not belong to the certificate in \[General\] tls_certificate = .*leaf\.crt/,
    );
  });

  it('names a certificate that does not hold the MSRP relay host name', async () => {
    const elsewhere = await issueCertificate(ca, { names: ['elsewhere.test'] });
    await writeFile(join(dir, 'elsewhere.crt'), `${elsewhere.cert}\n${ca.cert}`);
    await writeFile(join(dir, 'elsewhere.key'), elsewhere.key);
    const message = await startFails([
      '--tls-certificate',
      join(dir, 'elsewhere.crt'),
      '--tls-private-key',
      join(dir, 'elsewhere.key'),
    ]);
    assert.match(
      message,
      /\[General\] tls_certificate = .*elsewhere\.crt: names elsewhere\.test but not missive\.test, the MSRP relay's host name/,
    );
  });

  it('names the setting and file that cannot be read, and a certificate given without its key', async () => {
    const message = await startFails([
      '--sip-tls-certificate',
      join(dir, 'missing.crt'),
      '--sip-tls-private-key',
      join(dir, 'other.key'),
      '--msrp-tls-certificate',
      join(dir, 'leaf.crt'),
    ]);
    assert.match(message, /\[SIP\] sip_tls_certificate = .*missing\.crt: cannot read it: no such file/);
    assert.match(
      message,
      /\[Relay\] msrp_tls_certificate is set but \[Relay\] msrp_tls_private_key is not: give both/,
    );
  });
});

describe('missive config check: certificate files', () => {
  it('exits 1 naming a key that does not belong to its certificate, as serve would', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'missive-check-'));
    try {
      const ca = await createTestCa();
      const leaf = await issueCertificate(ca, { names: [DOMAIN] });
      const other = await issueCertificate(ca, { names: [DOMAIN] });
      await writeFile(join(dir, 'leaf.crt'), `${leaf.cert}\n${ca.cert}`);
      await writeFile(join(dir, 'other.key'), other.key);
      const failure = await missiveCommand([
        'config',
        'check',
        '--web-tls-certificate',
        join(dir, 'leaf.crt'),
        '--web-tls-private-key',
        join(dir, 'other.key'),
      ]).then(
        () => assert.fail('config check passed'),
        (error: unknown) => error as { code: number; stdout: string },
      );
      assert.equal(failure.code, 1);
      assert.match(
        failure.stdout,
        /The TLS certificates have problems; missive serve would not start:\n {2}\[Web\] web_tls_private_key = .*other\.key: this key does not belong/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('missive serve: SIGTERM', () => {
  let missive: MissiveProcess;
  let alice: Agent;
  let bob: Agent;

  before(async () => {
    missive = await MissiveProcess.start({
      domain: DOMAIN,
      users: [
        ['alice', 'alice-secret'],
        ['bob', 'bob-secret'],
      ],
    });
    const server = { transport: 'udp' as const, host: '127.0.0.1', port: missive.ports.sip };
    alice = await new Agent('alice', DOMAIN, 'alice-secret', server).start();
    bob = await new Agent('bob', DOMAIN, 'bob-secret', server).start();
    assert.equal((await bob.register()).status, 200);
  });
  after(async () => {
    await alice.stop();
    await bob.stop();
    await missive.stop();
  });

  it('lets a MESSAGE whose recipient answers slowly get its final response, then exits 0', async () => {
    const sent = alice.authenticated({
      method: 'MESSAGE',
      uri: `sip:bob@${DOMAIN}`,
      body: 'before the stop',
    });
    const received = await bob.incoming('MESSAGE', 10_000);
    missive.signal('SIGTERM');
    await eventually(
      () => missive.output.includes('stopping: finishing the transactions in progress'),
      'the stop to begin',
    );
    // A request that starts now is refused (the server is going away), not taken and dropped.
    const late = await alice.transact(alice.request({ method: 'OPTIONS', uri: `sip:${DOMAIN}` }));
    assert.equal(late.status, 503);
    assert.equal(late.headers.get('Retry-After') !== undefined, true);
    await bob.answer(received, 200);
    const response = await sent;
    assert.equal(response.status, 200, 'the MESSAGE in progress got its final response');
    assert.equal(await missive.exited(), 0);
  });
});

describe('missive serve: a second SIGTERM', () => {
  it('stops at once, exit 1, without waiting for the transaction in progress', async () => {
    const missive = await MissiveProcess.start({
      domain: DOMAIN,
      users: [
        ['alice', 'alice-secret'],
        ['bob', 'bob-secret'],
      ],
      // Long enough that only the second signal can end the process within the test's time.
      args: ['--stop-timeout', '600'],
    });
    const server = { transport: 'udp' as const, host: '127.0.0.1', port: missive.ports.sip };
    const alice = await new Agent('alice', DOMAIN, 'alice-secret', server).start();
    const bob = await new Agent('bob', DOMAIN, 'bob-secret', server).start();
    try {
      assert.equal((await bob.register()).status, 200);
      void alice
        .authenticated({ method: 'MESSAGE', uri: `sip:bob@${DOMAIN}`, body: 'never answered' })
        .catch(() => undefined);
      await bob.incoming('MESSAGE', 10_000);
      missive.signal('SIGTERM');
      await eventually(
        () => missive.output.includes('stopping: finishing the transactions in progress'),
        'the stop to begin',
      );
      missive.signal('SIGTERM');
      assert.equal(await missive.exited(), 1);
      assert.match(missive.output, /second signal: stopping at once/);
    } finally {
      await alice.stop();
      await bob.stop();
      await missive.stop();
    }
  });
});

describe('missive --version', () => {
  it('prints the package version, with -V too', async () => {
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    assert.equal((await missiveCommand(['--version'])).stdout.trim(), version);
    assert.equal((await missiveCommand(['-V'])).stdout.trim(), version);
  });
});
