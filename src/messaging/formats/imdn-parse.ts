/**
 * Reads an IMDN document (RFC 5438 §7): message-id and datetime are required, recipient-uri,
 * original-recipient-uri and subject optional, and exactly one delivery-, display- or
 * processing-notification whose status holds one status element allowed for it. Elements of other
 * namespaces (extensions) are ignored. Values are trimmed of surrounding whitespace.
 */
import {
  IMDN_STATUSES,
  IMDN_XML_NAMESPACE,
  type ImdnDocument,
  type ImdnNotification,
  type ImdnStatus,
  NOTIFICATION_ELEMENTS,
} from './imdn.js';
import { fail, ok, type Result } from './result.js';
import { parseTimestamp } from './timestamp-parse.js';
import { childNamed, childrenNamed, parseXml, type XmlElement, type XmlLimits } from './xml-parse.js';

const NS = IMDN_XML_NAMESPACE;
const NOTIFICATIONS = Object.entries(NOTIFICATION_ELEMENTS) as [ImdnNotification, string][];

function malformed(reason: string): Result<never> {
  return fail('malformed-imdn', reason);
}

function optionalText(root: XmlElement, name: string): string | undefined {
  return childNamed(root, NS, name)?.text.trim();
}

function statusOf(notification: ImdnNotification, element: XmlElement): Result<ImdnStatus> {
  const statuses = childrenNamed(element, NS, 'status');
  if (statuses.length !== 1) return malformed(`${element.name} needs one status element`);
  const status = (statuses[0] as XmlElement).children.find((child) => child.namespace === NS);
  const allowed: readonly string[] = IMDN_STATUSES[notification];
  if (status === undefined || !allowed.includes(status.name)) {
    return malformed(`invalid status for ${element.name}`);
  }
  return ok(status.name as ImdnStatus);
}

export function parseImdn(body: Buffer | string, limits?: XmlLimits): Result<ImdnDocument> {
  const xml = parseXml(body, limits);
  if (!xml.ok) return xml.error.code === 'too-large' ? xml : malformed(`invalid XML: ${xml.error.reason}`);
  const root = xml.value;
  if (root.namespace !== NS || root.name !== 'imdn') return malformed('root element is not imdn');
  const messageId = optionalText(root, 'message-id');
  if (messageId === undefined || messageId === '') return malformed('no message-id');
  const datetime = optionalText(root, 'datetime');
  if (datetime === undefined || datetime === '') return malformed('no datetime');
  const found = NOTIFICATIONS.flatMap(([kind, name]) =>
    childrenNamed(root, NS, name).map((e) => [kind, e] as const),
  );
  if (found.length !== 1) return malformed('needs exactly one notification element');
  const [notification, element] = found[0] as readonly [ImdnNotification, XmlElement];
  const status = statusOf(notification, element);
  if (!status.ok) return status;
  return ok({
    messageId,
    datetime,
    timestamp: parseTimestamp(datetime),
    recipientUri: optionalText(root, 'recipient-uri'),
    originalRecipientUri: optionalText(root, 'original-recipient-uri'),
    subject: optionalText(root, 'subject'),
    notification,
    status: status.value,
  });
}
