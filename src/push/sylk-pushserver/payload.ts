/**
 * The JSON body sylk-pushserver's API v1 takes (sylk spec §5.2), built from one delivery. Every key of the
 * table is present with the table's type: `silent` is the integer 0 (the reference never sends the device's
 * own flag with a message push), `badge` an integer, `from-display-name` null when there is none. When the
 * operator chose pushes without content, `content-type` and `content` are left out: the gateway does not
 * require them, and the point is that the text never leaves.
 */
import { withContentCut, withoutContent } from '../content-cut.js';
import type { PushDelivery, PushNotification } from '../provider.js';

/**
 * The most a request body may weigh. sylk-pushserver hands the content on to APNs (a 4 KiB payload) or FCM
 * (4 KiB of data), whose own keys replace the request's device keys, so a request within 4 KiB gives a push
 * within the providers' limits; a bigger one would be refused there and the phone would get nothing.
 */
export const GATEWAY_BODY_LIMIT = 4096;

export interface GatewayBody {
  readonly platform: string;
  readonly 'app-id': string;
  readonly token: string;
  readonly 'device-id': string;
  readonly silent: 0 | 1;
  readonly 'call-id': string;
  readonly event: string;
  readonly from: string;
  readonly 'from-display-name': string | null;
  readonly 'media-type': string;
  readonly to: string;
  readonly badge?: number;
  readonly 'content-type'?: string;
  readonly content?: string;
}

export function gatewayBody({ target, notification }: PushDelivery): GatewayBody {
  const device = {
    platform: target.platform,
    'app-id': target.appId,
    token: target.token,
    'device-id': target.deviceId,
  };
  if (notification.kind === 'wake') {
    // RFC 8599 §5.6: a call wakes the device as the gateway's call pushes do; a MESSAGE as a message push
    // without content (the device fetches it by registering again). The device's silent flag applies here.
    const invite = notification.method === 'INVITE';
    return {
      ...device,
      silent: target.silent ? 1 : 0,
      'call-id': notification.callId,
      event: invite ? 'incoming_session' : 'message',
      from: notification.from,
      'from-display-name': null,
      'media-type': invite ? 'audio' : 'sms',
      to: notification.to,
    };
  }
  return {
    ...device,
    silent: 0,
    'call-id': notification.callId,
    event: 'message',
    from: notification.from,
    'from-display-name': notification.fromDisplayName,
    'media-type': 'sms',
    to: notification.to,
    badge: Math.trunc(notification.badge),
    ...(notification.contentType === undefined ? {} : { 'content-type': notification.contentType }),
    ...(notification.content === undefined ? {} : { content: notification.content }),
  };
}

/**
 * The request body as sent: the JSON of gatewayBody, at most GATEWAY_BODY_LIMIT bytes. A message text too
 * long is cut (whole characters) so that the body fits: the app shows the start and syncs the whole message.
 * Content that is no use cut (PGP ciphertext, a file-transfer document, anything not text) is left out with
 * its content-type instead, as is text when not even a character fits.
 */
export function gatewayJson(delivery: PushDelivery): string {
  const json = JSON.stringify(gatewayBody(delivery));
  if (Buffer.byteLength(json) <= GATEWAY_BODY_LIMIT || delivery.notification.kind !== 'message') return json;
  const jsonOf = (notification: PushNotification): string =>
    JSON.stringify(gatewayBody({ target: delivery.target, notification }));
  const cut = withContentCut(delivery.notification, GATEWAY_BODY_LIMIT, (notification) =>
    Buffer.byteLength(jsonOf(notification)),
  );
  return jsonOf(cut ?? withoutContent(delivery.notification));
}
