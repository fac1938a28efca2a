/** The storage-account rule over a real SQLite store. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SubscribersPolicy } from '../../src/messaging/storage-policy.js';
import { LocalAddresses } from '../../src/routing/local-addresses.js';
import { openStore, type Store } from '../../src/store/index.js';
import { ManualClock } from '../support/manual-clock.js';

describe('storage policies', () => {
  let dir: string;
  let store: Store;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'missive-policy-'));
    store = await openStore(`sqlite://${join(dir, 'store.db')}`);
    await store.subscribers.add('alice', 'example.test', 'secret');
    await store.subscribers.add('dave', 'elsewhere.test', 'secret');
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('standalone: a subscriber of a served domain has storage, created on first use', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const policy = new SubscribersPolicy(
      store.storageAccounts,
      store.subscribers.credentials,
      new LocalAddresses(['example.test']),
      clock,
    );
    assert.equal(await store.storageAccounts.get('alice@example.test'), undefined);
    assert.equal(await policy.hasStorage('alice@example.test'), true);
    assert.equal((await store.storageAccounts.get('alice@example.test'))?.lastLogin, 1_700_000_000_000);
    assert.equal(await policy.hasStorage('nobody@example.test'), false, 'not a subscriber');
    assert.equal(
      await policy.hasStorage('dave@elsewhere.test'),
      false,
      'a subscriber, but not a served domain',
    );
    assert.equal(await store.storageAccounts.get('dave@elsewhere.test'), undefined);
    assert.equal(await policy.hasStorage('no-at-sign'), false);
  });

  it('an account that is no subscriber has storage once it has a storage account (registration or token)', async () => {
    const policy = new SubscribersPolicy(
      store.storageAccounts,
      store.subscribers.credentials,
      new LocalAddresses(['example.test']),
      new ManualClock(1_700_000_000_000),
    );
    assert.equal(await policy.hasStorage('carol@example.test'), false);
    await store.storageAccounts.touch('carol@example.test', Date.now());
    assert.equal(await policy.hasStorage('carol@example.test'), true);
  });
});

describe('storage policy cache', () => {
  let dir: string;
  let store: Store;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'missive-policy-cache-'));
    store = await openStore(`sqlite://${join(dir, 'store.db')}`);
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** A policy over the store's storage accounts, counting the reads it makes of them. */
  function counted(maxAccounts: number): {
    policy: SubscribersPolicy;
    clock: ManualClock;
    reads: () => number;
  } {
    let reads = 0;
    const real = store.storageAccounts;
    const accounts = new Proxy(real, {
      get(target, name) {
        const value: unknown = Reflect.get(target, name);
        if (typeof value !== 'function') return value;
        if (name === 'get') reads++;
        return (value as (...args: unknown[]) => unknown).bind(target);
      },
    });
    const clock = new ManualClock(1_700_000_000_000);
    const policy = new SubscribersPolicy(
      accounts,
      store.subscribers.credentials,
      new LocalAddresses(['example.test']),
      clock,
      { ttlMs: 10_000, maxAccounts },
    );
    return { policy, clock, reads: () => reads };
  }

  it('remembers a yes for its time to live, and asks again on a no', async () => {
    const { policy, clock, reads } = counted(10);
    assert.equal(await policy.hasStorage('erin@example.test'), false);
    assert.equal(await policy.hasStorage('erin@example.test'), false);
    assert.equal(reads(), 2, 'a no is not remembered');
    // Given storage by another process (missive db, a registration elsewhere): seen at once.
    await store.storageAccounts.touch('erin@example.test', clock.now());
    assert.equal(await policy.hasStorage('erin@example.test'), true);
    assert.equal(reads(), 3);
    for (let i = 0; i < 5; i++) assert.equal(await policy.hasStorage('erin@example.test'), true);
    assert.equal(reads(), 3, 'a yes is remembered');
    // Removed by `missive db remove` (another process): believed until the time to live has passed.
    await store.storageAccounts.remove('erin@example.test');
    clock.advance(9_999);
    assert.equal(await policy.hasStorage('erin@example.test'), true);
    clock.advance(1);
    assert.equal(await policy.hasStorage('erin@example.test'), false);
    assert.equal(reads(), 4);
  });

  it('remembers at most maxAccounts, forgetting the oldest first', async () => {
    const { policy, clock, reads } = counted(2);
    for (const name of ['f1', 'f2', 'f3']) {
      await store.storageAccounts.touch(`${name}@example.test`, clock.now());
      assert.equal(await policy.hasStorage(`${name}@example.test`), true);
    }
    assert.equal(reads(), 3);
    assert.equal(await policy.hasStorage('f3@example.test'), true);
    assert.equal(await policy.hasStorage('f2@example.test'), true);
    assert.equal(reads(), 3, 'the two newest are remembered');
    assert.equal(await policy.hasStorage('f1@example.test'), true);
    assert.equal(reads(), 4, 'the oldest was forgotten');
  });
});
