// The address book's rules (sylk spec §1.4.13, file mode): add appends or replaces by id, update replaces an
// existing entry, delete removes by id; the checks on what a client sends; the stored document read back.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  type AddressBook,
  type AddressBookChange,
  EMPTY_ADDRESS_BOOK,
} from '../../../src/messaging/address-book/address-book.js';
import { applyChange } from '../../../src/messaging/address-book/book-change.js';
import { readBookDocument, writeBookDocument } from '../../../src/messaging/address-book/book-document.js';
import {
  checkEntry,
  MAX_ENTRIES_PER_LIST,
  MAX_ENTRY_ID_CHARS,
  MAX_ENTRY_JSON_CHARS,
} from '../../../src/messaging/address-book/entry-check.js';

const carol = { id: 'c1', name: 'Carol', uris: [{ id: 'u1', uri: 'sip:carol@example.test' }] };

function apply(book: AddressBook, change: AddressBookChange): AddressBook {
  const result = applyChange(book, change);
  assert.ok(result.ok, result.ok ? '' : result.error);
  return result.book;
}

describe('address book changes', () => {
  test('add appends, and replaces the entry with the same id in place', () => {
    const dave = { id: 'c2', name: 'Dave' };
    let book = apply(EMPTY_ADDRESS_BOOK, { type: 'contact', action: 'add', data: carol });
    book = apply(book, { type: 'contact', action: 'add', data: dave });
    book = apply(book, { type: 'contact', action: 'add', data: { ...carol, name: 'Carol B.' } });
    assert.deepEqual(
      book.contacts.map((c) => [c.id, c.name]),
      [
        ['c1', 'Carol B.'],
        ['c2', 'Dave'],
      ],
    );
    assert.deepEqual(book.groups, []);
  });

  test('update replaces an existing entry and refuses an unknown id (the reference ignores it silently)', () => {
    const book = apply(EMPTY_ADDRESS_BOOK, {
      type: 'group',
      action: 'add',
      data: { id: 'g1', name: 'Team' },
    });
    const updated = apply(book, { type: 'group', action: 'update', data: { id: 'g1', name: 'Team B' } });
    assert.equal(updated.groups[0]?.name, 'Team B');
    assert.deepEqual(applyChange(book, { type: 'group', action: 'update', data: { id: 'g9', name: 'x' } }), {
      ok: false,
      error: 'no group with id g9',
    });
  });

  test('delete removes by id, answers the removed entry, and leaves a book without it unchanged', () => {
    const book = apply(EMPTY_ADDRESS_BOOK, { type: 'policy', action: 'add', data: { id: 'p1', uri: 'x@y' } });
    const removed = applyChange(book, { type: 'policy', action: 'delete', data: { id: 'p1' } });
    assert.ok(removed.ok);
    assert.deepEqual(removed.book.policies, []);
    assert.deepEqual(removed.entry, { id: 'p1', uri: 'x@y' });
    const again = applyChange(removed.book, { type: 'policy', action: 'delete', data: { id: 'p1' } });
    assert.ok(again.ok);
    assert.deepEqual(again.entry, { id: 'p1' });
    assert.deepEqual(again.book, removed.book);
  });

  test('a full list refuses a new entry but still replaces an existing one', () => {
    const contacts = Array.from({ length: MAX_ENTRIES_PER_LIST }, (_, i) => ({ id: `c${String(i)}` }));
    const book = { ...EMPTY_ADDRESS_BOOK, contacts };
    const refused = applyChange(book, { type: 'contact', action: 'add', data: { id: 'new' } });
    assert.equal(refused.ok, false);
    assert.ok(applyChange(book, { type: 'contact', action: 'add', data: { id: 'c7', name: 'x' } }).ok);
  });

  test('any sequence of changes keeps ids unique in each list, every entry with an id', () => {
    const change = fc.record({
      type: fc.constantFrom('contact', 'group', 'policy' as const),
      action: fc.constantFrom('add', 'update', 'delete' as const),
      data: fc.record({ id: fc.constantFrom('a', 'b', 'c', 'd'), name: fc.string({ maxLength: 5 }) }),
    });
    fc.assert(
      fc.property(fc.array(change, { maxLength: 40 }), (changes) => {
        let book: AddressBook = EMPTY_ADDRESS_BOOK;
        for (const one of changes) {
          const result = applyChange(book, one);
          if (result.ok) book = result.book;
        }
        for (const list of [book.contacts, book.groups, book.policies]) {
          const ids = list.map((entry) => entry.id);
          assert.equal(new Set(ids).size, ids.length);
        }
        assert.deepEqual(readBookDocument(writeBookDocument(book)), { ok: true, book });
      }),
    );
  });
});

describe('what a client sends', () => {
  test('an id is required and bounded', () => {
    assert.deepEqual(checkEntry('contact', { name: 'x' }, true), {
      ok: false,
      error: 'the contact has no id',
    });
    assert.deepEqual(checkEntry('contact', { id: '' }, true), { ok: false, error: 'the contact has no id' });
    assert.deepEqual(checkEntry('group', { id: 7 }, false), { ok: false, error: 'the group has no id' });
    assert.equal(checkEntry('contact', { id: 'x'.repeat(MAX_ENTRY_ID_CHARS + 1) }, false).ok, false);
    assert.equal(checkEntry('contact', { id: 'x'.repeat(MAX_ENTRY_ID_CHARS) }, false).ok, true);
  });

  test('the fields sylkrtc.js reads have the types it expects', () => {
    assert.equal(checkEntry('contact', { id: 'c', name: 3 }, true).ok, false);
    assert.equal(checkEntry('contact', { id: 'c', uris: 'sip:x' }, true).ok, false);
    assert.equal(checkEntry('contact', { id: 'c', uris: [{ id: 'u' }] }, true).ok, false);
    assert.equal(checkEntry('group', { id: 'g', contacts: [{ name: 'no id' }] }, true).ok, false);
    assert.equal(checkEntry('policy', { id: 'p', uri: ['x'] }, true).ok, false);
    assert.equal(checkEntry('contact', carol, true).ok, true);
  });

  test('default_uri is kept under its real name, defaultUri', () => {
    const checked = checkEntry('contact', { ...carol, default_uri: 'u1' }, true);
    assert.ok(checked.ok);
    assert.equal(checked.entry.defaultUri, 'u1');
    assert.equal('default_uri' in checked.entry, false);
  });

  test('an object larger than the bound is refused', () => {
    const big = { id: 'c', name: 'x'.repeat(MAX_ENTRY_JSON_CHARS) };
    assert.equal(checkEntry('contact', big, true).ok, false);
    // Deleting needs only the id, whatever else came with it.
    assert.equal(checkEntry('contact', big, false).ok, true);
  });
});

describe('the stored document', () => {
  test('a document with a bad list reads as what is readable, and says so', () => {
    assert.deepEqual(readBookDocument('not json'), {
      ok: false,
      error: 'the stored address book is not JSON',
      book: EMPTY_ADDRESS_BOOK,
    });
    const partly = readBookDocument(JSON.stringify({ contacts: [carol], groups: 'x' }));
    assert.equal(partly.ok, false);
    assert.deepEqual(partly.book, { contacts: [carol], groups: [], policies: [] });
    assert.deepEqual(readBookDocument('{}'), { ok: true, book: EMPTY_ADDRESS_BOOK });
  });
});
