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
