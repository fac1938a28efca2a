// The web chat's reading of file-transfer announcements (src/web/client/file-transfer.ts, sylk spec §4.3.3).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { formatSize, isPicture, parseFileTransfer } from '../../../src/web/client/file-transfer.js';

const ANNOUNCED = {
  filename: 'a.png',
  filesize: 1234,
  sender: { uri: 'alice@example.com', display_name: '' },
  receiver: { uri: 'bob@example.com', display_name: '' },
  transfer_id: 't1',
  url: 'https://chat.example.com:10888/webrtcgateway/filetransfer/H1/H2/t1/a.png',
  filetype: 'image/png',
};

test('an announcement: name, size, type, and the file fetched from this origin by its path', () => {
  const transfer = parseFileTransfer(JSON.stringify(ANNOUNCED));
  assert.deepEqual(transfer, {
    filename: 'a.png',
    filesize: 1234,
    filetype: 'image/png',
    path: '/webrtcgateway/filetransfer/H1/H2/t1/a.png',
  });
  assert.ok(isPicture(transfer));
});

test('a URL elsewhere is not fetched (no path), a document without a name is not a file, a bad size is 0', () => {
  const elsewhere = parseFileTransfer(
    JSON.stringify({ ...ANNOUNCED, url: 'https://cdn.example.net/x/a.png' }),
  );
  assert.equal(elsewhere?.path, undefined);
  assert.equal(elsewhere !== undefined && isPicture(elsewhere), false);
  assert.equal(parseFileTransfer(JSON.stringify({ ...ANNOUNCED, filename: '' })), undefined);
  assert.equal(parseFileTransfer('[1]'), undefined);
  assert.equal(parseFileTransfer('not json'), undefined);
  assert.equal(parseFileTransfer(JSON.stringify({ ...ANNOUNCED, filesize: -1 }))?.filesize, 0);
  assert.equal(parseFileTransfer(JSON.stringify({ ...ANNOUNCED, filename: 'x'.repeat(20_000) })), undefined);
  const document = parseFileTransfer(
    JSON.stringify({ ...ANNOUNCED, filename: 'a.pdf', url: `${ANNOUNCED.url}.pdf` }),
  );
  assert.equal(document !== undefined && isPicture(document), false);
});

test('parseFileTransfer never throws, whatever the content', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string(),
        fc.json(),
        fc.jsonValue().map((value) => JSON.stringify(value)),
      ),
      (content) => {
        const transfer = parseFileTransfer(content);
        if (transfer !== undefined) assert.ok(transfer.filename !== '' && transfer.filesize >= 0);
      },
    ),
  );
});

test('sizes in decimal units', () => {
  assert.equal(formatSize(0), '0 B');
  assert.equal(formatSize(999), '999 B');
  assert.equal(formatSize(150_000), '150 KB');
  assert.equal(formatSize(1_500_000), '1.5 MB');
  assert.equal(formatSize(2e15), '2000 TB');
});
