/**
 * What SIP devices learn of a completed file transfer (sylk spec §2.7 rows F, G, H): the FT-HTTP CPIM to
 * the receiver's devices and, replicated, to the sender's; the text line unless the file is `.asc`; and
 * the human size of the §2.7 note.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fileTransferNotices, humanSize } from '../../src/messaging/file-transfer-notices.js';
import { type FileTransferMessage, timestampFromEpochMs } from '../../src/messaging/formats/index.js';

const TRANSFER: FileTransferMessage = {
  filename: 'a.png',
  filesize: 1234,
  sender: { uri: 'alice@example.com', display_name: '' },
  receiver: { uri: 'bob@example.com', display_name: '' },
  transfer_id: 't1',
  timestamp: '2024-05-01T10:00:00.123456+02:00',
  until: '2024-05-16T10:00:00.123456+02:00',
  url: 'https://example.com:10888/webrtcgateway/filetransfer/H1/H2/t1/a.png',
  filetype: 'image/png',
  hash: `sha-1:${Array.from({ length: 20 }, () => 'AB').join(':')}`,
};
const NOW = timestampFromEpochMs(Date.UTC(2024, 4, 1, 8), 120);

describe('file-transfer notices', () => {
  test('human sizes as the reference writes them', () => {
    assert.equal(humanSize(1023), '1023 bytes');
    assert.equal(humanSize(1234), '1.21 KB');
    assert.equal(humanSize(20 * 1024), '20.0 KB');
    assert.equal(humanSize(5 * 1024 * 1024), '5.00 MB');
    assert.equal(humanSize(50 * 1024 * 1024), '50.0 MB');
    assert.equal(humanSize(2 * 1024 ** 3), '2.00 GB');
    assert.equal(humanSize(20 * 1024 ** 3), '20.0 GB');
  });

  test('rows G and F carry the FT-HTTP document, then H twice; the sender’s copies are replicas', () => {
    const notices = fileTransferNotices(TRANSFER, NOW) ?? [];
    assert.deepEqual(
      notices.map((n) => [n.deliverTo, n.contentType, n.headers?.map(([name]) => name).join(',')]),
      [
        ['bob@example.com', 'message/cpim', 'X-Sylk-To-Sip'],
        ['alice@example.com', 'message/cpim', 'X-Sylk-To-Sip,X-Replicated-Message'],
        ['alice@example.com', 'text/plain', 'X-Sylk-To-Sip,X-Replicated-Message'],
        ['bob@example.com', 'text/plain', 'X-Sylk-To-Sip'],
      ],
    );
    const cpim = String(notices[0]?.body);
    assert.match(cpim, /Content-Type: application\/vnd\.gsma\.rcs-ft-http\+xml/);
    assert.match(cpim, /imdn\.Message-ID: t1/);
    assert.match(
      cpim,
      /<file-size>1234<\/file-size><file-name>a\.png<\/file-name><content-type>image\/png<\/content-type>/,
    );
    assert.match(
      cpim,
      /<data url="https:\/\/example\.com:10888\/webrtcgateway\/filetransfer\/H1\/H2\/t1\/a\.png" until="2024-05-16T10:00:00\.123456\+02:00"\/>/,
    );
    assert.match(cpim, /<x:file-hash>sha-1:AB(:AB){19}<\/x:file-hash>/);
    assert.equal(notices[3]?.body, `File transfer available at ${TRANSFER.url} (1.21 KB)`);
    for (const notice of notices) {
      assert.equal(notice.from, 'sip:alice@example.com');
      assert.equal(notice.to, 'sip:bob@example.com');
    }
  });

  test('an OpenPGP .asc file gets no text line', () => {
    const notices = fileTransferNotices({ ...TRANSFER, filename: 'key.ASC' }, NOW) ?? [];
    assert.deepEqual(
      notices.map((n) => n.contentType),
      ['message/cpim', 'message/cpim'],
    );
  });
});
