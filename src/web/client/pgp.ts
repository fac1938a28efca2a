/**
 * The OpenPGP work of the web chat, loaded only when an account signs in (its own chunk: openpgp.js is most
 * of the chat's code, and the first screen does not need it). What the Sylk clients do, so that keys and
 * messages go both ways between them and this page (sylkrtc.js lib/pgp.js and lib/worker.js, sylk-mobile's
 * docs/encryption/pgp/Readme.md):
 * - one RSA key pair per account (RSA because the mobile clients' library has no elliptic curves; 2048 bits
 *   as sylkrtc.js generates, which the mobile clients read), the account as its user id;
 * - a message is encrypted to the contact's key and to the account's own, so that the account's other
 *   devices read what it sent;
 * - the private key goes to the account's other devices as `text/pgp-private-key`: the armored public key, a
 *   newline, then the armored private key encrypted with a 6-digit code (the only thing typed on the other
 *   device; both Sylk clients take exactly six digits).
 */
import {
  createMessage,
  decrypt,
  encrypt,
  enums,
  generateKey,
  type PrivateKey,
  type PublicKey,
  readKey,
  readMessage,
  readPrivateKey,
} from 'openpgp';

export interface KeyPair {
  readonly publicKey: string;
  readonly privateKey: string;
}

export type ImportResult =
  | { readonly ok: true; readonly pair: KeyPair }
  | { readonly ok: false; readonly reason: string };

const PUBLIC_BLOCK = /-----BEGIN PGP PUBLIC KEY BLOCK-----[^]*?-----END PGP PUBLIC KEY BLOCK-----/;
const MESSAGE_BLOCK = /-----BEGIN PGP MESSAGE-----[^]*?-----END PGP MESSAGE-----/;
/** Larger than any armored RSA 4096 key pair: a larger export is not read. */
const MAX_EXPORT = 64 * 1024;

export async function generateKeyPair(account: string): Promise<KeyPair> {
  const { publicKey, privateKey } = await generateKey({
    type: 'rsa',
    rsaBits: 2048,
    userIDs: [{ name: account, email: account }],
    format: 'armored',
  });
  return { publicKey, privateKey };
}

/** The fingerprint of an armored key; undefined when it is not one. */
export async function fingerprintOf(armored: string): Promise<string | undefined> {
  try {
    return (await readKey({ armoredKey: armored })).getFingerprint();
  } catch {
    return undefined;
  }
}

/** The account's key pair, read once, for every message of the session. */
export class AccountKeys {
  readonly pair: KeyPair;
  readonly #private: PrivateKey;
  readonly #public: PublicKey;

  private constructor(pair: KeyPair, privateKey: PrivateKey, publicKey: PublicKey) {
    this.pair = pair;
    this.#private = privateKey;
    this.#public = publicKey;
  }

  static async open(pair: KeyPair): Promise<AccountKeys | undefined> {
    try {
      const privateKey = await readPrivateKey({ armoredKey: pair.privateKey });
      const publicKey = (await readKey({ armoredKey: pair.publicKey })).toPublic();
      return privateKey.isDecrypted() ? new AccountKeys(pair, privateKey, publicKey) : undefined;
    } catch {
      return undefined;
    }
  }

  get fingerprint(): string {
    return this.#private.getFingerprint();
  }

  /** Encrypted to the contact and to the account itself (its other devices read it too). */
  async encrypt(text: string, contactKey: string): Promise<string | undefined> {
    try {
      const recipient = (await readKey({ armoredKey: contactKey })).toPublic();
      // openpgp's result types name a package that is not installed (its stream types): read as unknown.
      const sealed: unknown = await encrypt({
        message: await createMessage({ text }),
        encryptionKeys: [recipient, this.#public],
        format: 'armored',
      });
      return typeof sealed === 'string' ? sealed : undefined;
    } catch {
      return undefined;
    }
  }

  /** The text, or undefined when this key cannot read it (sent to another key, or not a message). */
  async decrypt(armored: string): Promise<string | undefined> {
    try {
      const message = await readMessage({ armoredMessage: armored });
      return textOf(await decrypt({ message, decryptionKeys: this.#private }));
    } catch {
      return undefined;
    }
  }

  /** The `text/pgp-private-key` content for the account's other devices, readable with `code`. */
  async export(code: string): Promise<string> {
    const sealed: unknown = await encrypt({
      message: await createMessage({ text: this.pair.privateKey.trim() }),
      passwords: [code],
      config: { preferredCompressionAlgorithm: enums.compression.zlib },
      format: 'armored',
    });
    if (typeof sealed !== 'string') throw new Error('openpgp did not armor the key');
    return `${this.pair.publicKey.trim()}\n${sealed}`;
  }
}

/** Reads a `text/pgp-private-key` content with the code typed from the other device. */
export async function importKeyPair(content: string, code: string): Promise<ImportResult> {
  const sealed = content.length > MAX_EXPORT ? undefined : MESSAGE_BLOCK.exec(content)?.[0];
  if (sealed === undefined)
    return { ok: false, reason: 'The key sent from the other device cannot be read.' };
  let armored: string | undefined;
  try {
    const message = await readMessage({ armoredMessage: sealed });
    armored = textOf(await decrypt({ message, passwords: [code] }));
  } catch {
    return { ok: false, reason: 'Wrong code: type the six digits the other device shows.' };
  }
  const privateKey = armored === undefined ? undefined : await readPrivate(armored);
  if (privateKey === undefined) return { ok: false, reason: 'The other device sent no usable private key.' };
  if (!privateKey.isDecrypted())
    return { ok: false, reason: 'The private key is protected with a passphrase this chat cannot ask for.' };
  const announced = PUBLIC_BLOCK.exec(content)?.[0];
  const publicKey = privateKey.toPublic().armor();
  if (announced !== undefined && (await fingerprintOf(announced)) !== privateKey.getFingerprint())
    return { ok: false, reason: 'The private key does not match the public key sent with it.' };
  return { ok: true, pair: { publicKey, privateKey: privateKey.armor() } };
}

/** The text of a decrypted message (see `encrypt` above about the types). */
function textOf(result: unknown): string | undefined {
  const data: unknown =
    typeof result === 'object' && result !== null ? (result as { data?: unknown }).data : undefined;
  return typeof data === 'string' ? data : undefined;
}

async function readPrivate(armored: string): Promise<PrivateKey | undefined> {
  try {
    return await readPrivateKey({ armoredKey: armored });
  } catch {
    return undefined;
  }
}
