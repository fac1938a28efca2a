/**
 * One armored OpenPGP public key per account (sylk spec §3.1), last write wins. Checking that it is a key is
 * the messaging layer's job; the store bounds its size.
 */
export interface PublicKey {
  readonly account: string;
  readonly key: string;
  /** UTC milliseconds, the caller's clock when it was set. */
  readonly updatedAt: number;
}

export interface PublicKeyStore {
  get(account: string): Promise<PublicKey | undefined>;
  /** Replaces any key the account had. */
  set(account: string, key: string, now: number): Promise<void>;
  /** false when the account had no key. */
  remove(account: string): Promise<boolean>;
}
