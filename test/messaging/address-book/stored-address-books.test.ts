// Address books in a real SQLite store: every concurrent change lands, from one process and from two
// (two stores on one file stand for two instances), and a store that fails is an answer, not a throw.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import type { AddressBookChange } from '../../../src/messaging/address-book/address-book.js';
import { StoredAddressBooks } from '../../../src/messaging/address-book/stored-address-books.js';
import { openStore, type Store } from '../../../src/store/index.js';
import { ManualClock } from '../../support/manual-clock.js';

const ALICE = 'alice@example.test';
const quiet = pino({ level: 'silent' });
const add = (id: string): AddressBookChange => ({ type: 'contact', action: 'add', data: { id, name: id } });

describe('address books in the store', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'missive-address-books-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function storeAt(name: string): Promise<Store> {
    return openStore(`sqlite://${join(dir, name)}`);
  }

  test('fifty changes at once from one process all land, in the order they were asked', async (t) => {
    const store = await storeAt('one.db');
    t.after(() => store.close());
    const books = new StoredAddressBooks(store.addressBooks, new ManualClock(1_700_000_000_000), quiet);
    const ids = Array.from({ length: 50 }, (_, i) => `c${String(i)}`);
    const results = await Promise.all(ids.map((id) => books.change(ALICE, add(id))));
    assert.ok(results.every((result) => result.ok));
    const fetched = await books.fetch(ALICE);
    assert.ok(fetched.ok);
    assert.deepEqual(
      fetched.value.contacts.map((c) => c.id),
      ids,
    );
    assert.equal((await store.addressBooks.get(ALICE))?.version, 50);
  });

  test('two instances on one store writing at once lose nothing (compare and set, then read again)', async (t) => {
    const first = await storeAt('two.db');
    const second = await storeAt('two.db');
    t.after(async () => {
      await first.close();
      await second.close();
    });
    const clock = new ManualClock(1_700_000_000_000);
    const a = new StoredAddressBooks(first.addressBooks, clock, quiet);
    const b = new StoredAddressBooks(second.addressBooks, clock, quiet);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : b).change(ALICE, add(`c${String(i)}`))),
    );
    assert.ok(results.every((result) => result.ok));
    const fetched = await a.fetch(ALICE);
    assert.ok(fetched.ok);
    assert.deepEqual(fetched.value.contacts.map((c) => c.id).sort(), [
      'c0',
      'c1',
      'c2',
      'c3',
      'c4',
      'c5',
      'c6',
      'c7',
      'c8',
      'c9',
    ]);
  });

  test('a refused change writes nothing; a closed store is "unavailable", never a throw', async () => {
    const store = await storeAt('three.db');
    const books = new StoredAddressBooks(store.addressBooks, new ManualClock(1_700_000_000_000), quiet);
    assert.deepEqual(
      await books.change(ALICE, { type: 'contact', action: 'update', data: { id: 'nobody' } }),
      { ok: false, refusal: { kind: 'invalid', reason: 'no contact with id nobody' } },
    );
    assert.equal(await store.addressBooks.get(ALICE), undefined);
    await store.close();
    assert.deepEqual(await books.fetch(ALICE), {
      ok: false,
      refusal: { kind: 'unavailable', reason: 'Address book storage unavailable' },
    });
    assert.deepEqual(await books.change(ALICE, add('c1')), {
      ok: false,
      refusal: { kind: 'unavailable', reason: 'Address book storage unavailable' },
    });
  });
});
