/**
 * A message push too big for its provider keeps as much of its text as fits rather than none (APNs 4 KiB,
 * FCM 4 KiB of data, the sylk-pushserver request 4 KiB): the text is cut between characters
 * (json-text-cut.ts) until the payload, as the provider's own builder measures it, is within the limit.
 * Content that is no use cut — PGP ciphertext, a file-transfer document, anything not `text/*` — is not cut:
 * the caller leaves it out.
 */
import { cutToJsonBytes } from './json-text-cut.js';
import type { PushNotification } from './provider.js';

/** A payload's text may appear more than once (APNs' alert body is its start): a few rounds settle it. */
const MAX_ROUNDS = 4;

/**
 * The notification with its content cut so that `size` of it is at most `limit` bytes; undefined when it
 * has no text worth cutting or not even one character fits.
 */
export function withContentCut(
  notification: PushNotification,
  limit: number,
  size: (notification: PushNotification) => number,
): PushNotification | undefined {
  if (notification.kind !== 'message' || notification.content === undefined) return undefined;
  if (!isReadableText(notification.contentType, notification.content)) return undefined;
  const content = notification.content;
  let room = limit - size({ ...notification, content: '' });
  for (let round = 0; round < MAX_ROUNDS && room > 0; round++) {
    const cut = cutToJsonBytes(content, room);
    if (cut === '') return undefined;
    const shorter = { ...notification, content: cut };
    const over = size(shorter) - limit;
    if (over <= 0) return shorter;
    room -= over;
  }
  return undefined;
}

/** The notification without its content (what the sender, the badge and the ids alone say). */
export function withoutContent(notification: PushNotification): PushNotification {
  if (notification.kind !== 'message') return notification;
  const { kind, callId, messageId, from, fromDisplayName, to, badge } = notification;
  return { kind, callId, messageId, from, fromDisplayName, to, badge };
}

export function isReadableText(contentType: string | undefined, content: string): boolean {
  return contentType?.startsWith('text/') === true && !content.startsWith('-----BEGIN PGP');
}
