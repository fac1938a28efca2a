/**
 * RFC 8599 §5.6 through the proxy over real sockets: bob's device registers over TCP as an outbound flow with
 * push parameters and its connection closes. The binding stays (it can be woken); a MESSAGE for it wakes it
 * (the waker here records the wake: push services are src/push/'s, tested there) and reaches the device once
 * it registers again over a new connection, its 200 going back to the sender; an INVITE waiting for it ends
 * 487 at once when cancelled.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DeviceWaker, SleepingDevice, WakeRequest } from '../../src/routing/device-waker.js';
import { SipRequest, type SipResponse } from '../../src/sip/message/message.js';
import type { Agent } from '../support/sip-agent.js';
import { waitFor } from '../support/wait.js';
import { DOMAIN, type Fixture, startFixture } from './fixture.js';

const INSTANCE = '<urn:uuid:00000000-0000-4000-8000-000000000099>';

class RecordingWaker implements DeviceWaker {
  readonly woken: { device: SleepingDevice; request: WakeRequest }[] = [];
  wake(device: SleepingDevice, request: WakeRequest): Promise<boolean> {
    this.woken.push({ device, request });
    return Promise.resolve(true);
  }
}

describe('woken devices (RFC 8599) through the proxy', () => {
  let fixture: Fixture;
  const waker = new RecordingWaker();

  before(async () => {
    // Long enough that only the device's registration (or a CANCEL) can end a wait within the test.
    fixture = await startFixture({ deviceWaker: waker, wakeTimeoutMs: 60_000 });
  });
  after(async () => {
    await fixture.close();
  });

  async function registerBob(bob: Agent): Promise<void> {
    const contact =
      `<sip:bob@127.0.0.1:${String(bob.port)};transport=tcp;ob;pn-provider=fcm;pn-prid=bob-token;` +
      `pn-param=my-project>;reg-id=1;+sip.instance="${INSTANCE}"`;
    const response = await bob.authenticated({
      method: 'REGISTER',
      uri: `sip:${DOMAIN}`,
      to: `<${bob.aor}>`,
      contact,
      extra: [
        ['Supported', 'outbound'],
        ['Expires', '300'],
      ],
    });
    assert.equal(response.status, 200);
  }

  /** bob registered, then his connection closed (and the proxy has seen it close). */
  async function bobAsleep(): Promise<void> {
    const before = fixture.service.transports.connections.size;
    const bob = await fixture.agent('bob', 'tcp');
    await registerBob(bob);
    await bob.stop();
    await waitFor(() => fixture.service.transports.connections.size === before, 'bob’s connection closed');
    const bindings = await fixture.store.locations.lookup(`bob@${DOMAIN}`, Date.now());
    assert.equal(bindings.length, 1, 'a binding with push parameters outlives its flow');
  }

  test('a MESSAGE wakes the device and reaches it once it registers again', async () => {
    await bobAsleep();
    const alice = await fixture.agent('alice');
    const sending = alice.authenticated({ method: 'MESSAGE', uri: `sip:bob@${DOMAIN}`, body: 'wake up' });
    const { device, request } = await waitFor(() => waker.woken[0], 'the wake');
    assert.deepEqual(device.push, {
      provider: 'fcm',
      prid: 'bob-token',
      param: 'my-project',
      extra: {},
    });
    assert.equal(device.instanceId, INSTANCE);
    assert.equal(request.method, 'MESSAGE');
    assert.equal(request.from, `alice@${DOMAIN}`);
    assert.equal(request.to, `bob@${DOMAIN}`);

    const woken = await fixture.agent('bob', 'tcp');
    await registerBob(woken);
    const received = await woken.incoming('MESSAGE', 10_000);
    assert.equal(received.message.body.toString('utf8'), 'wake up');
    await woken.answer(received, 200);
    assert.equal((await sending).status, 200, 'the device’s 200 reaches the sender');
    await woken.stop();
  });

  test('an INVITE waiting for a sleeping device: a CANCEL ends it 487 at once', async () => {
    const wakes = waker.woken.length;
    await bobAsleep();
    const alice = await fixture.agent('alice');
    const sending = alice.authenticated({ method: 'INVITE', uri: `sip:bob@${DOMAIN}` });
    await waitFor(() => waker.woken.length > wakes, 'the wake');
    const sent = alice.sent.at(-1);
    assert.ok(sent !== undefined && sent.method === 'INVITE');
    const cancel = new SipRequest({ method: 'CANCEL', uri: sent.uri, headers: sent.headers.clone() });
    cancel.headers.set('CSeq', (sent.headers.get('CSeq') ?? '').replace('INVITE', 'CANCEL'));
    assert.equal((await alice.transact(cancel)).status, 200);
    const final: SipResponse = await sending;
    assert.equal(final.status, 487);
  });
});
