/**
 * One APNs request (Apple, "Sending notification requests to APNs"): the headers that say what kind of push
 * it is and the JSON payload — the `aps` dictionary the system shows, beside the Sylk keys the app reads.
 */
import type { PushDelivery, PushNotification } from '../provider.js';
import { withContentCut } from '../content-cut.js';
import { senderTitle, sylkData } from '../sylk-data.js';

/** Apple's limits: 4 KB for every push but VoIP, which gets 5 KB. */
export const APNS_PAYLOAD_LIMIT = 4096;
export const APNS_VOIP_PAYLOAD_LIMIT = 5120;
/** A lock screen shows a few lines; the rest of a long message is in the app. */
const ALERT_BODY_MAX_CHARS = 200;

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** Device tokens are hex (32 bytes today; Apple says the length may change). */
const DEVICE_TOKEN = /^[0-9a-fA-F]{16,400}$/;

export type ApnsPushType = 'alert' | 'voip' | 'background';

export interface ApnsRequest {
  readonly path: string;
  /** Every header but `authorization`, which the provider adds with the current token. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

export interface ApnsRequestContext {
  readonly bundleId: string;
  readonly nowMs: number;
  readonly messageTtlSeconds: number;
  readonly wakeTtlSeconds: number;
}

export type ApnsRequestResult =
  | { readonly ok: true; readonly request: ApnsRequest }
  | { readonly ok: false; readonly problem: 'bad-token' | 'too-big'; readonly detail: string };

function pushTypeOf(delivery: PushDelivery): ApnsPushType {
  const { notification, target } = delivery;
  // A VoIP push must end in a CallKit call on iOS 13 and later, so only a waiting INVITE may use one.
  if (notification.kind === 'wake') return notification.method === 'INVITE' ? 'voip' : 'alert';
  return target.silent ? 'background' : 'alert';
}

function truncate(text: string, max: number): string {
  const points = Array.from(text);
  return points.length <= max ? text : `${points.slice(0, max - 1).join('')}…`;
}

/** What the alert says: the text itself only when it is text a person can read. */
function alertBody(notification: PushNotification, withContent: boolean): string {
  if (notification.kind === 'wake') return notification.method === 'INVITE' ? 'Incoming call' : 'New message';
  const { content, contentType } = notification;
  if (!withContent || content === undefined) return 'New message';
  if (contentType === 'application/sylk-file-transfer') return 'Sent a file';
  if (content.startsWith('-----BEGIN PGP MESSAGE-----')) return 'New encrypted message';
  if (contentType !== undefined && !contentType.startsWith('text/')) return 'New message';
  return truncate(content, ALERT_BODY_MAX_CHARS);
}

function payloadOf(delivery: PushDelivery, pushType: ApnsPushType, withContent: boolean): Buffer {
  const { notification } = delivery;
  const data = sylkData(notification, withContent).fields;
  let aps: Record<string, unknown> | undefined;
  if (pushType === 'background') {
    aps = { 'content-available': 1 };
  } else if (pushType === 'alert') {
    aps = {
      alert: { title: senderTitle(notification), body: alertBody(notification, withContent) },
      sound: 'default',
      ...(notification.kind === 'message' ? { badge: notification.badge } : { 'content-available': 1 }),
    };
  }
  // A VoIP push goes straight to the app (PushKit), which reads only the Sylk keys: no `aps` is needed.
  return Buffer.from(JSON.stringify(aps === undefined ? data : { aps, ...data }));
}

export function apnsRequest(delivery: PushDelivery, context: ApnsRequestContext): ApnsRequestResult {
  const { target, notification } = delivery;
  if (!DEVICE_TOKEN.test(target.token)) {
    return { ok: false, problem: 'bad-token', detail: 'the device token is not a hex string' };
  }
  const pushType = pushTypeOf(delivery);
  const limit = pushType === 'voip' ? APNS_VOIP_PAYLOAD_LIMIT : APNS_PAYLOAD_LIMIT;
  let body = payloadOf(delivery, pushType, true);
  // Too big: the text is cut to fit, or left out when cutting is no use; sender, badge and ids are what
  // wakes the app to fetch the whole message.
  if (body.length > limit) {
    const cut = withContentCut(
      notification,
      limit,
      (shorter) => payloadOf({ target, notification: shorter }, pushType, true).length,
    );
    body =
      cut === undefined
        ? payloadOf(delivery, pushType, false)
        : payloadOf({ target, notification: cut }, pushType, true);
  }
  if (body.length > limit) {
    return {
      ok: false,
      problem: 'too-big',
      detail: `${String(body.length)} bytes without content, limit ${String(limit)}`,
    };
  }
  const ttl = notification.kind === 'wake' ? context.wakeTtlSeconds : context.messageTtlSeconds;
  const headers: Record<string, string> = {
    'apns-topic': pushType === 'voip' ? `${context.bundleId}.voip` : context.bundleId,
    'apns-push-type': pushType,
    // Apple requires priority 5 for background pushes; alerts and VoIP go at once.
    'apns-priority': pushType === 'background' ? '5' : '10',
    // 0 means: deliver now or never.
    'apns-expiration': ttl === 0 ? '0' : String(Math.floor(context.nowMs / 1000) + ttl),
  };
  // The same id in APNs' answers and logs as in ours. No `apns-collapse-id`: every message is its own
  // notification, and collapsing would hide all but the last.
  if (UUID.test(notification.callId)) headers['apns-id'] = notification.callId.toLowerCase();
  return { ok: true, request: { path: `/3/device/${target.token}`, headers, body } };
}
