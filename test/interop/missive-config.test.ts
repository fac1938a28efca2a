/**
 * `missive serve` as an operator starts it: from a configuration file (the variables and the command line
 * over it), refusing a bad file with its line and no stack trace, and, when a port is taken (a second missive
 * on the same ports), naming the port and the option, key and variable that move it, with exit status 1.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MissiveProcess } from '../support/missive-process.js';
import { missiveArgs, REPO_ROOT } from '../support/node-program.js';
import { freePorts } from '../support/ports.js';

const STACK_LINE = /^\s+at /m;

interface Run {
  readonly code: number | null;
  readonly output: string;
}

/**
 * Runs `missive ARGS` until it exits, or until `until` appears in its output (then it is stopped with
 * SIGTERM and its output so far returned).
 */
function missive(args: readonly string[], env: Record<string, string> = {}, until?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, missiveArgs(args), {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`missive ${args.join(' ')} did not finish:\n${output}`));
    }, 60_000);
    const keep = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      if (until !== undefined && output.includes(until)) child.kill('SIGTERM');
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'missive-config-'));
});
after(() => rm(dir, { recursive: true, force: true }));

describe('missive serve --config', () => {
  test('starts from the file; a variable wins over the file, the command line over both', async () => {
    const [sip = 0, sipsInFile = 0, sipsInEnv = 0, ws = 0, msrpInFile = 0, msrpOnCli = 0] =
      await freePorts(6);
    const config = join(dir, 'start.ini');
    await writeFile(
      config,
      [
        '[General]',
        'domain = conf.example',
        'data_dir = start-data',
        '[SIP]',
        `sip_port = ${String(sip)}`,
        `sips_port = ${String(sipsInFile)}`,
        '[Web]',
        `ws_port = ${String(ws)}`,
        '[Relay]',
        `msrp_port = ${String(msrpInFile)}`,
        '',
      ].join('\n'),
    );
    const run = await missive(
      ['serve', '--config', config, '--msrp-port', String(msrpOnCli)],
      { MISSIVE_SIPS_PORT: String(sipsInEnv) },
      'Test account created',
    );
    assert.match(run.output, /missive is serving SIP domain conf\.example:/);
    assert.ok(run.output.includes(`SIP UDP on 127.0.0.1:${String(sip)}`), run.output);
    assert.ok(run.output.includes(`SIP TLS on 127.0.0.1:${String(sipsInEnv)}`), run.output);
    assert.ok(run.output.includes(`SIP WS on 127.0.0.1:${String(ws)}`), run.output);
    assert.ok(run.output.includes(`MSRP relay on msrps://conf.example:${String(msrpOnCli)};tcp`), run.output);
    // data_dir is relative to the file.
    assert.ok(run.output.includes(join(dir, 'start-data', 'self-signed.crt')), run.output);
  });

  test('an unknown key stops the start: the file, the line, the keys allowed; exit 1', async () => {
    const config = join(dir, 'unknown.ini');
    await writeFile(config, '[SIP]\nsip_port = 5070\nsip_prot = 5071\n');
    const run = await missive(['serve', '--config', config]);
    assert.equal(run.code, 1);
    assert.ok(
      run.output.includes(
        `${config}:3: unknown key sip_prot in [SIP]; the keys of [SIP] are sip_port, sips_port,`,
      ),
      run.output,
    );
    assert.doesNotMatch(run.output, STACK_LINE);
    assert.doesNotMatch(run.output, /listening/);
  });

  test('a bad value stops the start: the file, the line, what is allowed; exit 1', async () => {
    const config = join(dir, 'value.ini');
    await writeFile(config, '[General]\ndomain = a.example\n\n[Web]\nws_port = web\n');
    const run = await missive(['serve', '--config', config]);
    assert.equal(run.code, 1);
    assert.ok(
      run.output.includes(
        `${config}:5: [Web] ws_port = web: expected a port number from 0 to 65535, or -1 (off)`,
      ),
      run.output,
    );
    assert.doesNotMatch(run.output, STACK_LINE);
  });
});

