/**
 * A full digest exchange against the relay's real Authenticator (challenge, client response, check), so a
 * CredentialStore is judged the way authentication will use it rather than by comparing strings.
 */
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { parseAuthParams } from '../../src/auth/auth-params.js';
import { computeDigestResponse, computeHa1, type DigestAlgorithm } from '../../src/auth/digest.js';
import { LoginLimiter } from '../../src/auth/login-limiter.js';
import { NonceIssuer } from '../../src/msrp/relay/nonces.js';
import type { CredentialStore } from '../../src/credentials/store.js';
import { Authenticator } from '../../src/msrp/relay/authenticator.js';
import { systemClock } from '../../src/time/clock.js';

const DIGEST_URI = 'msrps://relay.example.com;tcp';
const CLIENT_IP = '192.0.2.7';

/** 'success', or the reason it failed ('Incorrect password', 'Username not found', …). */
export async function digestLogin(
  store: CredentialStore,
  username: string,
  realm: string,
  password: string,
  algorithm: DigestAlgorithm = 'MD5',
): Promise<string> {
  const authenticator = new Authenticator(
    new NonceIssuer(systemClock, 60_000),
    store,
    { algorithms: ['MD5', 'SHA-256'], allowBasic: false, uniformFailures: false },
    new LoginLimiter(systemClock),
    pino({ level: 'silent' }),
  );
  const request = { realm, digestUri: DIGEST_URI, clientIp: CLIENT_IP, secure: true };
  const challenge = await authenticator.authenticate({ ...request, authorization: undefined });
  if (challenge.kind !== 'challenge') throw new Error(`expected a challenge, got ${challenge.kind}`);
  const header = challenge.headers.find((h) =>
    algorithm === 'MD5' ? !h.value.includes('algorithm=') : h.value.includes(`algorithm=${algorithm}`),
  );
  const params = parseAuthParams(header?.value.replace(/^Digest\s+/, '') ?? '');
  const nonce = params?.get('nonce');
  const opaque = params?.get('opaque');
  if (nonce === undefined || opaque === undefined) throw new Error('the challenge has no nonce or opaque');
  const cnonce = randomBytes(8).toString('hex');
  const response = computeDigestResponse({
    algorithm,
    ha1: computeHa1(algorithm, username, realm, password),
    nonce,
    nc: '00000001',
    cnonce,
    method: 'AUTH',
    uri: DIGEST_URI,
  });
  const authorization =
    `Digest username="${username}", realm="${realm}", nonce="${nonce}", uri="${DIGEST_URI}", qop=auth, ` +
    `nc=00000001, cnonce="${cnonce}", response="${response}", opaque="${opaque}", algorithm=${algorithm}`;
  const outcome = await authenticator.authenticate({ ...request, authorization });
  if (outcome.kind === 'success') return 'success';
  if (outcome.kind === 'login-failed') return outcome.reason;
  return outcome.kind === 'error' ? outcome.comment : outcome.kind;
}
