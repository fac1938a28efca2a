/**
 * One FCM HTTP v1 `messages:send` body: data-only by default (the Sylk Android app reads the data keys and
 * makes its own notification), all data values strings as FCM requires, high priority so that a phone in Doze
 * gets it at once.
 */
import type { PushDelivery, PushNotification } from '../provider.js';
import { withContentCut } from '../content-cut.js';
import { senderTitle, sylkData } from '../sylk-data.js';

/** FCM's limit for the data (and notification) of one message. */
export const FCM_PAYLOAD_LIMIT = 4096;
/** FCM tokens are about 160 characters today; a much longer one is not a token. */
const MAX_TOKEN_CHARS = 4096;

export interface FcmMessageContext {
  readonly notification: boolean;
  readonly messageTtlSeconds: number;
  readonly wakeTtlSeconds: number;
}

export type FcmMessageResult =
  | { readonly ok: true; readonly body: string }
  | { readonly ok: false; readonly problem: 'bad-token' | 'too-big'; readonly detail: string };

function notificationOf(notification: PushNotification): { title: string; body: string } {
  if (notification.kind === 'wake') {
    return {
      title: senderTitle(notification),
      body: notification.method === 'INVITE' ? 'Incoming call' : 'New message',
    };
  }
  return { title: senderTitle(notification), body: 'New message' };
}

function payloadOf(
  delivery: PushDelivery,
  context: FcmMessageContext,
  withContent: boolean,
): { data: Readonly<Record<string, string>>; notification?: { title: string; body: string } } {
  const data = sylkData(delivery.notification, withContent).fields;
  // The notification never carries the text: what Google shows goes through Google's servers in clear.
  const shown = context.notification && !delivery.target.silent && delivery.notification.kind === 'message';
  return shown ? { data, notification: notificationOf(delivery.notification) } : { data };
}

function sizeOf(payload: object): number {
  return Buffer.byteLength(JSON.stringify(payload));
}

export function fcmMessage(delivery: PushDelivery, context: FcmMessageContext): FcmMessageResult {
  const { token } = delivery.target;
  if (token.length === 0 || token.length > MAX_TOKEN_CHARS) {
    return { ok: false, problem: 'bad-token', detail: 'the registration token is empty or too long' };
  }
  let payload = payloadOf(delivery, context, true);
  // Too big: the text is cut to fit, or left out when cutting is no use; sender, badge and ids are what
  // wakes the app to fetch the whole message.
  if (sizeOf(payload) > FCM_PAYLOAD_LIMIT) {
    const { target } = delivery;
    const cut = withContentCut(delivery.notification, FCM_PAYLOAD_LIMIT, (shorter) =>
      sizeOf(payloadOf({ target, notification: shorter }, context, true)),
    );
    payload =
      cut === undefined
        ? payloadOf(delivery, context, false)
        : payloadOf({ target, notification: cut }, context, true);
  }
  const size = sizeOf(payload);
  if (size > FCM_PAYLOAD_LIMIT) {
    return {
      ok: false,
      problem: 'too-big',
      detail: `${String(size)} bytes without content, limit ${String(FCM_PAYLOAD_LIMIT)}`,
    };
  }
  const ttl = delivery.notification.kind === 'wake' ? context.wakeTtlSeconds : context.messageTtlSeconds;
  const message = {
    token,
    data: payload.data,
    android: { priority: 'high', ttl: `${String(ttl)}s` },
    ...(payload.notification === undefined ? {} : { notification: payload.notification }),
  };
  return { ok: true, body: JSON.stringify({ message }) };
}
