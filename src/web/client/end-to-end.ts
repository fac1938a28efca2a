/**
 * End-to-end encryption for one signed-in account, as the Sylk clients do it (pgp.ts says how, sylk-mobile's
 * docs/encryption/pgp/Readme.md says when). At sign-in the key this browser keeps (IndexedDB) is compared
 * with the one missive publishes for the account (`lookup-public-key`, sylk spec §1.4.12):
 *
 * | on the server | in this browser | then |
 * | --- | --- | --- |
 * | none | none | a new key pair, kept here and published (`text/pgp-public-key` to the account itself) |
 * | none | one | it is published |
 * | one | none, or another | the key is on another device: it must be exported there and imported here |
 * | the same | the same | ready |
 *
 * Until then nothing is encrypted (never to a key the account no longer holds). The OpenPGP code is loaded
 * here, lazily, as its own chunk.
 */
import type { AccountKeys, KeyPair } from './pgp.js';
import { loadKeyPair, saveKeyPair } from './key-store.js';
import { PRIVATE_KEY_TYPE, PUBLIC_KEY_TYPE } from './pgp-armor.js';

type Pgp = typeof import('./pgp.js');

export type KeyState =
  | { readonly kind: 'starting' }
  | { readonly kind: 'ready'; readonly fingerprint: string; readonly exportCode?: string }
  /** `offered`: a key sent from another device is waiting for its code. */
  | { readonly kind: 'needs-import'; readonly offered: boolean; readonly error?: string }
  | { readonly kind: 'unavailable'; readonly reason: string };

/** What the session does for this: its requests, and the lookup (event then ack, sylk spec §1.4.12). */
export interface EndToEndPort {
  readonly account: string;
  send(contact: string, content: string, contentType: string): Promise<boolean>;
  lookUpPublicKey(uri: string): Promise<string | undefined>;
}

/** A contact without a key is asked again after this long (they may have signed in to a Sylk client since). */
const NO_KEY_RETRY_MS = 60_000;

export class EndToEnd {
  readonly #port: EndToEndPort;
  #pgp: Promise<Pgp> | undefined;
  #keys: AccountKeys | undefined;
  #state: KeyState = { kind: 'starting' };
  /** The `text/pgp-private-key` content another device sent, until its code is typed. */
  #offer: string | undefined;
  readonly #contactKeys = new Map<string, { readonly key: string | undefined; readonly at: number }>();
  onChange: () => void = () => undefined;

  constructor(port: EndToEndPort) {
    this.#port = port;
  }

  get state(): KeyState {
    return this.#state;
  }

  /** Whether a message to `contact` would be encrypted now (its key is known); no lookup. */
  knows(contact: string): boolean {
    return this.#keys !== undefined && this.#contactKeys.get(contact)?.key !== undefined;
  }

