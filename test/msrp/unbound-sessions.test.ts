/** UnboundSessions: authenticated sessions waiting for their first SEND, by session id. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RelayPeer } from '../../src/msrp/relay/peer.js';
import { Session } from '../../src/msrp/relay/session.js';
import { RelayStats } from '../../src/msrp/relay/stats.js';
import { UnboundSessions } from '../../src/msrp/relay/unbound-sessions.js';
import { TransactionIds } from '../../src/msrp/transaction-ids.js';

describe('UnboundSessions', () => {
  test('a session is found by id until removed; removing another session with the same id keeps it', () => {
    const table = new UnboundSessions();
    const services = { tids: new TransactionIds(), stats: new RelayStats(), unbound: table };
    const source = {} as RelayPeer; // never called here
    const first = new Session('s1', 'alice', 'example.com', 600, source, services, 0);
    const stale = new Session('s1', 'bob', 'example.com', 600, source, services, 0);
    table.add(first);
    assert.equal(table.get('s1'), first);
    assert.equal(table.size, 1);
    table.remove(stale);
    assert.equal(table.get('s1'), first, 'only the session itself is removed');
    table.remove(first);
    assert.equal(table.get('s1'), undefined);
    assert.equal(table.size, 0);
  });
});
