// The APNs and FCM providers as `missive serve` makes them from [Push] settings: one APNs provider per app
// behind one (each push to its app's), and credentials that cannot be used stopping the start with the
// [Push] key to change. (Sending itself is tested against the stand-ins in apns*.test.ts and fcm*.test.ts.)
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { PushCredentialsError, pushProviderFactories } from '../../src/push/provider-factories.js';
import { ManualClock } from '../support/manual-clock.js';
import { message, P8, target } from './apns-fixture.js';
import { PRIVATE_PEM } from './fcm-fixture.js';

const quiet = pino({ level: 'silent' });

describe('push providers from the [Push] settings', () => {
  let dir: string;
  let keyFile: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'missive-push-factories-'));
    keyFile = join(dir, 'AuthKey_ABC123DEFG.p8');
    await writeFile(keyFile, P8);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const factories = () => pushProviderFactories(new ManualClock(Date.UTC(2026, 11, 7)), quiet);
  const apns = (overrides: Record<string, unknown> = {}) =>
    factories().apns?.({
      appIds: ['com.example.one', 'com.example.two'],
      keyFile,
      keyId: 'ABC123DEFG',
      teamId: 'TEAM123456',
      environment: 'sandbox',
      timeoutMs: 1000,
      ...overrides,
    });

  test('APNs: one provider for several apps; a push for an app it does not serve fails, not throws', async () => {
    const provider = apns();
    assert.ok(provider !== undefined);
    assert.equal(provider.kind, 'apns');
    const outcome = await provider.send({ target: target({ appId: 'com.other' }), notification: message() });
    assert.deepEqual(outcome, { kind: 'failed', reason: 'no APNs provider for app com.other' });
    await provider.close();
  });

  test('unusable credentials stop the start, naming the [Push] key', async () => {
    assert.throws(
      () => apns({ keyFile: join(dir, 'missing.p8') }),
      (error: unknown) =>
        error instanceof PushCredentialsError &&
        /APNs for com\.example\.one cannot be used: \[Push\] apns_key_file/.test(error.message),
    );
    assert.throws(() => apns({ keyId: 'short' }), /\[Push\] apns_key_id/);
    const badAccount = join(dir, 'service-account.json');
    await writeFile(badAccount, '{"not": "a service account"}');
    assert.throws(
      () =>
        factories().fcm?.({
          appIds: ['com.example.android'],
          serviceAccountFile: badAccount,
          timeoutMs: 1000,
        }),
      (error: unknown) =>
        error instanceof PushCredentialsError &&
        /FCM cannot be used: \[Push\] fcm_service_account_file/.test(error.message),
    );
  });

  test('an origin or token URL that cannot be used stops the start, naming its [Push] key', async () => {
    assert.throws(
      () => apns({ origin: 'http://apns.example.com' }),
      /\[Push\] apns_origin: .* must be an https URL/,
    );
    const account = join(dir, 'google.json');
    await writeFile(
      account,
      JSON.stringify({
        type: 'service_account',
        project_id: 'sylk-test-1234',
        private_key: PRIVATE_PEM,
        client_email: 'push@sylk-test-1234.iam.gserviceaccount.com',
        token_uri: 'https://oauth2.googleapis.com/token',
      }),
    );
    const fcm = (overrides: Record<string, unknown>) =>
      factories().fcm?.({
        appIds: ['com.example.android'],
        serviceAccountFile: account,
        timeoutMs: 1000,
        ...overrides,
      });
    assert.throws(() => fcm({ origin: 'http://fcm.example.com' }), /\[Push\] fcm_origin: /);
    assert.throws(() => fcm({ tokenUrl: 'http://oauth.example.com/token' }), /\[Push\] fcm_token_url: /);
    const usable = fcm({ origin: 'http://127.0.0.1:9', tokenUrl: 'http://127.0.0.1:9/token' });
    assert.ok(usable !== undefined);
    assert.equal(usable.kind, 'fcm');
    await usable.close();
  });
});
