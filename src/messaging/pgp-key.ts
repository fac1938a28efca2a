/**
 * Checks a `text/pgp-public-key` body before it is stored as someone's key (dependencies.md §7): readKey also
 * accepts private keys, so a private key is refused explicitly; verifyPrimaryKey (self-signatures, revocation,
 * expiry at `now`) must pass.
 */
import { readKey } from 'openpgp';

export type PublicKeyCheck =
  | { readonly ok: true; readonly fingerprint: string; readonly armored: string }
  | { readonly ok: false; readonly reason: string };

/** Largest armored key accepted (a 4096-bit RSA key with several user ids is well below). */
export const MAX_ARMORED_KEY = 64 * 1024;

export async function checkPublicKey(armored: string, now: number): Promise<PublicKeyCheck> {
  if (armored.length > MAX_ARMORED_KEY) return { ok: false, reason: 'key too large' };
  let key;
  try {
    key = await readKey({ armoredKey: armored });
  } catch {
    return { ok: false, reason: 'not an armored OpenPGP key' };
  }
  if (key.isPrivate()) return { ok: false, reason: 'a private key, not a public key' };
  const date = new Date(now);
  try {
    await key.verifyPrimaryKey(date);
  } catch {
    return { ok: false, reason: 'primary key does not verify (invalid, revoked or expired)' };
  }
  try {
    const expires = await key.getExpirationTime();
    if (expires instanceof Date && expires.getTime() <= now) return { ok: false, reason: 'key expired' };
  } catch {
    return { ok: false, reason: 'primary key does not verify' };
  }
  try {
    // A key nobody can encrypt to is useless to the clients (and a broken subkey binding is caught here).
    await key.getEncryptionKey(undefined, date);
  } catch {
    return { ok: false, reason: 'no valid encryption key' };
  }
  return { ok: true, fingerprint: key.getFingerprint(), armored: key.armor() };
}
