/**
 * `missive serve`'s settings: one table gives the options, the keys and the variables; each level of
 * precedence wins over the next; a bad file names its line and what is allowed; SylkServer's files map to
 * missive's settings.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Command } from 'commander';
import { addServeCommand } from '../../src/cli/serve-cli.js';
import { loadSettings, type SettingInputs } from '../../src/config/load-settings.js';
import {
  environmentVariable,
  iniKey,
  optionFlag,
  SERVE_SETTING_NAMES,
  specOf,
} from '../../src/config/serve-settings.js';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'missive-settings-'));
});
after(() => rm(dir, { recursive: true, force: true }));

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

async function load(inputs: Partial<SettingInputs>) {
  return loadSettings({ commandLine: {}, environment: {}, ...inputs });
}

describe('the settings table', () => {
  test('derives the option, the key and the variable from the name', () => {
    assert.equal(optionFlag('sipsPort'), '--sips-port');
    assert.equal(iniKey('sipsPort'), 'sips_port');
    assert.equal(environmentVariable('adminSecret'), 'MISSIVE_ADMIN_SECRET');
  });

  test('every option of serve is a key, and every key but the secret one is an option of serve', () => {
    const program = new Command();
    addServeCommand(program);
    const serve = program.commands.find((command) => command.name() === 'serve');
    assert.ok(serve);
    const options = serve.options
      .filter((option) => option.long !== undefined && !option.negate)
      .map((option) => option.long ?? '')
      .filter((long) => long !== '--config' && long !== '--sylkserver-config');
    const keysAsOptions = SERVE_SETTING_NAMES.filter((name) => specOf(name).secret !== true).map(optionFlag);
    assert.deepEqual(options.sort(), keysAsOptions.sort());
    // The old option list, kept by hand before the table: none went missing.
    for (const old of [
      '--data-dir',
      '--store',
      '--domain',
      '--host',
      '--advertise',
      '--sip-port',
      '--sips-port',
      '--ws-port',
      '--web-tls',
      '--retention-days',
      '--msrp-port',
      '--max-page-bytes',
      '--max-message-bytes',
      '--message-rate',
      '--message-burst',
      '--journal-max-entries',
      '--journal-max-bytes',
      '--token-max-failures',
      '--token-failure-window',
      '--token-block-seconds',
      '--token-failure-log-interval',
      '--max-transactions',
      '--admin-port',
      '--max-connections',
      '--max-connections-per-source',
      '--max-outbound-connections',
      '--handshake-timeout',
      '--first-request-timeout',
      '--message-timeout',
      '--idle-timeout',
      '--trusted-peer',
      '--login-pair-max-failures',
      '--login-source-max-failures',
      '--login-failure-window',
      '--login-cooldown',
      '--login-max-entries',
      '--outbound-proxy',
      '--public-url',
      '--debug',
      '--log-level',
    ]) {
      assert.ok(options.includes(old), old);
    }
  });
});

describe('precedence: command line > environment > file > defaults', () => {
  test('each level wins over the next', async () => {
    const config = await file(
      'levels.ini',
      '[SIP]\nsip_port = 5101\nsips_port = 5102\nmax_transactions = 7\n[Web]\nws_port = 5103\n',
    );
    const loaded = await load({
      configFile: config,
      environment: { MISSIVE_SIP_PORT: '5201', MISSIVE_SIPS_PORT: '5202' },
      commandLine: { sipPort: 5301 },
    });
    assert.ok(loaded.ok, JSON.stringify(loaded));
    const { values, sources } = loaded.value;
    assert.equal(values.sipPort, 5301); // command line over environment and file
    assert.equal(sources.sipPort.from, 'command line');
    assert.equal(values.sipsPort, 5202); // environment over file
    assert.deepEqual(sources.sipsPort, { from: 'environment', variable: 'MISSIVE_SIPS_PORT' });
    assert.equal(values.wsPort, 5103); // file over default
    assert.equal(sources.wsPort.from === 'file' && sources.wsPort.value.line, 6);
    assert.equal(values.maxTransactions, 7);
    assert.equal(values.msrpPort, 2855); // the default
    assert.equal(sources.msrpPort.from, 'default');
  });

  test("missive's file wins over SylkServer's, which wins over the default", async () => {
    const sylk = await mkdtemp(join(dir, 'sylk-'));
    await writeFile(join(sylk, 'config.ini'), '[SIP]\nlocal_udp_port = 5401\nlocal_tls_port = 5402\n');
    const config = await file('over-sylk.ini', '[SIP]\nsip_port = 5501\n');
    const loaded = await load({ configFile: config, sylkServerDir: sylk });
    assert.ok(loaded.ok, JSON.stringify(loaded));
    assert.equal(loaded.value.values.sipPort, 5501);
    assert.equal(loaded.value.values.sipsPort, 5402);
  });

  test('lists: comma-separated in a file and a variable; an empty variable is unset', async () => {
    const config = await file('lists.ini', '[General]\ndomain = a.example, b.example\n');
    const loaded = await load({
      configFile: config,
      environment: { MISSIVE_TRUSTED_PEER: '10.0.0.2/32,10.0.0.3', MISSIVE_DOMAIN: '' },
    });
    assert.ok(loaded.ok, JSON.stringify(loaded));
    assert.deepEqual(loaded.value.values.domain, ['a.example', 'b.example']);
    assert.deepEqual(loaded.value.values.trustedPeer, ['10.0.0.2/32', '10.0.0.3']);
  });

  test('a relative data_dir in a file is relative to the file', async () => {
    const config = await file('paths.ini', '[General]\ndata_dir = state\n');
    const loaded = await load({ configFile: config });
    assert.ok(loaded.ok);
    assert.equal(loaded.value.values.dataDir, join(dir, 'state'));
  });

  test('the admin secret comes from the variable or the file', async () => {
    const config = await file('secret.ini', '[Web]\nadmin_secret = from-file\n');
    const fromFile = await load({ configFile: config });
    assert.ok(fromFile.ok);
    assert.equal(fromFile.value.values.adminSecret, 'from-file');
    const fromVariable = await load({
      configFile: config,
      environment: { MISSIVE_ADMIN_SECRET: 'from-env' },
    });
    assert.ok(fromVariable.ok);
    assert.equal(fromVariable.value.values.adminSecret, 'from-env');
  });
});

describe('errors name the file, the line and what is allowed', () => {
  async function problems(
    text: string,
    environment: Record<string, string> = {},
  ): Promise<readonly string[]> {
    const loaded = await load({ configFile: await file('bad.ini', text), environment });
    assert.ok(!loaded.ok, 'refused');
    return loaded.problems;
  }

  test('an unknown key', async () => {
    const [problem] = await problems('[SIP]\nsip_port = 5060\nsip_prot = 5070\n');
    assert.match(
      problem ?? '',
      /bad\.ini:3: unknown key sip_prot in \[SIP\]; the keys of \[SIP\] are sip_port, sips_port/,
    );
  });

  test('a key in the wrong section', async () => {
    const [problem] = await problems('[Web]\nsip_port = 5060\n');
    assert.match(problem ?? '', /bad\.ini:2: sip_port belongs in \[SIP\], not \[Web\]/);
  });

  test('an unknown section', async () => {
    const [problem] = await problems('[General]\ndomain = a.example\n[Sip]\nsip_port = 5060\n');
    assert.match(problem ?? '', /bad\.ini:4: unknown section \[Sip\]; the sections are \[General\], \[SIP\]/);
  });

  test('a bad value, every bad value at once', async () => {
    const found = await problems('[SIP]\nsip_port = 70000\n\n[Messaging]\nmessage_rate = fast\n');
    assert.deepEqual(found.toSorted(), [
      `${join(dir, 'bad.ini')}:2: [SIP] sip_port = 70000: expected a port number from 0 to 65535, or -1 (off)`,
      `${join(dir, 'bad.ini')}:5: [Messaging] message_rate = fast: expected a positive number of messages per second, at most 1000000`,
    ]);
  });

  test('a bad variable', async () => {
    const found = await problems('[SIP]\n', { MISSIVE_MSRP_PORT: 'x' });
    assert.deepEqual(found, [
      'environment variable MISSIVE_MSRP_PORT=x: expected a port number from 0 to 65535',
    ]);
  });

  test('two listeners on one port', async () => {
    const found = await problems('[Web]\nws_port = 5061\nadmin_port = 0\n');
    assert.deepEqual(found, ['--sips-port and --ws-port share port 5061: each listener needs its own port']);
  });

  test('a syntax error and a missing file', async () => {
    const [syntax] = await problems('sip_port = 5060\n');
    assert.match(syntax ?? '', /bad\.ini:1: line before any \[section\] header/);
    const missing = await load({ configFile: join(dir, 'nowhere.ini') });
    assert.ok(!missing.ok);
    assert.match(missing.problems[0] ?? '', /nowhere\.ini: cannot read it \(ENOENT\)/);
  });
});

describe("SylkServer's config.ini and webrtcgateway.ini", () => {
  test('map to missive settings; the other keys are listed as not used', async () => {
    const sylk = await mkdtemp(join(dir, 'sylk-'));
    await writeFile(
      join(sylk, 'webrtcgateway.ini'),
      [
        '[General]',
        'sip_domains = example.com,example.org',
        'web_origins = *',
        'outbound_sip_proxy = 10.0.0.2:5060;transport=tcp',
        'http_management_interface = 127.0.0.1:20999',
        'http_management_auth_secret = s3cret',
        'sylk_push_url = https://push.example.com/v1',
        'file_transfer_dir = /var/spool/files',
        'filetransfer_expire_days = 30',
        '[Cassandra]',
        'cluster_contact_points = 10.0.0.9',
        '',
      ].join('\n'),
    );
    await writeFile(
      join(sylk, 'config.ini'),
      [
        '[Server]',
        'log_level = WARNING',
        '[SIP]',
        'local_ip = 127.0.0.1',
        'local_udp_port = 5070',
        'local_tcp_port = 5070',
        'local_tls_port = 5071',
        'trusted_peers = 10.0.0.2/32',
        '[WebServer]',
        'local_port = 10999',
        'hostname = sip.example.com',
        'public_port = 443',
        'certificate = /etc/tls/cert.pem',
        '',
      ].join('\n'),
    );
    const loaded = await load({ sylkServerDir: sylk });
    assert.ok(loaded.ok, JSON.stringify(loaded));
    const { values, sources } = loaded.value;
    assert.deepEqual(values.domain, ['example.com', 'example.org']);
    assert.equal(values.outboundProxy, 'sip:10.0.0.2:5060;transport=tcp');
    assert.equal(values.adminPort, 20999);
    assert.equal(values.adminSecret, 's3cret');
    assert.equal(values.pushUrl, 'https://push.example.com/v1');
    assert.equal(values.fileTransferDir, '/var/spool/files');
    assert.equal(values.fileTransferExpireDays, 30);
    assert.equal(values.logLevel, 'warn');
    assert.equal(values.host, '127.0.0.1');
    assert.equal(values.sipPort, 5070);
    assert.equal(values.sipsPort, 5071);
    assert.deepEqual(values.trustedPeer, ['10.0.0.2/32']);
    assert.deepEqual(values.webOrigin, ['*']);
    assert.equal(values.wsPort, 10999);
    assert.equal(values.publicUrl, 'https://sip.example.com:443');
    assert.equal(sources.domain.from === 'file' && sources.domain.value.key, 'sip_domains');
    const notUsed = loaded.value.sylkServer?.notUsed.map((key) => `${key.section} ${key.key}`);
    assert.deepEqual(notUsed?.toSorted(), [
      'Cassandra cluster_contact_points',
      'WebServer certificate',
      'WebServer public_port',
    ]);
  });

  test('refuses trusted_peers = any and different UDP and TCP ports, with the file and line', async () => {
    const sylk = await mkdtemp(join(dir, 'sylk-'));
    await writeFile(
      join(sylk, 'config.ini'),
      '[SIP]\ntrusted_peers = any\nlocal_udp_port = 5060\nlocal_tcp_port = 5080\n',
    );
    const loaded = await load({ sylkServerDir: sylk });
    assert.ok(!loaded.ok);
    const text = loaded.problems.join('\n');
    assert.match(text, /config\.ini:2: \[SIP\] trusted_peers = any: missive does not trust every source/);
    assert.match(
      text,
      /config\.ini:3: \[SIP\] local_udp_port = 5060: missive uses one port for SIP over UDP and TCP/,
    );
  });

  test('a bad SylkServer value names its file, line and the missive setting it stands for', async () => {
    const sylk = await mkdtemp(join(dir, 'sylk-'));
    await writeFile(join(sylk, 'webrtcgateway.ini'), '[General]\nfiletransfer_expire_days = soon\n');
    const loaded = await load({ sylkServerDir: sylk });
    assert.ok(!loaded.ok);
    assert.match(
      loaded.problems[0] ?? '',
      /webrtcgateway\.ini:2: \[General\] filetransfer_expire_days = soon \(missive's \[FileTransfer\] file_transfer_expire_days\): expected a whole number from 1/,
    );
  });
});
