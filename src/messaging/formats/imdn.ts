/**
 * Instant Message Disposition Notifications (RFC 5438, message/imdn+xml): the document's fields and which
 * status each notification type allows (sylk spec §2.8.2). Parsing in imdn-parse.ts, building in imdn-build.ts.
 */
import type { Timestamp } from './timestamp.js';

export const IMDN_CONTENT_TYPE = 'message/imdn+xml';
export const IMDN_XML_NAMESPACE = 'urn:ietf:params:xml:ns:imdn';

export type ImdnNotification = 'delivery' | 'display' | 'processing';
export type ImdnStatus =
  | 'delivered'
  | 'failed'
  | 'forbidden'
  | 'error'
  | 'displayed'
  | 'processed'
  | 'stored';

/** RFC 5438 §7.2.1: the status elements each notification element may hold. */
export const IMDN_STATUSES: Readonly<Record<ImdnNotification, readonly ImdnStatus[]>> = {
  delivery: ['delivered', 'failed', 'forbidden', 'error'],
  display: ['displayed', 'forbidden', 'error'],
  processing: ['processed', 'stored', 'forbidden', 'error'],
};

export const NOTIFICATION_ELEMENTS: Readonly<Record<ImdnNotification, string>> = {
  delivery: 'delivery-notification',
  display: 'display-notification',
  processing: 'processing-notification',
};

export interface ImdnDocument {
  /** The Message-ID of the message this notification is about. */
  readonly messageId: string;
  /** The datetime element as written (it goes into events unchanged). */
  readonly datetime: string;
  /** The datetime parsed, when it is a timestamp the lenient reader understands. */
  readonly timestamp: Timestamp | undefined;
  readonly recipientUri: string | undefined;
  readonly originalRecipientUri: string | undefined;
  readonly subject: string | undefined;
  readonly notification: ImdnNotification;
  readonly status: ImdnStatus;
}

/**
 * The notification element a status goes in when sending one: as the reference for delivered, displayed
 * and error (error goes in a display-notification); failed and forbidden, which make the reference fail,
 * as sylk spec §1.4.7 recommends; processed and stored in a processing-notification.
 */
export function notificationFor(status: ImdnStatus): ImdnNotification {
  switch (status) {
    case 'delivered':
    case 'failed':
      return 'delivery';
    case 'displayed':
    case 'forbidden':
    case 'error':
      return 'display';
    case 'processed':
    case 'stored':
      return 'processing';
  }
}
