/** The APNs settings check: defaults, the key from a file, and problems that name the setting. */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { type ApnsSettings, checkApnsSettings } from '../../src/push/apns/options.js';
import { apnsProviderFrom } from '../../src/push/apns/provider.js';
import { ManualClock } from '../support/manual-clock.js';
import { P8, START } from './apns-fixture.js';

describe('APNs settings', () => {
  const good: ApnsSettings = {
    key: P8,
    keyId: 'ABC123DEFG',
    teamId: 'TEAM456XYZ',
    bundleId: 'com.example.app',
    environment: 'development',
  };

  it('takes the environment origin and defaults', () => {
    const checked = checkApnsSettings(good);
    assert.ok(checked.ok);
    assert.equal(checked.value.origin, 'https://api.sandbox.push.apple.com:443');
    const production = checkApnsSettings({ ...good, environment: 'production' });
    assert.ok(production.ok);
    assert.equal(production.value.origin, 'https://api.push.apple.com:443');
    assert.equal(checked.value.requestTimeoutMs, 10_000);
    assert.equal(checked.value.maxConcurrentStreams, 100);
  });

  it('reads the key from a file path', () => {
    const checked = checkApnsSettings({ ...good, key: '/etc/missive/AuthKey_ABC123DEFG.p8' }, (path) => {
      assert.equal(path, '/etc/missive/AuthKey_ABC123DEFG.p8');
      return P8;
    });
    assert.ok(checked.ok);
  });

  it('names each setting that is wrong', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    });
    const checked = checkApnsSettings({
      key: rsa.toString(),
      keyId: 'abc',
      teamId: '',
      bundleId: 'com.example.app.voip',
      environment: 'staging',
      requestTimeoutMs: 0,
    });
    assert.ok(!checked.ok);
    assert.deepEqual(
      checked.problems.map((p) => p.setting),
      ['key', 'keyId', 'teamId', 'bundleId', 'environment', 'requestTimeoutMs'],
    );
    assert.match(checked.problems[0]?.message ?? '', /EC P-256/);
  });

  it('says which file it cannot read', () => {
    const checked = checkApnsSettings({ ...good, key: '/nonexistent/AuthKey.p8' });
    assert.ok(!checked.ok);
    assert.deepEqual(checked.problems, [
      { setting: 'key', message: 'cannot read the file /nonexistent/AuthKey.p8 (ENOENT)' },
    ]);
  });

  it('makes a provider from right settings, and none from wrong ones', async () => {
    const dependencies = { clock: new ManualClock(START), logger: pino({ level: 'silent' }) };
    const made = apnsProviderFrom(good, dependencies);
    assert.ok(made.ok);
    assert.equal(made.value.kind, 'apns');
    await made.value.close();
    const refused = apnsProviderFrom({ ...good, teamId: 'x' }, dependencies);
    assert.ok(!refused.ok);
    assert.deepEqual(
      refused.problems.map((p) => p.setting),
      ['teamId'],
    );
  });

  it('refuses an origin that is not https', () => {
    const checked = checkApnsSettings({ ...good, origin: 'http://127.0.0.1:8443' });
    assert.ok(!checked.ok);
    assert.equal(checked.problems[0]?.setting, 'origin');
  });
});
