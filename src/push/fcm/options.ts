/**
 * The FCM provider's settings: the service-account key of the Firebase project (the JSON file from the
 * Google Cloud console or Firebase's "Service accounts" tab) and its check, which loads the key once.
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

export const FCM_ORIGIN = 'https://fcm.googleapis.com';
export const FIREBASE_MESSAGING_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';

export interface FcmSettings {
  /** The service-account JSON key: its text, or the path of the file. */
  readonly serviceAccount: string;
  /** The Firebase project; the key's `project_id` when not given. */
  readonly projectId?: string;
  /** Replaces https://fcm.googleapis.com (a stand-in in tests, a proxy). */
  readonly origin?: string;
  /**
   * Where access tokens are asked for instead of the key's `token_uri` (a stand-in in tests, a proxy). The
   * assertion's `aud` stays the key's `token_uri`: that is whom it is for, whoever carries it there.
   */
  readonly tokenUrl?: string;
  /** Each request (an access-token fetch, a send) that has no answer within this time gives `retry`. */
  readonly requestTimeoutMs?: number;
  /**
   * Adds a `notification` (title and body) so that Android shows the push itself. Off by default: the Sylk
   * Android app reads the data keys and makes its own notification.
   */
  readonly notification?: boolean;
  /** How long FCM keeps a message push for a phone that is off (`android.ttl`). */
  readonly messageTtlSeconds?: number;
  /** The same for an RFC 8599 wake. */
  readonly wakeTtlSeconds?: number;
}

export interface ServiceAccount {
  readonly clientEmail: string;
  readonly privateKey: KeyObject;
  readonly privateKeyId: string | undefined;
  /** The key's `token_uri`: the assertion's audience. */
  readonly tokenUri: string;
  /** Where the assertion is posted: `token_uri`, unless the settings name another URL. */
  readonly tokenUrl: string;
}

export interface FcmConfig {
  readonly account: ServiceAccount;
  readonly projectId: string;
  readonly origin: string;
  readonly requestTimeoutMs: number;
  readonly notification: boolean;
  readonly messageTtlSeconds: number;
  readonly wakeTtlSeconds: number;
}

/** Project ids are 6 to 30 lower-case letters, digits and hyphens. */
const PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;

function stringField(
  json: Record<string, unknown>,
  name: string,
  problems: SettingProblem[],
): string | undefined {
  const value = json[name];
  if (typeof value === 'string' && value.length > 0) return value;
  problems.push({ setting: 'serviceAccount', message: `the key has no ${name}` });
  return undefined;
}

function serviceAccountOf(
  text: string,
  problems: SettingProblem[],
): { account: ServiceAccount; projectId?: string } | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    problems.push({
      setting: 'serviceAccount',
      message: 'is not JSON (expected a service-account key file)',
    });
    return undefined;
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    problems.push({ setting: 'serviceAccount', message: 'is not a JSON object' });
    return undefined;
  }
  const fields = json as Record<string, unknown>;
  if (fields.type !== 'service_account') {
    problems.push({
      setting: 'serviceAccount',
      message: 'is not a service-account key ("type": "service_account")',
    });
    return undefined;
  }
  const clientEmail = stringField(fields, 'client_email', problems);
  const pem = stringField(fields, 'private_key', problems);
  const tokenUriText = stringField(fields, 'token_uri', problems);
  const key = pem === undefined ? undefined : privateKey('serviceAccount', pem, problems);
  if (key !== undefined && key.asymmetricKeyType !== 'rsa') {
    problems.push({ setting: 'serviceAccount', message: 'private_key is not an RSA key' });
  }
  // token_uri may point at a loopback stand-in over plain http; anything else must be https.
  const tokenUri = tokenUriText === undefined ? undefined : checkTokenUri(tokenUriText, problems);
  if (clientEmail === undefined || key === undefined || tokenUri === undefined) return undefined;
  const privateKeyId = typeof fields.private_key_id === 'string' ? fields.private_key_id : undefined;
  const projectId = typeof fields.project_id === 'string' ? fields.project_id : undefined;
  return {
    account: { clientEmail, privateKey: key, privateKeyId, tokenUri, tokenUrl: tokenUri },
    ...(projectId === undefined ? {} : { projectId }),
  };
}

function checkTokenUri(
  value: string,
  problems: SettingProblem[],
  setting = 'serviceAccount',
): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problems.push({ setting, message: `token_uri ${value} is not a URL` });
    return undefined;
  }
  const origin = checkOrigin(setting, url.origin, true, problems);
  return origin === undefined ? undefined : url.href;
}

export function checkFcmSettings(
  settings: FcmSettings,
  readText: ReadText = readTextFile,
): Checked<FcmConfig> {
  const problems: SettingProblem[] = [];
  const text = textOrFile('serviceAccount', settings.serviceAccount, readText, problems);
  const parsed = text === undefined ? undefined : serviceAccountOf(text, problems);
  const projectId = settings.projectId ?? parsed?.projectId;
  if (parsed !== undefined && projectId === undefined) {
    problems.push({ setting: 'projectId', message: 'is not set and the key has no project_id' });
  } else if (projectId !== undefined && !PROJECT_ID.test(projectId)) {
    problems.push({
      setting: settings.projectId === undefined ? 'serviceAccount' : 'projectId',
      message: `${projectId} is not a Firebase project id`,
    });
  }
  const origin =
    settings.origin === undefined ? FCM_ORIGIN : checkOrigin('origin', settings.origin, true, problems);
  const tokenUrl =
    settings.tokenUrl === undefined ? undefined : checkTokenUri(settings.tokenUrl, problems, 'tokenUrl');
  const requestTimeoutMs = boundedInteger(
    'requestTimeoutMs',
    settings.requestTimeoutMs,
    10_000,
    100,
    300_000,
    problems,
  );
  const messageTtlSeconds = boundedInteger(
    'messageTtlSeconds',
    settings.messageTtlSeconds,
    86_400,
    0,
    2_419_200,
    problems,
  );
  const wakeTtlSeconds = boundedInteger('wakeTtlSeconds', settings.wakeTtlSeconds, 60, 0, 3600, problems);
  if (problems.length > 0 || parsed === undefined || projectId === undefined || origin === undefined) {
    return { ok: false, problems };
  }
  return {
    ok: true,
    value: {
      account: tokenUrl === undefined ? parsed.account : { ...parsed.account, tokenUrl },
      projectId,
      origin,
      requestTimeoutMs,
      notification: settings.notification ?? false,
      messageTtlSeconds,
      wakeTtlSeconds,
    },
  };
}
