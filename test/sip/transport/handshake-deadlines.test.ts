/** HandshakeDeadlines on the manual clock: a connection armed at accept, settled by another socket object. */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { describe, test } from 'node:test';
import { HandshakeDeadlines } from '../../../src/sip/transport/handshake-deadlines.js';
import { ManualClock } from '../../support/manual-clock.js';

class FakeSocket extends EventEmitter {
  destroyed = false;
  readonly localAddress = '127.0.0.1';
  readonly localPort = 5061;

  constructor(
    readonly remoteAddress: string,
    readonly remotePort: number,
  ) {
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

/** The fake and the Socket view of it that arm() takes. */
function raw(port: number): { fake: FakeSocket; socket: Socket } {
  const fake = new FakeSocket('192.0.2.1', port);
  return { fake, socket: fake as unknown as Socket };
}

describe('HandshakeDeadlines', () => {
  test('a connection that does not finish its handshake in time is destroyed', () => {
    const clock = new ManualClock();
    const expired: Socket[] = [];
    const deadlines = new HandshakeDeadlines(clock, 10_000, (socket) => expired.push(socket));
    const { fake, socket } = raw(40000);
    deadlines.arm(socket);
    clock.advance(9999);
    assert.equal(fake.destroyed, false);
    clock.advance(1);
    assert.equal(fake.destroyed, true);
    assert.deepEqual(expired, [socket]);
    assert.equal(deadlines.pending, 0);
  });

  test('settled through another object over the same connection (its four addresses): kept', () => {
    const clock = new ManualClock();
    const deadlines = new HandshakeDeadlines(clock, 10_000);
    const { fake, socket } = raw(40001);
    const other = raw(40002);
    deadlines.arm(socket);
    deadlines.arm(other.socket);
    clock.advance(5000);
    // The TLSSocket of 'secureConnection' is another object with the same addresses.
    deadlines.settle({
      remoteAddress: '192.0.2.1',
      remotePort: 40001,
      localAddress: '127.0.0.1',
      localPort: 5061,
    });
    clock.advance(60_000);
    assert.equal(fake.destroyed, false);
    assert.equal(other.fake.destroyed, true, 'the one not settled');
  });

  test('a connection that closes first leaves nothing behind', () => {
    const clock = new ManualClock();
    const deadlines = new HandshakeDeadlines(clock, 10_000);
    const { fake, socket } = raw(40003);
    deadlines.arm(socket);
    fake.destroy();
    assert.equal(deadlines.pending, 0);
    // The same addresses again (a new connection from the reused port) get their own deadline.
    const again = raw(40003);
    deadlines.arm(again.socket);
    clock.advance(10_000);
    assert.equal(again.fake.destroyed, true);
  });
});
