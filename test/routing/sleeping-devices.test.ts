/**
 * RFC 8599 §5.6 in the proxy (routing/sleeping-devices.ts), with the manual clock, a real SQLite location
 * store and a scripted waker: which bindings are asleep (push parameters, their connection gone; UDP never),
 * the wake and its request, the wait ended by the device's new registration, by the timeout, or at once when
 * no push could be sent.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Locations } from '../../src/registrar/locations.js';
import type { DeviceWaker, SleepingDevice, WakeRequest } from '../../src/routing/device-waker.js';
import type { ForwardTarget } from '../../src/routing/proxy/forward-target.js';
import { SleepingDevices } from '../../src/routing/sleeping-devices.js';
import { SipHeaders } from '../../src/sip/headers/header-list.js';
import { SipRequest } from '../../src/sip/message/message.js';
import { parseUri } from '../../src/sip/uri.js';
import { openStore, type Store } from '../../src/store/index.js';
import type { Binding, PushParameters } from '../../src/store/location/binding.js';
import { ManualClock } from '../support/manual-clock.js';
import { eventually } from '../support/wait.js';

const AOR = 'bob@example.test';
const PUSH = { provider: 'apns', prid: 'prid-1', param: 'TEAM.com.x', extra: {} };

class ScriptedWaker implements DeviceWaker {
  readonly woken: { device: SleepingDevice; request: WakeRequest }[] = [];
  readonly #accepted: boolean;
  constructor(accepted = true) {
    this.#accepted = accepted;
  }
  wake(device: SleepingDevice, request: WakeRequest): Promise<boolean> {
    this.woken.push({ device, request });
    return Promise.resolve(this.#accepted);
  }
}

function binding(
  contact: string,
  overrides: Partial<Binding> = {},
  /** null: a binding without push parameters. */
  push: PushParameters | null = PUSH,
): Binding {
  return {
    aor: AOR,
    contact,
    expiresAt: 10_000_000,
    callId: `reg-${contact}`,
    cseq: 1,
    path: [],
    source: { transport: 'tcp', host: '127.0.0.1', port: 5070, connectionId: 'c-dead' },
    ...(push === null ? {} : { push }),
    updatedAt: 1_000,
    ...overrides,
  };
}

function request(method: string): SipRequest {
  const uri = parseUri(`sip:${AOR}`);
  assert.ok(uri !== undefined);
  const headers = SipHeaders.of([
    ['From', '<sip:alice@example.test>;tag=a'],
    ['To', `<sip:${AOR}>`],
    ['Call-ID', 'call-1'],
    ['CSeq', `1 ${method}`],
  ]);
  return new SipRequest({ method, uri, headers, body: Buffer.alloc(0) });
}

function kinds(targets: readonly ForwardTarget[]): string[] {
  return targets.map((target) => target.kind);
}

