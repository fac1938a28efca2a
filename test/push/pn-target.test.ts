/**
 * A SIP device's push parameters as a push target (push/pn-target.ts), and the gateway body of its wake
 * push: RFC 8599 pn-provider/pn-prid/pn-param and the Sylk pn-type/pn-tok/pn-app set.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pushTargetOf } from '../../src/push/pn-target.js';
import { gatewayBody } from '../../src/push/sylk-pushserver/payload.js';

describe('push targets of SIP devices', () => {
  it('RFC 8599 apns: the topic after the team id is the app id, the platform apple', () => {
    const target = pushTargetOf({
      aor: 'bob@example.test',
      contact: 'sip:bob@10.0.0.1;transport=tcp',
      instanceId: '<urn:uuid:00000000-0000-4000-8000-000000000001>',
      push: { provider: 'apns', prid: 'tok', param: 'ABCDE12345.com.example.app.voip', extra: {} },
    });
    assert.deepEqual(target, {
      account: 'bob@example.test',
      appId: 'com.example.app.voip',
      deviceId: '<urn:uuid:00000000-0000-4000-8000-000000000001>',
      platform: 'apple',
      token: 'tok',
      silent: false,
    });
  });

  it('RFC 8599 fcm: the project id is the app id, the platform firebase', () => {
    const target = pushTargetOf({
      aor: 'bob@example.test',
      contact: 'sip:bob@10.0.0.1;transport=tcp',
      push: { provider: 'fcm', prid: 'tok', param: 'my-project', extra: {} },
    });
    assert.equal(target.appId, 'my-project');
    assert.equal(target.platform, 'firebase');
    // Neither pn-device nor +sip.instance: the PRID, which stays when the Contact's port changes.
    assert.equal(target.deviceId, 'tok');
  });

  it('a Sylk iOS device: an INVITE wakes its VoIP token, a MESSAGE its background token', () => {
    const device = {
      aor: 'bob@example.test',
      contact: 'sip:bob@10.0.0.1',
      push: {
        provider: 'ios',
        prid: 'voip1-bg2',
        extra: {
          'pn-type': 'ios',
          'pn-tok': 'voip1-bg2',
          'pn-app': 'com.agprojects.sylk',
          'pn-device': 'd1',
        },
      },
    };
    assert.equal(pushTargetOf(device, 'INVITE').token, 'voip1');
    assert.equal(pushTargetOf(device, 'MESSAGE').token, 'bg2');
  });

  it('Sylk parameters: pn-app, pn-device and pn-silent as the device sent them', () => {
    const target = pushTargetOf({
      aor: 'bob@example.test',
      contact: 'sip:bob@10.0.0.1',
      push: {
        provider: 'android',
        prid: 'tok',
        extra: {
          'pn-type': 'android',
          'pn-tok': 'tok',
          'pn-app': 'com.agprojects.sylk',
          'pn-device': 'd1',
          'pn-silent': '1',
        },
      },
    });
    assert.deepEqual(target, {
      account: 'bob@example.test',
      appId: 'com.agprojects.sylk',
      deviceId: 'd1',
      platform: 'android',
      token: 'tok',
      silent: true,
    });
  });

  it('the gateway body of a wake: an INVITE as incoming_session (audio), no content, the device’s silent flag', () => {
    const body = gatewayBody({
      target: { account: 'bob@x', appId: 'com.x', deviceId: 'd1', platform: 'ios', token: 't', silent: true },
      notification: { kind: 'wake', callId: 'c', method: 'INVITE', from: 'alice@x', to: 'bob@x' },
    });
    assert.deepEqual(body, {
      platform: 'ios',
      'app-id': 'com.x',
      token: 't',
      'device-id': 'd1',
      silent: 1,
      'call-id': 'c',
      event: 'incoming_session',
      from: 'alice@x',
      'from-display-name': null,
      'media-type': 'audio',
      to: 'bob@x',
    });
  });
});
