/**
 * The [Push] section as an operator writes it (missive's INI file, SylkServer's webrtcgateway.ini, the
 * environment) and what `missive serve` runs with (cli/serve-options.ts): the gateway URL, the provider of
 * each app id, the APNs and FCM credentials, the dispatch bounds in milliseconds.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { serveOptions } from '../../src/cli/serve-options.js';
import { loadSettings } from '../../src/config/load-settings.js';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'missive-push-config-'));
});
after(() => rm(dir, { recursive: true, force: true }));

describe('[Push] settings', () => {
  test('an INI file with several apps, the APNs key and the FCM service account', async () => {
    const file = join(dir, 'missive.ini');
    await writeFile(
      file,
      [
        '[Push]',
        'push_url = http://push.example.com:8400/push',
        'push_apps = com.example.ios:apns, com.example.android:fcm, com.example.legacy:gateway',
        'push_content = minimal',
        'push_queue_limit = 500',
        'push_concurrency = 4',
        'push_retry_window = 30',
        'push_timeout = 5',
        'push_wake_timeout = 15',
        'apns_key_file = keys/AuthKey_ABCDE12345.p8',
        'apns_key_id = ABCDE12345',
        'apns_team_id = TEAM123456',
        'apns_environment = sandbox',
        'fcm_service_account_file = keys/service-account.json',
        '',
      ].join('\n'),
    );
    const loaded = await loadSettings({ configFile: file, commandLine: {}, environment: {} });
    assert.ok(loaded.ok, loaded.ok ? '' : loaded.problems.join('\n'));
    const { push } = serveOptions(loaded.value.values);
    assert.deepEqual(push, {
      providers: {
        gatewayUrl: 'http://push.example.com:8400/push',
        timeoutMs: 5_000,
        apps: [
          { appId: 'com.example.ios', kind: 'apns' },
          { appId: 'com.example.android', kind: 'fcm' },
          { appId: 'com.example.legacy', kind: 'sylk-pushserver' },
        ],
        apns: {
          keyFile: join(dir, 'keys/AuthKey_ABCDE12345.p8'),
          keyId: 'ABCDE12345',
          teamId: 'TEAM123456',
          environment: 'sandbox',
        },
        fcm: { serviceAccountFile: join(dir, 'keys/service-account.json') },
      },
      dispatch: { contentMode: 'minimal', limit: 500, concurrency: 4, retryWindowMs: 30_000 },
      wakeTimeoutMs: 15_000,
    });
  });

  test('SylkServer’s sylk_push_url is the gateway; the defaults send full content', async () => {
    const sylk = join(dir, 'sylk');
    await mkdir(sylk, { recursive: true });
    await writeFile(
      join(sylk, 'webrtcgateway.ini'),
      '[General]\nsylk_push_url = http://127.0.0.1:8400/push\n',
    );
    const loaded = await loadSettings({ sylkServerDir: sylk, commandLine: {}, environment: {} });
    assert.ok(loaded.ok, loaded.ok ? '' : loaded.problems.join('\n'));
    const { push } = serveOptions(loaded.value.values);
    assert.ok(push !== undefined);
    assert.equal(push.providers.gatewayUrl, 'http://127.0.0.1:8400/push');
    assert.deepEqual(push.providers.apps, []);
    assert.equal(push.providers.apns, undefined);
    assert.equal(push.dispatch.contentMode, 'full');
  });

  test('a bad value names what is allowed', async () => {
    const loaded = await loadSettings({
      commandLine: {},
      environment: { MISSIVE_PUSH_APPS: 'com.example.ios:webpush', MISSIVE_PUSH_CONTENT: 'some' },
    });
    assert.ok(!loaded.ok);
    const problems = loaded.problems.join('\n');
    assert.match(problems, /MISSIVE_PUSH_APPS.*apns, fcm or gateway/);
    assert.match(problems, /MISSIVE_PUSH_CONTENT.*one of full, minimal/);
  });
});
