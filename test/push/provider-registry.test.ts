/**
 * The provider registry: the provider configured for an app id, else the gateway, else none; APNs and FCM
 * made by the factories the composition root passes in (here a test provider), with their settings; an app
 * whose provider cannot be made falls back to the gateway. And the `push_apps` value it is configured with.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pushApp } from '../../src/config/push-values.js';
import {
  type ApnsProviderSettings,
  buildPushProviders,
  type FcmProviderSettings,
} from '../../src/push/provider-registry.js';
import { systemClock } from '../../src/time/clock.js';
import { ScriptedProvider } from './scripted-provider.js';

const now = (): number => 0;

describe('push provider registry', () => {
  it('routes each app to its configured provider and every other app to the gateway', () => {
    const made: { apns?: ApnsProviderSettings; fcm?: FcmProviderSettings } = {};
    const apns = new ScriptedProvider('apns', now);
    const fcm = new ScriptedProvider('fcm', now);
    const providers = buildPushProviders(
      {
        gatewayUrl: 'http://127.0.0.1:8400/push',
        timeoutMs: 5_000,
        apps: [
          { appId: 'com.x.ios', kind: 'apns' },
          { appId: 'com.x.ios.beta', kind: 'apns' },
          { appId: 'com.x.android', kind: 'fcm' },
        ],
        apns: { keyFile: '/k.p8', keyId: 'KEY1234567', teamId: 'TEAM123456', environment: 'sandbox' },
        fcm: { serviceAccountFile: '/sa.json' },
      },
      {
        apns: (settings) => {
          made.apns = settings;
          return apns;
        },
        fcm: (settings) => {
          made.fcm = settings;
          return fcm;
        },
      },
      systemClock,
    );
    assert.equal(providers.forApp('com.x.ios'), apns);
    assert.equal(providers.forApp('com.x.ios.beta'), apns, 'one APNs provider for its apps');
    assert.equal(providers.forApp('com.x.android'), fcm);
    assert.equal(providers.forApp('com.other')?.kind, 'sylk-pushserver');
    assert.deepEqual(made.apns, {
      keyFile: '/k.p8',
      keyId: 'KEY1234567',
      teamId: 'TEAM123456',
      environment: 'sandbox',
      appIds: ['com.x.ios', 'com.x.ios.beta'],
      timeoutMs: 5_000,
    });
    assert.deepEqual(made.fcm, {
      serviceAccountFile: '/sa.json',
      appIds: ['com.x.android'],
      timeoutMs: 5_000,
    });
  });

  it('without a factory or credentials an app falls back to the gateway; without a gateway to none', async () => {
    const withGateway = buildPushProviders(
      {
        gatewayUrl: 'http://127.0.0.1:8400/push',
        timeoutMs: 5_000,
        apps: [{ appId: 'com.x', kind: 'apns' }],
      },
      {},
      systemClock,
    );
    assert.equal(withGateway.forApp('com.x')?.kind, 'sylk-pushserver');
    const fcm = new ScriptedProvider('fcm', now);
    const none = buildPushProviders(
      { timeoutMs: 5_000, apps: [{ appId: 'com.y', kind: 'fcm' }] },
      { fcm: () => fcm },
      systemClock,
    );
    assert.equal(none.forApp('com.y'), undefined, 'fcm without a service account file');
    assert.equal(none.empty, true);
    const closing = buildPushProviders(
      { timeoutMs: 5_000, apps: [{ appId: 'com.y', kind: 'fcm' }], fcm: { serviceAccountFile: '/sa.json' } },
      { fcm: () => fcm },
      systemClock,
    );
    await closing.close();
    assert.equal(fcm.closed, true);
  });

  it('push_apps values: app-id:provider', () => {
    assert.deepEqual(pushApp.parse(' com.x.ios : apns '), {
      ok: true,
      value: { appId: 'com.x.ios', kind: 'apns' },
    });
    assert.deepEqual(pushApp.parse('com.x:gateway'), {
      ok: true,
      value: { appId: 'com.x', kind: 'sylk-pushserver' },
    });
    assert.equal(pushApp.parse('com.x:webpush').ok, false);
    assert.equal(pushApp.parse('apns').ok, false);
    assert.equal(pushApp.parse(':fcm').ok, false);
  });
});
