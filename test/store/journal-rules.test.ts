// The journal's pure rules: the forward-only state order (exhaustively), dispositions, the unread rule and
// cursors.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  canMoveTo,
  countsAsUnread,
  DELIVERY_STATES,
  decodeCursor,
  ENTRY_STATES,
  type EntryState,
  encodeCursor,
  InvalidInputError,
  JOURNAL_START,
} from '../../src/store/index.js';
import { applyUpdate } from '../../src/store/journal/state.js';
import { ALICE, BOB, incoming } from './journal-entries.js';

const ORDER = ['pending', 'accepted', 'delivered', 'displayed'];

describe('journal rules', () => {
  it('states only move forward; failed and error only from pending or accepted', () => {
    const allowed: string[] = [];
    for (const from of [...ENTRY_STATES, null]) {
      for (const to of DELIVERY_STATES) if (canMoveTo(from, to)) allowed.push(`${from} → ${to}`);
    }
    assert.deepEqual(allowed, [
      'pending → accepted',
      'pending → delivered',
      'pending → displayed',
      'pending → failed',
      'pending → error',
      'accepted → delivered',
      'accepted → displayed',
      'accepted → failed',
      'accepted → error',
      'delivered → displayed',
    ]);
  });

  it('any sequence of updates ends at the highest state reached, or at a failure before delivery', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...DELIVERY_STATES), { maxLength: 12 }), (updates) => {
        let entry = {
          state: 'pending' as EntryState | null,
          disposition: ['positive-delivery', 'display'],
          unread: false,
        };
        for (const next of updates) {
          const change = applyUpdate(entry, next);
          entry = {
            state: change.state,
            disposition: [...(change.disposition ?? [])],
            unread: change.unread,
          };
        }
        // The oracle: the highest state reached, unless a failure came while still pending or accepted.
        let highest = 0;
        let failure: string | undefined;
        for (const next of updates) {
          if (failure !== undefined) break;
          if (next === 'failed' || next === 'error') {
            if (highest <= 1) failure = next;
          } else highest = Math.max(highest, ORDER.indexOf(next));
        }
        assert.equal(entry.state, failure ?? ORDER[highest]);
        if (updates.includes('displayed')) assert.deepEqual(entry.disposition, []);
        else if (updates.includes('delivered')) assert.deepEqual(entry.disposition, ['display']);
      }),
    );
  });

  it('an unread entry stops counting once display is gone, and never starts again', () => {
    const unread = {
      state: 'received' as const,
      disposition: ['positive-delivery', 'display'],
      unread: true,
    };
    assert.equal(applyUpdate(unread, 'delivered').unread, true);
    assert.equal(applyUpdate(unread, 'displayed').unread, false);
    assert.equal(applyUpdate({ ...unread, unread: false }, 'delivered').unread, false);
  });

  it('counts incoming displayable messages from others that ask for display', () => {
    assert.equal(countsAsUnread(ALICE, incoming('m')), true);
    assert.equal(countsAsUnread(ALICE, incoming('m', { contentType: 'TEXT/HTML' })), true);
    assert.equal(countsAsUnread(ALICE, incoming('m', { direction: 'outgoing' })), false);
    assert.equal(countsAsUnread(ALICE, incoming('m', { disposition: ['positive-delivery'] })), false);
    assert.equal(countsAsUnread(ALICE, incoming('m', { contact: ALICE })), false);
    assert.equal(countsAsUnread(BOB, incoming('m', { contentType: 'image/jpeg' })), false);
  });

  it('cursors round-trip and refuse anything else', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (seq) => {
        assert.equal(decodeCursor(encodeCursor(seq)), seq);
      }),
    );
    assert.equal(decodeCursor(JOURNAL_START), 0);
    for (const bad of ['', 'j', 'J1', 'j01', 'j-1', 'j1.5', ' j1', 'jzzzzzzzzzzzz', 1 as unknown as string]) {
      assert.throws(() => decodeCursor(bad), InvalidInputError, JSON.stringify(bad));
    }
  });
});
