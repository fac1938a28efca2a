/** sameDevice: how the sending device is told apart from the account's other registrations. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sameDevice } from '../../src/messaging/own-messages.js';
import type { Binding, BindingSource } from '../../src/store/location/binding.js';
import type { MessageSource } from '../../src/sip/transport/types.js';

function binding(source: BindingSource): Binding {
  return {
    aor: 'alice@example.test',
    contact: `sip:alice@${source.host}:${String(source.port)}`,
    expiresAt: Date.now() + 60_000,
    callId: 'c',
    cseq: 1,
    path: [],
    source,
    updatedAt: Date.now(),
  };
}

const local = { host: '127.0.0.1', port: 5060 };

describe('sameDevice', () => {
  it('compares the flow: connection id for streams, transport/host/port otherwise', () => {
    const udp: MessageSource = { transport: 'udp', host: '10.0.0.1', port: 5062, local };
    assert.ok(sameDevice(binding({ transport: 'udp', host: '10.0.0.1', port: 5062 }), udp));
    assert.ok(!sameDevice(binding({ transport: 'udp', host: '10.0.0.1', port: 5063 }), udp));
    assert.ok(!sameDevice(binding({ transport: 'tcp', host: '10.0.0.1', port: 5062 }), udp));
    const tcp: MessageSource = { transport: 'tcp', host: '10.0.0.1', port: 40000, connectionId: 'c7', local };
    assert.ok(sameDevice(binding({ transport: 'tcp', host: '10.0.0.1', port: 1, connectionId: 'c7' }), tcp));
    assert.ok(
      !sameDevice(binding({ transport: 'tcp', host: '10.0.0.1', port: 40000, connectionId: 'c8' }), tcp),
    );
  });
});
