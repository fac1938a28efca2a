/**
 * The JSON body sylk-pushserver's API v1 takes (sylk spec §5.2), built from one delivery. Every key of the
 * table is present with the table's type: `silent` is the integer 0 (the reference never sends the device's
 * own flag with a message push), `badge` an integer, `from-display-name` null when there is none. When the
 * operator chose pushes without content, `content-type` and `content` are left out: the gateway does not
 * require them, and the point is that the text never leaves.
 */
import type { PushDelivery } from '../provider.js';

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
