/** checkPublicKey with real openpgp keys: valid, private, expired, revoked, tampered, garbage. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateKey, readKey, revokeKey } from 'openpgp';
import { checkPublicKey, MAX_ARMORED_KEY } from '../../src/messaging/pgp-key.js';

async function pair(options: { expiresInSeconds?: number; created?: Date } = {}) {
  return generateKey({
    type: 'ecc',
    curve: 'curve25519Legacy',
    userIDs: [{ name: 'Alice', email: 'alice@example.test' }],
    keyExpirationTime: options.expiresInSeconds ?? 0,
    ...(options.created === undefined ? {} : { date: options.created }),
    format: 'armored',
  });
}

describe('checkPublicKey', () => {
  it('accepts a valid public key and gives its fingerprint', async () => {
    const { publicKey } = await pair();
    const check = await checkPublicKey(publicKey, Date.now());
    assert.ok(check.ok);
    assert.match(check.fingerprint, /^[0-9a-f]{40}$/);
    assert.ok(check.armored.includes('BEGIN PGP PUBLIC KEY BLOCK'));
  });

  it('refuses a private key (readKey would accept it)', async () => {
    const { privateKey } = await pair();
    const check = await checkPublicKey(privateKey, Date.now());
    assert.deepEqual(check, { ok: false, reason: 'a private key, not a public key' });
  });

  it('refuses an expired key', async () => {
    const { publicKey } = await pair({ expiresInSeconds: 60, created: new Date(Date.now() - 3_600_000) });
    const check = await checkPublicKey(publicKey, Date.now());
    assert.equal(check.ok, false);
    // The same key was fine while it was valid.
    assert.ok((await checkPublicKey(publicKey, Date.now() - 3_600_000 + 30_000)).ok);
  });

  it('refuses a revoked key', async () => {
    const { privateKey } = await generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [{ name: 'Alice', email: 'alice@example.test' }],
      format: 'object',
    });
    const { publicKey: revoked } = await revokeKey({ key: privateKey, format: 'armored' });
    assert.equal((await checkPublicKey(revoked, Date.now())).ok, false);
  });

  it('refuses garbage, a tampered key and an oversized body', async () => {
    assert.equal((await checkPublicKey('not a key', Date.now())).ok, false);
    const { publicKey } = await pair();
    // Another user id under the same self-signature: "Signed digest did not match".
    const key = await readKey({ armoredKey: publicKey });
    const userID = key.users[0]?.userID;
    assert.ok(userID !== undefined && userID !== null);
    (userID as { userID: string }).userID = 'Mallory <mallory@example.test>';
    assert.equal((await checkPublicKey(key.armor(), Date.now())).ok, false);
    const huge = 'x'.repeat(MAX_ARMORED_KEY + 1);
    assert.deepEqual(await checkPublicKey(huge, Date.now()), { ok: false, reason: 'key too large' });
  });
});
