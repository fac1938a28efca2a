/**
 * Writes an IMDN document as the reference sends it (sylk spec §2.8.2): XML declaration, then the imdn element
 * with its children in schema order — message-id, datetime, recipient-uri, original-recipient-uri (the
 * recipient-uri when not given, as sipsimple does), subject, the notification.
 */
import {
  IMDN_STATUSES,
  IMDN_XML_NAMESPACE,
  type ImdnNotification,
  type ImdnStatus,
  NOTIFICATION_ELEMENTS,
  notificationFor,
} from './imdn.js';
import { fail, ok, type Result } from './result.js';
import { formatTimestamp, isValidTimestamp, type Timestamp } from './timestamp.js';
import { escapeXmlText, isXmlText } from './xml-escape.js';

export interface ImdnInit {
  readonly messageId: string;
  /** The original message's timestamp; a string is written as given (the reference passes the client's). */
  readonly datetime: string | Timestamp;
  readonly recipientUri?: string | undefined;
  readonly originalRecipientUri?: string | undefined;
  readonly subject?: string | undefined;
  readonly status: ImdnStatus;
  /** Default: notificationFor(status). */
  readonly notification?: ImdnNotification | undefined;
}

function element(name: string, value: string | undefined): string {
  return value === undefined ? '' : `<${name}>${escapeXmlText(value)}</${name}>`;
}

export function buildImdn(init: ImdnInit): Result<Buffer> {
  const notification = init.notification ?? notificationFor(init.status);
  const allowed: readonly ImdnStatus[] = IMDN_STATUSES[notification];
  if (!allowed.includes(init.status))
    return fail('invalid-value', `${init.status} is not a ${notification} status`);
  if (typeof init.datetime !== 'string' && !isValidTimestamp(init.datetime)) {
    return fail('invalid-value', 'invalid datetime');
  }
  const datetime = typeof init.datetime === 'string' ? init.datetime : formatTimestamp(init.datetime);
  const original = init.originalRecipientUri ?? init.recipientUri;
  const values = [init.messageId, datetime, init.recipientUri, original, init.subject];
  // Parsers trim these values: surrounding whitespace would not come back.
  for (const value of values) {
    if (value !== undefined && (!isXmlText(value) || value.trim() !== value || value === '')) {
      return fail(
        'invalid-value',
        'IMDN value is empty, has surrounding whitespace or a character XML forbids',
      );
    }
  }
  const notificationName = NOTIFICATION_ELEMENTS[notification];
  const xml =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<imdn xmlns="${IMDN_XML_NAMESPACE}">` +
    element('message-id', init.messageId) +
    element('datetime', datetime) +
    element('recipient-uri', init.recipientUri) +
    element('original-recipient-uri', original) +
    element('subject', init.subject) +
    `<${notificationName}><status><${init.status}/></status></${notificationName}>` +
    '</imdn>';
  return ok(Buffer.from(xml, 'utf8'));
}
