/** Server-side SIP digest authentication. */
export {
  type AuthContext,
  type AuthKind,
  type AuthOutcome,
  DEFAULT_MAX_TRACKED_NONCES,
  DEFAULT_NONCE_LIFETIME_SECONDS,
  DEFAULT_STORE_RETRY_AFTER_SECONDS,
  DigestAuthenticator,
  type DigestAuthenticatorOptions,
  type DigestIdentity,
  TOO_MANY_FAILURES_REASON,
} from './authenticator.js';
export { type NonceKeys, rotateNonceKeyFile } from './nonce-key-file.js';
