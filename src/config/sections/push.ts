/**
 * The [Push] settings of `missive serve` (see serve-settings.ts): how sleeping devices are woken (docs/push.md).
 * Each device's pushes go through the provider configured for its app id in `push_apps`, else the
 * sylk-pushserver gateway at `push_url` (SylkServer's `sylk_push_url`), else nowhere.
 */
import { pushApp } from '../push-values.js';
import { atLeast, httpUrl, listOf, oneOf, optional, seconds, text } from '../setting-values.js';
import { setting } from './setting-spec.js';

export const PUSH_SETTINGS = {
  pushUrl: setting({
    section: 'Push',
    kind: optional(httpUrl),
    default: undefined,
    help: "the sylk-pushserver gateway's URL (SylkServer's sylk_push_url): pushes of apps not in push-apps go there",
    reloads: true,
  }),
  pushApps: setting({
    section: 'Push',
    kind: listOf(pushApp),
    default: [],
    help: 'the provider of each app id: com.example.ios:apns, com.example.android:fcm (or :gateway)',
    reloads: true,
  }),
  pushContent: setting<'full' | 'minimal'>({
    section: 'Push',
    kind: oneOf('content', ['full', 'minimal'] as const),
    default: 'full',
    help: "what a message push carries: full (the reference's: text included) or minimal (sender and badge)",
    reloads: true,
  }),
  pushQueueLimit: setting({
    section: 'Push',
    kind: atLeast(1),
    default: 10_000,
    help: 'pushes waiting to be sent at most; beyond, the oldest is dropped',
  }),
  pushConcurrency: setting({
    section: 'Push',
    kind: atLeast(1),
    default: 16,
    help: 'pushes sent at once at most',
  }),
  pushRetryWindow: setting({
    section: 'Push',
    kind: seconds,
    default: 120,
    help: 'a push the provider asked to retry (429, 5xx, no answer) is tried again with backoff for this long',
  }),
  pushTimeout: setting({
    section: 'Push',
    kind: seconds,
    default: 10,
    help: 'how long one push request may take',
    reloads: true,
  }),
  pushWakeTimeout: setting({
    section: 'Push',
    kind: seconds,
    default: 20,
    help: 'RFC 8599: how long a request for a woken SIP device waits for its new REGISTER (then 480)',
  }),
  apnsKeyFile: setting({
    section: 'Push',
    kind: optional(text('file')),
    default: undefined,
    path: true,
    help: "Apple's token-based authentication key (AuthKey_XXXXXXXXXX.p8), for the apps set to apns",
    reloads: true,
  }),
  apnsKeyId: setting({
    section: 'Push',
    kind: optional(text('id')),
    default: undefined,
    help: "the .p8 key's Key ID (10 characters, Apple developer account, Keys)",
    reloads: true,
  }),
  apnsTeamId: setting({
    section: 'Push',
    kind: optional(text('id')),
    default: undefined,
    help: 'the Apple developer Team ID (10 characters, Membership details)',
    reloads: true,
  }),
  apnsEnvironment: setting<'production' | 'sandbox'>({
    section: 'Push',
    kind: oneOf('environment', ['production', 'sandbox'] as const),
    default: 'production',
    help: 'APNs production, or sandbox for development builds of the app',
    reloads: true,
  }),
  apnsOrigin: setting({
    section: 'Push',
    kind: optional(httpUrl),
    default: undefined,
    help: "replaces Apple's APNs server (https://api.push.apple.com, or api.sandbox.push.apple.com for sandbox), https only: for testing or a proxy",
    reloads: true,
  }),
  fcmServiceAccountFile: setting({
    section: 'Push',
    kind: optional(text('file')),
    default: undefined,
    path: true,
    help: "a Google service account's key (JSON) with the Firebase Cloud Messaging API, for the apps set to fcm",
    reloads: true,
  }),
  fcmOrigin: setting({
    section: 'Push',
    kind: optional(httpUrl),
    default: undefined,
    help: "replaces Google's FCM server (https://fcm.googleapis.com); https, or http to a loopback host: for testing or a proxy",
    reloads: true,
  }),
  fcmTokenUrl: setting({
    section: 'Push',
    kind: optional(httpUrl),
    default: undefined,
    help: "where access tokens are asked for instead of the key's token_uri (Google's https://oauth2.googleapis.com/token): for testing or a proxy",
    reloads: true,
  }),
} as const;
