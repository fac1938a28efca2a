/** InboundConnections (per-source and total limits) and the source key that it counts by. */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { describe, test } from 'node:test';
import { InboundConnections } from '../../../src/sip/transport/inbound-connections.js';

/** What admit() uses of a socket: its remote address, destroy() and the 'close' event. */
class FakeSocket extends EventEmitter {
  destroyed = false;

  constructor(readonly remoteAddress: string | undefined) {
    super();
  }

  destroy(): this {
    if (!this.destroyed) {
      this.destroyed = true;
      this.emit('close');
    }
    return this;
  }
}

const socket = (address: string | undefined): Socket => new FakeSocket(address) as unknown as Socket;

describe('InboundConnections', () => {
  test('a source is refused beyond its limit while another is admitted; a close makes room', () => {
    const refused: string[] = [];
    const inbound = new InboundConnections({ maxConnections: 100, maxPerSource: 2 }, (refusal, address) =>
      refused.push(`${refusal} ${address}`),
    );
    const first = socket('192.0.2.1');
    assert.equal(inbound.admit(first), true);
    assert.equal(inbound.admit(socket('192.0.2.1')), true);
    const third = socket('192.0.2.1');
    assert.equal(inbound.admit(third), false);
    assert.equal(third.destroyed, true, 'destroyed at once');
    assert.equal(inbound.admit(socket('192.0.2.2')), true, 'another source');
    assert.deepEqual(refused, ['source 192.0.2.1']);
    assert.equal(inbound.countOf('192.0.2.1'), 2);
    first.destroy();
    assert.equal(inbound.countOf('192.0.2.1'), 1);
    assert.equal(inbound.admit(socket('192.0.2.1')), true);
    assert.equal(inbound.size, 3);
  });

  test('the total limit holds across sources', () => {
    const inbound = new InboundConnections({ maxConnections: 3, maxPerSource: 3 });
    for (const address of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) assert.ok(inbound.admit(socket(address)));
    assert.equal(inbound.admit(socket('192.0.2.4')), false);
  });

  test('a slot is given back once however often release is called', () => {
    const inbound = new InboundConnections({ maxConnections: 10, maxPerSource: 1 });
    const release = inbound.take('192.0.2.1');
    assert.ok(release !== undefined);
    assert.equal(inbound.take('192.0.2.1'), undefined);
    release();
    release();
    assert.equal(inbound.size, 0);
    assert.ok(inbound.take('192.0.2.1') !== undefined);
    assert.equal(inbound.size, 1);
  });

  test('a socket already closed (no address) is not counted', () => {
    const inbound = new InboundConnections({ maxConnections: 10, maxPerSource: 1 });
    assert.equal(inbound.admit(socket(undefined)), false);
    assert.equal(inbound.size, 0);
  });

  test('IPv6 addresses of one /64 share a count', () => {
    const inbound = new InboundConnections({ maxConnections: 10, maxPerSource: 2 });
    assert.ok(inbound.admit(socket('2001:db8:1:2::1')));
    assert.ok(inbound.admit(socket('2001:db8:1:2:aaaa:bbbb:cccc:dddd')));
    assert.equal(inbound.admit(socket('2001:db8:1:2::ffff')), false);
    assert.ok(inbound.admit(socket('2001:db8:1:3::1')), 'another /64');
  });
});