describe('sleeping devices (RFC 8599 §5.6)', () => {
  let dir: string;
  let store: Store;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'missive-sleeping-'));
    store = await openStore(`sqlite://${join(dir, 'store.db')}`);
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  function devices(waker: DeviceWaker, clock: ManualClock, open: ReadonlySet<string> = new Set(['c-live'])) {
    return new SleepingDevices({
      waker,
      locations: new Locations(store.locations, clock),
      clock,
      timeoutMs: 20_000,
      isConnectionOpen: (id) => open.has(id),
    });
  }

  it('wakes only a binding with push parameters whose connection is gone; UDP and live flows go as usual', () => {
    const sleeping = devices(new ScriptedWaker(), new ManualClock(1_000));
    const targets = sleeping.targets(
      [
        binding('sip:bob@10.0.0.1;transport=tcp'),
        binding('sip:bob@10.0.0.2;transport=tcp', {
          source: { transport: 'tcp', host: '127.0.0.1', port: 1, connectionId: 'c-live' },
        }),
        binding('sip:bob@10.0.0.3', { source: { transport: 'udp', host: '127.0.0.1', port: 2 } }),
        binding('sip:bob@10.0.0.4;transport=tcp', {}, null),
      ],
      request('MESSAGE'),
    );
    assert.deepEqual(kinds(targets), ['network', 'network', 'network', 'deferred']);
    assert.deepEqual(
      kinds(sleeping.targets([binding('sip:bob@10.0.0.1;transport=tcp')], request('OPTIONS'))),
      ['network'],
    );
  });

  it('stale bindings of one device (one PRID) wake it once', () => {
    const sleeping = devices(new ScriptedWaker(), new ManualClock(1_000));
    const targets = sleeping.targets(
      [binding('sip:bob@10.0.0.1;transport=tcp'), binding('sip:bob@10.0.0.9;transport=tcp')],
      request('INVITE'),
    );
    assert.deepEqual(kinds(targets), ['deferred']);
  });

  it('the wait ends with the device’s new binding once it registers again', async () => {
    const clock = new ManualClock(2_000);
    const waker = new ScriptedWaker();
    const sleeping = devices(waker, clock);
    const [target] = sleeping.targets([binding('sip:bob@10.0.0.1;transport=tcp')], request('MESSAGE'));
    assert.ok(target?.kind === 'deferred');
    const resolved = target.resolve();
    await eventually(() => waker.woken.length === 1, 'the wake');
    assert.deepEqual(waker.woken[0]?.request, {
      method: 'MESSAGE',
      from: 'alice@example.test',
      to: AOR,
      callId: 'call-1',
    });
    assert.equal(waker.woken[0].device.push.prid, 'prid-1');
    // Another device of bob's registering does not end the wait.
    await store.locations.upsert(
      binding('sip:bob@10.0.0.7;transport=tcp', {
        push: { ...PUSH, prid: 'other' },
        source: { transport: 'tcp', host: '127.0.0.1', port: 7, connectionId: 'c-live' },
        updatedAt: 2_000,
      }),
    );
    sleeping.registered(AOR);
    await store.locations.upsert(
      binding('sip:bob@10.0.0.1;transport=tcp', {
        source: { transport: 'tcp', host: '127.0.0.1', port: 5071, connectionId: 'c-live' },
        cseq: 2,
        updatedAt: 2_000,
      }),
    );
    sleeping.registered(AOR);
    const network = await resolved;
    assert.ok(network !== undefined);
    assert.equal(network.uri.toString(), 'sip:bob@10.0.0.1;transport=tcp');
    assert.equal(network.flow?.port, 5071);
    assert.equal(sleeping.waiting, 0);
    assert.equal(clock.pending, 0, 'the timer is gone');
    await store.locations.removeAll(AOR);
  });

  it('no registration in time: undefined once the timeout passes (then the branch ends 480)', async () => {
    const clock = new ManualClock(3_000);
    const waker = new ScriptedWaker();
    const sleeping = devices(waker, clock);
    const [target] = sleeping.targets([binding('sip:bob@10.0.0.1;transport=tcp')], request('INVITE'));
    assert.ok(target?.kind === 'deferred');
    const resolved = target.resolve();
    await eventually(() => waker.woken.length === 1, 'the wake');
    clock.advance(19_999);
    assert.equal(sleeping.waiting, 1);
    clock.advance(1);
    assert.equal(await resolved, undefined);
    assert.equal(sleeping.waiting, 0);
  });

  it('a push the provider did not take ends the wait at once', async () => {
    const clock = new ManualClock(4_000);
    const sleeping = devices(new ScriptedWaker(false), clock);
    const [target] = sleeping.targets([binding('sip:bob@10.0.0.1;transport=tcp')], request('MESSAGE'));
    assert.ok(target?.kind === 'deferred');
    assert.equal(await target.resolve(), undefined);
    assert.equal(clock.pending, 0);
  });
});
