/**
 * The keys a Sylk app reads from a push, as flat string pairs (FCM data values must be strings; APNs puts
 * them beside `aps`). The names are those of the sylk-pushserver request (sylk spec §5.2), plus the names
 * the reference sylk-pushserver hands on to the apps (`from_uri`, `from_display_name`, `to_uri`), so that the
 * Sylk iOS and Android apps understand a push sent directly as well as one relayed by the gateway.
 */
import type { PushNotification } from './provider.js';

/** The SIP method waiting for an RFC 8599 device names the event the app expects. */
function wakeEvent(method: string): string {
  return method === 'INVITE' ? 'incoming_session' : 'message';
}

export interface SylkData {
  readonly fields: Readonly<Record<string, string>>;
  /** Whether `content` and `content-type` are among the fields (so that a size limit can drop them). */
  readonly hasContent: boolean;
}

export function sylkData(notification: PushNotification, withContent = true): SylkData {
  if (notification.kind === 'wake') {
    return {
      fields: {
        event: wakeEvent(notification.method),
        'call-id': notification.callId,
        from: notification.from,
        from_uri: notification.from,
        to: notification.to,
        to_uri: notification.to,
        'media-type': notification.method === 'INVITE' ? 'audio' : 'sms',
      },
      hasContent: false,
    };
  }
  const displayName = notification.fromDisplayName ?? '';
  const fields: Record<string, string> = {
    event: 'message',
    'call-id': notification.callId,
    'message-id': notification.messageId,
    from: notification.from,
    from_uri: notification.from,
    'from-display-name': displayName,
    from_display_name: displayName,
    to: notification.to,
    to_uri: notification.to,
    'media-type': 'sms',
    badge: String(notification.badge),
  };
  const hasContent = withContent && notification.content !== undefined;
  if (hasContent) {
    fields['content-type'] = notification.contentType ?? 'text/plain';
    fields.content = notification.content ?? '';
  }
  return { fields, hasContent };
}

/** The sender as a person reads it: the display name when there is one, else the address. */
export function senderTitle(notification: PushNotification): string {
  if (
    notification.kind === 'message' &&
    notification.fromDisplayName !== null &&
    notification.fromDisplayName !== ''
  ) {
    return notification.fromDisplayName;
  }
  return notification.from;
}