  async start(): Promise<void> {
    try {
      const pgp = await this.#load();
      const [local, published] = await Promise.all([
        loadKeyPair(this.#port.account),
        this.#port.lookUpPublicKey(this.#port.account),
      ]);
      if (published === undefined) {
        const pair = local ?? (await pgp.generateKeyPair(this.#port.account));
        if (local === undefined) await saveKeyPair(this.#port.account, pair);
        if (!(await this.#use(pair))) return;
        await this.#publish();
        return;
      }
      const same =
        local !== undefined &&
        (await pgp.fingerprintOf(local.publicKey)) === (await pgp.fingerprintOf(published));
      if (same) await this.#use(local);
      else this.#set({ kind: 'needs-import', offered: this.#offer !== undefined });
    } catch (error) {
      // No IndexedDB (a private window of some browsers), no Web Crypto (not a secure context): the chat
      // works, unencrypted, and says why.
      this.#set({ kind: 'unavailable', reason: error instanceof Error ? error.message : 'unknown error' });
    }
  }

  /** The armored message for `contact`, or undefined when it goes in clear (no key, for them or for us). */
  async encrypt(contact: string, text: string): Promise<string | undefined> {
    const keys = this.#keys;
    if (keys === undefined) return undefined;
    const key = await this.#contactKey(contact);
    return key === undefined ? undefined : keys.encrypt(text, key);
  }

  /** The text of an armored message, or undefined when this browser has no key that reads it. */
  async decrypt(armored: string): Promise<string | undefined> {
    return this.#keys?.decrypt(armored);
  }

  /** Looks the contact's key up ahead of the first message (and for the conversation's lock). */
  prefetch(contact: string): void {
    if (this.#keys === undefined) return;
    void this.#contactKey(contact).then(() => {
      this.onChange();
    });
  }

  /** A `text/pgp-public-key` from a contact (sylk spec §1.4.6): their current key. */
  learn(contact: string, key: string): void {
    if (contact !== this.#port.account) this.#contactKeys.set(contact, { key, at: Date.now() });
  }

  /** A `text/pgp-private-key` from the account itself (never journaled: only devices online get it). */
  offer(content: string): void {
    if (this.#state.kind === 'ready') return;
    this.#offer = content;
    this.#set({ kind: 'needs-import', offered: true });
  }

  /** Sends the private key to the account's other devices; the code to type there is in the state. */
  async exportKey(): Promise<void> {
    const keys = this.#keys;
    if (keys === undefined) return;
    const code = sixDigits();
    const content = await keys.export(code);
    if (await this.#port.send(this.#port.account, content, PRIVATE_KEY_TYPE))
      this.#set({ kind: 'ready', fingerprint: keys.fingerprint, exportCode: code });
  }

  /** The code typed from the other device: the key is kept here and used from now on. */
  async importKey(code: string): Promise<boolean> {
    const offered = this.#offer;
    if (offered === undefined) return false;
    const pgp = await this.#load();
    const result = await pgp.importKeyPair(offered, code.replace(/\s/g, ''));
    if (!result.ok) {
      this.#set({ kind: 'needs-import', offered: true, error: result.reason });
      return false;
    }
    this.#offer = undefined;
    await saveKeyPair(this.#port.account, result.pair);
    return this.#use(result.pair);
  }

  #load(): Promise<Pgp> {
    this.#pgp ??= import('./pgp.js');
    return this.#pgp;
  }

  async #use(pair: KeyPair): Promise<boolean> {
    const keys = await (await this.#load()).AccountKeys.open(pair);
    if (keys === undefined) {
      this.#set({ kind: 'unavailable', reason: 'the key kept in this browser cannot be read' });
      return false;
    }
    this.#keys = keys;
    this.#set({ kind: 'ready', fingerprint: keys.fingerprint });
    return true;
  }

  /** Publishing is sending the key to oneself: missive stores it as the account's (sylk spec §3.4). */
  async #publish(): Promise<void> {
    const keys = this.#keys;
    if (keys !== undefined) await this.#port.send(this.#port.account, keys.pair.publicKey, PUBLIC_KEY_TYPE);
  }

  async #contactKey(contact: string): Promise<string | undefined> {
    const known = this.#contactKeys.get(contact);
    if (known !== undefined && (known.key !== undefined || Date.now() - known.at < NO_KEY_RETRY_MS))
      return known.key;
    const key = await this.#port.lookUpPublicKey(contact);
    this.#contactKeys.set(contact, { key, at: Date.now() });
    return key;
  }

  #set(state: KeyState): void {
    this.#state = state;
    this.onChange();
  }
}

/** Uniform over 000000–999999 (no modulo bias). */
function sixDigits(): string {
  const limit = Math.floor(0x1_0000_0000 / 1_000_000) * 1_000_000;
  for (;;) {
    const value = crypto.getRandomValues(new Uint32Array(1))[0] ?? limit;
    if (value < limit) return String(value % 1_000_000).padStart(6, '0');
  }
}
