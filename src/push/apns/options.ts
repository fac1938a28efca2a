/**
 * The APNs provider's settings (what an operator gets from Apple's developer account: the `.p8` signing key,
 * its Key ID, the Team ID and the app's bundle id) and their check, which loads the key once.
 */
import type { KeyObject } from 'node:crypto';
import {
  boundedInteger,
  type Checked,
  checkOrigin,
  privateKey,
  type ReadText,
  readTextFile,
  type SettingProblem,
  textOrFile,
} from '../settings-check.js';

export const APNS_ORIGINS = {
  production: 'https://api.push.apple.com:443',
  development: 'https://api.sandbox.push.apple.com:443',
} as const;

export type ApnsEnvironment = keyof typeof APNS_ORIGINS;

export interface ApnsSettings {
  /** The `.p8` authentication key: its PEM text, or the path of the file. */
  readonly key: string;
  /** The key's 10-character Key ID (Certificates, Identifiers & Profiles → Keys). */
  readonly keyId: string;
  /** The 10-character Team ID (Membership details). */
  readonly teamId: string;
  /** The app's bundle id, the `apns-topic` (`<bundleId>.voip` for VoIP pushes). */
  readonly bundleId: string;
  /** `production` (App Store and TestFlight builds) or `development` (builds run from Xcode). */
  readonly environment: string;
  /** Replaces the environment's origin (a stand-in in tests, a proxy). */
  readonly origin?: string;
  /** Extra trusted CA certificates (PEM) for that origin. */
  readonly ca?: string;
  /** A send that has no answer within this time gives `retry`. */
  readonly requestTimeoutMs?: number;
  /** At most this many requests in flight on the one HTTP/2 session (fewer if APNs says so). */
  readonly maxConcurrentStreams?: number;
  /** How long APNs keeps a message push for a phone that is off (`apns-expiration`). */
  readonly messageTtlSeconds?: number;
  /** The same for an RFC 8599 wake: a call or a waiting MESSAGE is over soon, so a late wake is useless. */
  readonly wakeTtlSeconds?: number;
}

export interface ApnsConfig {
  readonly key: KeyObject;
  readonly keyId: string;
  readonly teamId: string;
  readonly bundleId: string;
  readonly origin: string;
  readonly ca: string | undefined;
  readonly requestTimeoutMs: number;
  readonly maxConcurrentStreams: number;
  readonly messageTtlSeconds: number;
  readonly wakeTtlSeconds: number;
}

const APPLE_ID = /^[A-Z0-9]{10}$/;
const BUNDLE_ID = /^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;

export function checkApnsSettings(
  settings: ApnsSettings,
  readText: ReadText = readTextFile,
): Checked<ApnsConfig> {
  const problems: SettingProblem[] = [];
  const pem = textOrFile('key', settings.key, readText, problems);
  const key = pem === undefined ? undefined : privateKey('key', pem, problems);
  if (
    key !== undefined &&
    (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1')
  ) {
    problems.push({ setting: 'key', message: 'must be the EC P-256 key of an APNs .p8 file' });
  }
  if (!APPLE_ID.test(settings.keyId)) {
    problems.push({ setting: 'keyId', message: `${settings.keyId} is not a 10-character Key ID (A-Z, 0-9)` });
  }
  if (!APPLE_ID.test(settings.teamId)) {
    problems.push({
      setting: 'teamId',
      message: `${settings.teamId} is not a 10-character Team ID (A-Z, 0-9)`,
    });
  }
  if (!BUNDLE_ID.test(settings.bundleId) || settings.bundleId.length > 155) {
    problems.push({
      setting: 'bundleId',
      message: `${settings.bundleId} is not a bundle id such as com.example.app`,
    });
  } else if (settings.bundleId.endsWith('.voip')) {
    problems.push({
      setting: 'bundleId',
      message: 'give the bundle id without .voip (added for VoIP pushes)',
    });
  }
  const environment = settings.environment;
  let origin: string | undefined;
  if (environment !== 'production' && environment !== 'development') {
    problems.push({
      setting: 'environment',
      message: `${environment} is neither production nor development`,
    });
  } else {
    origin =
      settings.origin === undefined
        ? APNS_ORIGINS[environment]
        : checkOrigin('origin', settings.origin, false, problems);
  }
  const requestTimeoutMs = boundedInteger(
    'requestTimeoutMs',
    settings.requestTimeoutMs,
    10_000,
    100,
    300_000,
    problems,
  );
  const maxConcurrentStreams = boundedInteger(
    'maxConcurrentStreams',
    settings.maxConcurrentStreams,
    100,
    1,
    1000,
    problems,
  );
  const messageTtlSeconds = boundedInteger(
    'messageTtlSeconds',
    settings.messageTtlSeconds,
    86_400,
    0,
    2_592_000,
    problems,
  );
  const wakeTtlSeconds = boundedInteger('wakeTtlSeconds', settings.wakeTtlSeconds, 60, 0, 3600, problems);
  if (problems.length > 0 || key === undefined || origin === undefined) return { ok: false, problems };
  return {
    ok: true,
    value: {
      key,
      keyId: settings.keyId,
      teamId: settings.teamId,
      bundleId: settings.bundleId,
      origin,
      ca: settings.ca,
      requestTimeoutMs,
      maxConcurrentStreams,
      messageTtlSeconds,
      wakeTtlSeconds,
    },
  };
}
