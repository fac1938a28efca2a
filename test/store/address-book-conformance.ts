/**
 * The AddressBookStore contract, run on every backend (address-books.test.ts): compare and set by version,
 * so that two devices updating one book at once never lose a change, and the bounds every store checks.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { MAX_ADDRESS_BOOK_DOCUMENT } from '../../src/store/address-books/address-book-store.js';
import { InvalidInputError, openStore, type Store } from '../../src/store/index.js';
import type { ConformanceBackend } from './backends.js';
import { T0 } from './bindings.js';

/**
 * A hang guard for the whole suite, not a bound on its speed: on a loaded 2-core machine (two suites side by
 * side) the Cassandra node took over 120 s for this suite.
 */
const TIMEOUT = { timeout: 600_000 };
const ALICE = 'alice@example.com';

export function runAddressBookConformance(open: () => Promise<ConformanceBackend>): void {
  let backend: ConformanceBackend;

  describe(`address books`, TIMEOUT, () => {
    before(async () => {
      backend = await open();
    });
    after(async () => {
      await backend.close();
    });

    async function fresh(t: TestContext): Promise<Store> {
      const target = await backend.fresh();
      const store = await openStore(target.uri);
      t.after(async () => {
        await store.close();
        await backend.done(target);
      });
      return store;
    }

    it('has none until the first write, which is version 1', async (t) => {
      const store = await fresh(t);
      assert.equal(await store.addressBooks.get(ALICE), undefined);
      assert.equal(await store.addressBooks.put(ALICE, '{"contacts":[]}', 0, T0), true);
      assert.deepEqual(await store.addressBooks.get(ALICE), {
        account: ALICE,
        document: '{"contacts":[]}',
        version: 1,
        updatedAt: T0,
      });
    });

    it('writes only over the version the writer read: the second of two writers loses', async (t) => {
      const store = await fresh(t);
      assert.equal(await store.addressBooks.put(ALICE, 'first', 0, T0), true);
      // A second "first write" after the first one: refused, the first stays.
      assert.equal(await store.addressBooks.put(ALICE, 'other first', 0, T0 + 1), false);
      assert.equal(await store.addressBooks.put(ALICE, 'second', 1, T0 + 2), true);
      // Both devices read version 2; one wins, the other must read again.
      assert.equal(await store.addressBooks.put(ALICE, 'device A', 2, T0 + 3), true);
      assert.equal(await store.addressBooks.put(ALICE, 'device B', 2, T0 + 4), false);
      const stored = await store.addressBooks.get(ALICE);
      assert.equal(stored?.document, 'device A');
      assert.equal(stored.version, 3);
      assert.equal(stored.updatedAt, T0 + 3);
      // A version the store never had is refused too.
      assert.equal(await store.addressBooks.put(ALICE, 'from the future', 7, T0 + 5), false);
    });

    it('keeps each account apart and removes one', async (t) => {
      const store = await fresh(t);
      await store.addressBooks.put(ALICE, 'alice', 0, T0);
      await store.addressBooks.put('bob@example.com', 'bob', 0, T0);
      assert.equal(await store.addressBooks.remove(ALICE), true);
      assert.equal(await store.addressBooks.remove(ALICE), false);
      assert.equal(await store.addressBooks.get(ALICE), undefined);
      assert.equal((await store.addressBooks.get('bob@example.com'))?.document, 'bob');
      // After a removal the account starts again at version 1.
      assert.equal(await store.addressBooks.put(ALICE, 'again', 0, T0 + 1), true);
      assert.equal((await store.addressBooks.get(ALICE))?.version, 1);
    });

    it('refuses a document over the bound and a negative version, and stores nothing', async (t) => {
      const store = await fresh(t);
      await assert.rejects(
        store.addressBooks.put(ALICE, 'x'.repeat(MAX_ADDRESS_BOOK_DOCUMENT + 1), 0, T0),
        InvalidInputError,
      );
      await assert.rejects(store.addressBooks.put(ALICE, '{}', -1, T0), InvalidInputError);
      assert.equal(await store.addressBooks.get(ALICE), undefined);
    });

    it('keeps a large book whole', async (t) => {
      const store = await fresh(t);
      const contacts = Array.from({ length: 2000 }, (_, i) => ({
        id: `c${String(i)}`,
        name: `Contact ${String(i)} — ünïcode`,
        uris: [{ id: `u${String(i)}`, uri: `sip:c${String(i)}@example.com` }],
      }));
      const document = JSON.stringify({ contacts, groups: [], policies: [] });
      assert.ok(document.length < MAX_ADDRESS_BOOK_DOCUMENT);
      assert.equal(await store.addressBooks.put(ALICE, document, 0, T0), true);
      assert.equal((await store.addressBooks.get(ALICE))?.document, document);
    });
  });
}
