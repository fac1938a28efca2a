/**
 * The push tokens of SIP devices (push/registered-tokens.ts): a REGISTER's RFC 8599 or Sylk push parameters
 * become the account's stored token (sylk spec §3.9), one per account, app and device, written in place;
 * removed when the device removes its binding and no other binding of it is left; kept when the binding only
 * expires. The registrar on a real SQLite store with a manual clock (test/registrar/harness.ts).
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { RegisteredPushTokens } from '../../src/push/registered-tokens.js';
import type { RegistrationListener } from '../../src/registrar/options.js';
import { Harness, T0 } from '../registrar/harness.js';

const AOR = 'alice@example.com';
const RFC_8599 =
  '<sip:alice@192.0.2.10:5062;pn-provider=apns;pn-prid=00fc13adff78;pn-param=ABCDE12345.com.example.app.voip>';
const sylk = (token: string, device = 'd1'): string =>
  `<sip:alice@192.0.2.10:5062>;pn-type=ios;pn-tok=${token};pn-app=com.agprojects.sylk;pn-device=${device};pn-silent=1`;

describe('push tokens from SIP REGISTER contacts', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  async function open(listener?: (h: Harness) => RegistrationListener): Promise<Harness> {
    // The listener needs the harness's store and clock; the harness needs the listener first.
    const made: { harness?: Harness } = {};
    const opened = await Harness.open({
      listener: {
        changed: (change) => {
          const harness = made.harness;
          assert.ok(harness !== undefined);
          const chosen =
            listener?.(harness) ?? new RegisteredPushTokens(harness.store.pushTokens, harness.clock);
          return chosen.changed(change);
        },
      },
    });
    made.harness = opened;
    h = opened;
    return opened;
  }

  it('RFC 8599 parameters: the token of the pn-param topic, its PRID as device id, the platform apple', async () => {
    const harness = await open();
    assert.equal((await harness.register({ contacts: [RFC_8599] })).status, 200);
    assert.deepEqual(await harness.store.pushTokens.list(AOR), [
      {
        account: AOR,
        appId: 'com.example.app.voip',
        deviceId: '00fc13adff78',
        platform: 'apple',
        token: '00fc13adff78',
        silent: false,
        userAgent: 'TestPhone/1.0',
        updatedAt: T0,
      },
    ]);
  });

  it('Sylk parameters: pn-app, pn-device, pn-silent, the iOS token split; a new token replaces it in place', async () => {
    const harness = await open();
    await harness.register({ contacts: [sylk('voip1-bg1')] });
    harness.clock.advance(1000);
    await harness.register({ contacts: [sylk('voip2-bg2')] });
    const tokens = await harness.store.pushTokens.list(AOR);
    assert.deepEqual(
      tokens.map(({ appId, deviceId, platform, token, backgroundToken, silent, updatedAt }) => ({
        appId,
        deviceId,
        platform,
        token,
        backgroundToken,
        silent,
        updatedAt,
      })),
      [
        {
          appId: 'com.agprojects.sylk',
          deviceId: 'd1',
          platform: 'ios',
          token: 'voip2',
          backgroundToken: 'bg2',
          silent: true,
          updatedAt: T0 + 1000,
        },
      ],
    );
  });

  it('the device removing its binding (expires=0, or Contact *) removes its token', async () => {
    const harness = await open();
    await harness.register({ contacts: [RFC_8599] });
    assert.equal((await harness.store.pushTokens.list(AOR)).length, 1);
    assert.equal((await harness.register({ contacts: [`${RFC_8599};expires=0`] })).status, 200);
    assert.deepEqual(await harness.store.pushTokens.list(AOR), []);
    await harness.register({ contacts: [RFC_8599] });
    assert.equal((await harness.store.pushTokens.list(AOR)).length, 1);
    assert.equal((await harness.register({ contacts: ['*'], expires: 0 })).status, 200);
    assert.deepEqual(await harness.store.pushTokens.list(AOR), []);
  });

  it('an expired binding keeps its token: a phone asleep is what push is for', async () => {
    const harness = await open();
    await harness.register({ contacts: [`${RFC_8599};expires=60`] });
    harness.clock.advance(61_000);
    assert.equal(await harness.store.locations.purgeExpired(harness.clock.now()), 1);
    assert.equal((await harness.store.pushTokens.list(AOR)).length, 1);
  });

  it('a removed binding whose device has another live binding, or a newer token, leaves the token', async () => {
    const harness = await open();
    // Two contacts of one device (pn-device d1): removing one leaves the device registered.
    await harness.register({
      contacts: [
        sylk('voip1-bg1'),
        `<sip:alice@192.0.2.10:6000>;pn-type=ios;pn-tok=voip1-bg1;pn-app=com.agprojects.sylk;pn-device=d1`,
      ],
    });
    await harness.register({ contacts: [`${sylk('voip1-bg1')};expires=0`] });
    assert.equal((await harness.store.pushTokens.list(AOR))[0]?.token, 'voip1');
    // The device stored a newer token another way (sylkRTC's account-devicetoken): the old binding's removal keeps it.
    const [stored] = await harness.store.pushTokens.list(AOR);
    assert.ok(stored !== undefined);
    await harness.store.pushTokens.upsert({ ...stored, token: 'voip9', backgroundToken: 'bg9' });
    await harness.register({ contacts: ['*'], expires: 0 });
    assert.equal((await harness.store.pushTokens.list(AOR))[0]?.token, 'voip9');
  });

  it('a contact without push parameters stores no token', async () => {
    const harness = await open();
    assert.equal((await harness.register({ contacts: ['<sip:alice@192.0.2.10:5062>'] })).status, 200);
    assert.deepEqual(await harness.store.pushTokens.list(AOR), []);
  });

  it('a token store that fails does not fail the REGISTER: the binding is written', async () => {
    const harness = await open(() => ({
      changed: () => Promise.reject(new Error('token store down')),
    }));
    assert.equal((await harness.register({ contacts: [RFC_8599] })).status, 200);
    assert.equal((await harness.store.locations.lookup(AOR, harness.clock.now())).length, 1);
  });
});
