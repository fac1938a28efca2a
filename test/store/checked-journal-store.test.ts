/**
 * CheckedJournalStore, the journal front shared by the SQL backends: every input is checked once, before the
 * backend's row source or writer is called, and the retention purge runs chunk after chunk until one is not
 * full. The reads and writes themselves are the conformance suite's (journal-sqlite, journal-postgres).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidInputError } from '../../src/store/errors.js';
import { CheckedJournalStore, PURGE_CHUNK } from '../../src/store/journal/checked-journal-store.js';
import { JournalPagingReader } from '../../src/store/journal/paging-reader.js';
import type { JournalRowSource } from '../../src/store/journal/row-source.js';
import type { NewEntry } from '../../src/store/journal/types.js';
import type { JournalWriter, PurgedChunk } from '../../src/store/journal/writer.js';

/** A backend that records what reached it and answers nothing useful. */
function recordingBackend(purges: PurgedChunk[] = []) {
  const calls: string[] = [];
  const rows: JournalRowSource = {
    rows(statement) {
      calls.push(`rows:${statement}`);
      return Promise.resolve([]);
    },
  };
  const reached = (name: string) => () => {
    calls.push(name);
    return Promise.reject(new Error(`${name} is not under test`));
  };
  const writer: JournalWriter = {
    append: reached('append'),
    appendBatch: reached('appendBatch'),
    updateState: reached('updateState'),
    markConversationRead: reached('markConversationRead'),
    removeMessage: reached('removeMessage'),
    removeConversation: reached('removeConversation'),
    removeAll: reached('removeAll'),
    purgeChunk(cutoff, limit) {
      calls.push(`purgeChunk:${cutoff}:${limit}`);
      return Promise.resolve(purges.shift() ?? { deleted: 0, full: false });
    },
  };
  return { calls, journal: new CheckedJournalStore(new JournalPagingReader(rows), writer) };
}

const entry: NewEntry = {
  messageId: 'm1',
  contact: 'sip:bob@example.com',
  direction: 'incoming',
  contentType: 'text/plain',
  content: 'hi',
  disposition: null,
  state: null,
  timestamp: '2026-01-01T00:00:00Z',
};

describe('CheckedJournalStore', () => {
  it('refuses bad input with InvalidInputError before the backend sees it', async () => {
    const { calls, journal } = recordingBackend();
    const now = 1_700_000_000_000;
    const refused: (() => Promise<unknown>)[] = [
      () => journal.append('', entry, now),
      () => journal.append('sip:alice@example.com', { ...entry, timestamp: 'yesterday' }, now),
      () => journal.append('sip:alice@example.com', entry, -1),
      () =>
        journal.appendBatch([{ account: 'sip:alice@example.com', entry: { ...entry, messageId: '' } }], now),
      () => journal.get('sip:alice@example.com', 'a\nb'),
      () => journal.updateState('sip:alice@example.com', 'm1', 'lost' as never),
      () => journal.markConversationRead('sip:alice@example.com', '', { now }),
      () => journal.removeMessage('sip:alice@example.com', '', { now }),
      () => journal.removeConversation('sip:alice@example.com', 'sip:bob@example.com', { now: Number.NaN }),
      () => journal.removeAll(''),
      () => journal.unread(''),
      () => journal.latest('sip:alice@example.com', 0.5),
      () => journal.before('sip:alice@example.com', 'not a cursor', 10),
      () => journal.after('sip:alice@example.com', undefined, 10, { maxContentBytes: -1 }),
      () => journal.history('sip:alice@example.com', { limit: 10, since: -5 }),
      () => journal.history('sip:alice@example.com', { limit: 10, messageId: 'x'.repeat(5000) }),
      () => journal.count(''),
      () => journal.usage(''),
      () => journal.contentTypeCounts(''),
      () => journal.purgeOlderThan(1.5),
    ];
    for (const [i, operation] of refused.entries()) {
      await assert.rejects(
        operation,
        (error: unknown) => error instanceof InvalidInputError,
        `operation ${i}`,
      );
    }
    assert.deepEqual(calls, []);
  });

  it('lets checked input through to the reader and the writer', async () => {
    const { calls, journal } = recordingBackend();
    assert.deepEqual(await journal.appendBatch([], 1), []);
    assert.equal(await journal.count('sip:alice@example.com'), 0);
    await assert.rejects(journal.append('sip:alice@example.com', entry, 1), /append is not under test/);
    const page = await journal.history('sip:alice@example.com', { limit: 10, messageId: 'm1' });
    assert.deepEqual(page.entries, []);
    assert.equal(page.unknownMessageId, true);
    // An empty batch writes nothing; the history asks for the id, then reads from the start.
    assert.deepEqual(calls, ['rows:count', 'append', 'rows:seqOf', 'rows:after']);
  });

  it('purges chunk after chunk until one is not full, and adds up what each deleted', async () => {
    const { calls, journal } = recordingBackend([
      { deleted: PURGE_CHUNK, full: true },
      { deleted: PURGE_CHUNK, full: true },
      { deleted: 7, full: false },
      { deleted: 99, full: false },
    ]);
    assert.equal(await journal.purgeOlderThan(1000), 2 * PURGE_CHUNK + 7);
    assert.deepEqual(calls, Array(3).fill(`purgeChunk:1000:${PURGE_CHUNK}`));
  });
});