describe('missive config check', () => {
  test('prints each setting with where it came from', async () => {
    const config = join(dir, 'check.ini');
    await writeFile(config, '[SIP]\nsip_port = 5070\nsips_port = 5071\n[Web]\nws_port = 10999\n');
    const run = await missive(['config', 'check', '--config', config, '--sip-port', '5080'], {
      MISSIVE_SIPS_PORT: '5081',
      MISSIVE_ADMIN_SECRET: 'not-to-be-printed',
      MISSIVE_SIP_PROT: '5090',
    });
    assert.equal(run.code, 0, run.output);
    assert.match(run.output, /^sip_port = 5080 +# command line --sip-port$/m);
    assert.match(run.output, /^sips_port = 5081 +# environment MISSIVE_SIPS_PORT$/m);
    assert.match(run.output, new RegExp(`^ws_port = 10999 +# ${config.replaceAll('.', '\\.')}:5$`, 'm'));
    assert.match(run.output, /^msrp_port = 2855 +# default$/m);
    assert.match(run.output, /^admin_secret = \(set, not shown\) +# environment MISSIVE_ADMIN_SECRET$/m);
    assert.match(run.output, /^push_url = +# default$/m);
    assert.ok(!run.output.includes('not-to-be-printed'));
    assert.match(
      run.output,
      /^Variables that are not settings of missive serve \(a typo\?\): .*MISSIVE_SIP_PROT/m,
    );
  });

  test('warns when a file holding the admin secret is readable by others', async () => {
    const config = join(dir, 'secret.ini');
    await writeFile(config, '[Web]\nadmin_secret = from-the-file\n', { mode: 0o644 });
    const run = await missive(['config', 'check', '--config', config], { MISSIVE_ADMIN_SECRET: '' });
    assert.equal(run.code, 0, run.output);
    assert.ok(
      run.output.includes(`${config} holds admin_secret and others can read it (mode 644): chmod 600 it`),
      run.output,
    );
    assert.ok(!run.output.includes('from-the-file'));
  });

  test("reads SylkServer's files: the values they give, and the keys missive does not use", async () => {
    const sylk = join(dir, 'sylkserver');
    await mkdir(sylk);
    await writeFile(
      join(sylk, 'webrtcgateway.ini'),
      '[General]\nsip_domains = example.com\nweb_origins = https://chat.example.com\nrecording_dir = /var/spool/rec\nxcap_url = https://xcap.example.com\n',
    );
    await writeFile(join(sylk, 'config.ini'), '[SIP]\nlocal_tls_port = 5091\n');
    const run = await missive(['config', 'check', '--sylkserver-config', sylk]);
    assert.equal(run.code, 0, run.output);
    const webrtc = join(sylk, 'webrtcgateway.ini').replaceAll('.', '\\.');
    assert.match(
      run.output,
      new RegExp(`^domain = example\\.com +# ${webrtc}:2 \\(SylkServer \\[General\\] sip_domains\\)$`, 'm'),
    );
    assert.match(run.output, /^sips_port = 5091 +# .*config\.ini:2 \(SylkServer \[SIP\] local_tls_port\)$/m);
    assert.match(
      run.output,
      new RegExp(
        `^web_origin = https://chat\\.example\\.com +# ${webrtc}:3 \\(SylkServer \\[General\\] web_origins\\)$`,
        'm',
      ),
    );
    assert.match(
      run.output,
      new RegExp(`^  ${webrtc}:4 \\[General\\] recording_dir: video rooms are not part of missive$`, 'm'),
    );
    assert.match(
      run.output,
      new RegExp(
        `^xcap_url = https://xcap\\.example\\.com +# ${webrtc}:5 \\(SylkServer \\[General\\] xcap_url\\)$`,
        'm',
      ),
    );
  });

  test('names the problems and exits 1', async () => {
    const run = await missive(['config', 'check'], { MISSIVE_SIP_PORT: 'none' });
    assert.equal(run.code, 1);
    assert.match(run.output, /environment variable MISSIVE_SIP_PORT=none: expected a port number/);
  });
});

describe('a port taken by another missive', () => {
  let first: MissiveProcess | undefined;
  after(() => first?.stop());

  async function second(ports: Record<string, number>): Promise<Run> {
    const args = Object.entries(ports).flatMap(([option, port]) => [`--${option}`, String(port)]);
    return missive(['serve', '--data-dir', join(dir, 'second'), ...args]);
  }

  test('names the port, and the option, key and variable that move it; exit 1, no stack trace', async () => {
    first = await MissiveProcess.start({ domain: 'taken.example', users: [] });
    const { sip, sips, ws, msrp } = first.ports;
    const [freeSip = 0, freeSips = 0, freeWs = 0] = await freePorts(3);

    const web = await second({ 'sip-port': sip, 'sips-port': sips, 'ws-port': ws, 'msrp-port': msrp });
    assert.equal(web.code, 1);
    assert.ok(
      web.output.includes(`cannot listen on 127.0.0.1:${String(ws)}: the port is already in use`),
      web.output,
    );
    assert.ok(
      web.output.includes('move it with --ws-port (key ws_port in [Web], or MISSIVE_WS_PORT)'),
      web.output,
    );
    assert.doesNotMatch(web.output, STACK_LINE);

    const udp = await second({ 'sip-port': sip, 'sips-port': sips, 'ws-port': freeWs, 'msrp-port': msrp });
    assert.equal(udp.code, 1);
    assert.ok(udp.output.includes(`cannot listen on 127.0.0.1:${String(sip)}`), udp.output);
    assert.ok(
      udp.output.includes('move it with --sip-port (key sip_port in [SIP], or MISSIVE_SIP_PORT)'),
      udp.output,
    );
    assert.doesNotMatch(udp.output, STACK_LINE);

    const tls = await second({
      'sip-port': freeSip,
      'sips-port': sips,
      'ws-port': freeWs,
      'msrp-port': msrp,
    });
    assert.equal(tls.code, 1);
    assert.ok(
      tls.output.includes('move it with --sips-port (key sips_port in [SIP], or MISSIVE_SIPS_PORT)'),
      tls.output,
    );
    assert.doesNotMatch(tls.output, STACK_LINE);

    const relay = await second({
      'sip-port': freeSip,
      'sips-port': freeSips,
      'ws-port': freeWs,
      'msrp-port': msrp,
    });
    assert.equal(relay.code, 1);
    assert.ok(relay.output.includes(`cannot listen on 127.0.0.1:${String(msrp)}`), relay.output);
    assert.ok(
      relay.output.includes('move it with --msrp-port (key msrp_port in [Relay], or MISSIVE_MSRP_PORT)'),
      relay.output,
    );
    assert.doesNotMatch(relay.output, STACK_LINE);
  });
});

describe('missive serve with a store it cannot reach', () => {
  test('names the store, the setting that moves it and the server to start; exit 1, no stack trace', async () => {
    const [nothingListens = 0] = await freePorts(1);
    const run = await missive([
      'serve',
      '--data-dir',
      join(dir, 'unreachable-store'),
      '--store',
      `postgresql://postgres@127.0.0.1:${String(nothingListens)}/test`,
    ]);
    assert.equal(run.code, 1, run.output);
    assert.match(
      run.output,
      /missive serve: the store cannot be used: PostgreSQL error: connect ECONNREFUSED/,
    );
    assert.ok(run.output.includes('([Storage] store, --store or MISSIVE_STORE)'), run.output);
    assert.doesNotMatch(run.output, STACK_LINE);
  });
});
