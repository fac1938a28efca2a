/**
 * What the main bundle needs to know about OpenPGP without loading it (pgp.ts is a separate chunk): the
 * content types the Sylk clients use for keys (sylk spec §1.4.6, §3.3) and how they tell an encrypted body,
 * by its armor markers (sylk-mobile's docs/encryption/pgp/Readme.md, "Incoming text").
 */
export const PUBLIC_KEY_TYPE = 'text/pgp-public-key';
export const PRIVATE_KEY_TYPE = 'text/pgp-private-key';
/** What sylk-mobile sends its own account after an import; informational, never shown. */
export const KEY_IMPORTED_TYPE = 'text/pgp-public-key-imported';

const MESSAGE_BEGIN = '-----BEGIN PGP MESSAGE-----';
const MESSAGE_END = '-----END PGP MESSAGE-----';

export function isPgpMessage(content: string): boolean {
  return content.includes(MESSAGE_BEGIN) && content.includes(MESSAGE_END);
}
