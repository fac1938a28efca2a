/** IMDN (RFC 5438): the spec's document, every status, building exactly, and refusing what is not one. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildImdn } from '../../../src/messaging/formats/imdn-build.js';
import { parseImdn } from '../../../src/messaging/formats/imdn-parse.js';
import {
  IMDN_STATUSES,
  type ImdnNotification,
  type ImdnStatus,
  notificationFor,
} from '../../../src/messaging/formats/imdn.js';
import { formatTimestamp } from '../../../src/messaging/formats/timestamp.js';
import { parseTimestamp } from '../../../src/messaging/formats/timestamp-parse.js';

const SPEC_DOCUMENT = `<?xml version="1.0" encoding="UTF-8"?>
<imdn xmlns="urn:ietf:params:xml:ns:imdn">
  <message-id>ID</message-id><datetime>TS</datetime>
  <recipient-uri>URI</recipient-uri><original-recipient-uri>URI</original-recipient-uri>
  <delivery-notification><status><delivered/></status></delivery-notification>
</imdn>`;

test('sylk spec §2.8.2: the document as the spec shows it', () => {
  const imdn = parseImdn(Buffer.from(SPEC_DOCUMENT));
  assert.ok(imdn.ok);
  assert.deepEqual(imdn.value, {
    messageId: 'ID',
    datetime: 'TS',
    timestamp: undefined,
    recipientUri: 'URI',
    originalRecipientUri: 'URI',
    subject: undefined,
    notification: 'delivery',
    status: 'delivered',
  });
});

test('acceptance 29-31: delivered, displayed; datetime kept as written and parsed when it is one', () => {
  const imdn = parseImdn(
    '<imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id> m1 </message-id>' +
      '<datetime>2024-05-01T10:00:00.000Z</datetime>' +
      '<display-notification><status><displayed/></status></display-notification></imdn>',
  );
  assert.ok(imdn.ok);
  assert.equal(imdn.value.messageId, 'm1');
  assert.equal(imdn.value.datetime, '2024-05-01T10:00:00.000Z');
  assert.equal(imdn.value.timestamp && formatTimestamp(imdn.value.timestamp), '2024-05-01T10:00:00+00:00');
  assert.equal(imdn.value.status, 'displayed');
  assert.equal(imdn.value.recipientUri, undefined);
});

test('every status in every notification that allows it; a prefixed root; extensions ignored', () => {
  for (const [notification, statuses] of Object.entries(IMDN_STATUSES)) {
    for (const status of statuses) {
      const xml =
        `<i:imdn xmlns:i="urn:ietf:params:xml:ns:imdn" xmlns:e="urn:ext"><i:message-id>x</i:message-id>` +
        `<i:datetime>d</i:datetime><e:extra>ignored</e:extra><i:${notification}-notification><i:status>` +
        `<e:reason/><i:${status}/></i:status></i:${notification}-notification></i:imdn>`;
      const imdn = parseImdn(xml);
      assert.ok(imdn.ok, xml);
      assert.equal(imdn.value.notification, notification);
      assert.equal(imdn.value.status, status);
    }
  }
});

test('not an IMDN: typed errors', () => {
  const cases: [string, string][] = [
    ['<imdn/>', 'malformed-imdn'],
    [
      '<imdn xmlns="urn:ietf:params:xml:ns:imdn"><datetime>d</datetime><delivery-notification><status><delivered/></status></delivery-notification></imdn>',
      'malformed-imdn',
    ],
    [
      '<imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>m</message-id><delivery-notification><status><delivered/></status></delivery-notification></imdn>',
      'malformed-imdn',
    ],
    [
      '<imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>m</message-id><datetime>d</datetime></imdn>',
      'malformed-imdn',
    ],
    [
      '<imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>m</message-id><datetime>d</datetime><delivery-notification><status><displayed/></status></delivery-notification></imdn>',
      'malformed-imdn',
    ],
    [
      '<imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>m</message-id><datetime>d</datetime><display-notification><status/></display-notification></imdn>',
      'malformed-imdn',
    ],
    [
      '<imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>m</message-id><datetime>d</datetime><display-notification><status><displayed/></status></display-notification><delivery-notification><status><delivered/></status></delivery-notification></imdn>',
      'malformed-imdn',
    ],
    ['<imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>m</message-id>', 'malformed-imdn'],
    ['', 'malformed-imdn'],
    ['<?xml version="1.0" encoding="ISO-8859-1"?><imdn/>', 'malformed-imdn'],
    [`<imdn>${'x'.repeat(70_000)}</imdn>`, 'too-large'],
  ];
  for (const [xml, code] of cases) {
    const imdn = parseImdn(xml);
    assert.equal(imdn.ok ? 'ok' : imdn.error.code, code, xml.slice(0, 200));
  }
});

test('building: exactly the reference layout, original-recipient-uri defaulting to recipient-uri', () => {
  const timestamp = parseTimestamp('2024-05-01T10:00:00.123+02:00');
  assert.ok(timestamp);
  const built = buildImdn({
    messageId: 'm2',
    datetime: timestamp,
    recipientUri: 'sip:alice@example.com',
    status: 'displayed',
  });
  assert.ok(built.ok);
  assert.equal(
    built.value.toString(),
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
      '<imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>m2</message-id>' +
      '<datetime>2024-05-01T10:00:00.123000+02:00</datetime><recipient-uri>sip:alice@example.com</recipient-uri>' +
      '<original-recipient-uri>sip:alice@example.com</original-recipient-uri>' +
      '<display-notification><status><displayed/></status></display-notification></imdn>',
  );
  const raw = buildImdn({
    messageId: 'a<b&c',
    datetime: '2024-05-01T10:00:00.000Z',
    status: 'delivered',
    subject: 'S',
  });
  assert.ok(raw.ok);
  assert.equal(
    raw.value.toString(),
    '<?xml version="1.0" encoding="UTF-8"?>\n<imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>a&lt;b&amp;c</message-id>' +
      '<datetime>2024-05-01T10:00:00.000Z</datetime><subject>S</subject>' +
      '<delivery-notification><status><delivered/></status></delivery-notification></imdn>',
  );
});

test('the notification a status goes in (sylk spec §1.4.7, recommended for failed and forbidden)', () => {
  const expected: Record<ImdnStatus, ImdnNotification> = {
    delivered: 'delivery',
    failed: 'delivery',
    displayed: 'display',
    forbidden: 'display',
    error: 'display',
    processed: 'processing',
    stored: 'processing',
  };
  for (const status of Object.keys(expected) as ImdnStatus[])
    assert.equal(notificationFor(status), expected[status]);
  const mismatch = buildImdn({
    messageId: 'm',
    datetime: 'd',
    status: 'displayed',
    notification: 'delivery',
  });
  assert.equal(mismatch.ok ? 'ok' : mismatch.error.code, 'invalid-value');
  for (const messageId of ['', ' m', 'a\u0000b', 'a\ufffeb']) {
    const bad = buildImdn({ messageId, datetime: 'd', status: 'delivered' });
    assert.equal(bad.ok ? 'ok' : bad.error.code, 'invalid-value', JSON.stringify(messageId));
  }
});
