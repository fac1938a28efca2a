/** The FCM settings check: the project from the key, the key from a file, and problems that name the setting. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { checkFcmSettings } from '../../src/push/fcm/options.js';
import { fcmProviderFrom } from '../../src/push/fcm/provider.js';
import { ManualClock } from '../support/manual-clock.js';
import { CLIENT_EMAIL, PRIVATE_PEM, PROJECT, START } from './fcm-fixture.js';

describe('FCM settings', () => {
  const account = {
    type: 'service_account',
    project_id: PROJECT,
    private_key: PRIVATE_PEM,
    client_email: CLIENT_EMAIL,
    token_uri: 'https://oauth2.googleapis.com/token',
  };

  it('takes the project from the key and FCM origin by default', () => {
    const checked = checkFcmSettings({ serviceAccount: JSON.stringify(account) });
    assert.ok(checked.ok);
    assert.equal(checked.value.projectId, PROJECT);
    assert.equal(checked.value.origin, 'https://fcm.googleapis.com');
    assert.equal(checked.value.account.tokenUri, 'https://oauth2.googleapis.com/token');
    assert.equal(checked.value.notification, false);
  });

  it('makes a provider from right settings, and none from wrong ones', async () => {
    const dependencies = { clock: new ManualClock(START), logger: pino({ level: 'silent' }) };
    const made = fcmProviderFrom({ serviceAccount: JSON.stringify(account) }, dependencies);
    assert.ok(made.ok);
    assert.equal(made.value.kind, 'fcm');
    await made.value.close();
    const refused = fcmProviderFrom(
      { serviceAccount: JSON.stringify(account), projectId: 'X' },
      dependencies,
    );
    assert.ok(!refused.ok);
    assert.deepEqual(refused.problems, [{ setting: 'projectId', message: 'X is not a Firebase project id' }]);
  });

  it('reads the key from a file path', () => {
    const checked = checkFcmSettings({ serviceAccount: '/etc/missive/firebase.json' }, (path) => {
      assert.equal(path, '/etc/missive/firebase.json');
      return JSON.stringify(account);
    });
    assert.ok(checked.ok);
  });

  it('names what is wrong in the key', () => {
    const checked = checkFcmSettings({
      serviceAccount: JSON.stringify({
        ...account,
        client_email: undefined,
        token_uri: 'http://oauth.example.com/token',
      }),
    });
    assert.ok(!checked.ok);
    assert.deepEqual(checked.problems, [
      { setting: 'serviceAccount', message: 'the key has no client_email' },
      {
        setting: 'serviceAccount',
        message: 'http://oauth.example.com must be an https URL (http only to a loopback host)',
      },
    ]);
  });

  it('refuses a file that is not a service-account key, and bad numbers', () => {
    const checked = checkFcmSettings({
      serviceAccount: JSON.stringify({ type: 'authorized_user' }),
      requestTimeoutMs: 1.5,
      origin: 'ftp://fcm.example.com',
    });
    assert.ok(!checked.ok);
    assert.deepEqual(
      checked.problems.map((p) => p.setting),
      ['serviceAccount', 'origin', 'requestTimeoutMs'],
    );
  });

  it('asks for the project id when the key has none', () => {
    const withoutProject = { ...account, project_id: undefined };
    const checked = checkFcmSettings({ serviceAccount: JSON.stringify(withoutProject) });
    assert.ok(!checked.ok);
    assert.deepEqual(checked.problems, [
      { setting: 'projectId', message: 'is not set and the key has no project_id' },
    ]);
  });
});
