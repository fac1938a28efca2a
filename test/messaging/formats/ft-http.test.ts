/** RCS FT-HTTP (sylk spec §2.8.3) and the file-transfer JSON document (sylk spec §4.3.3). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  fileTransferFromFtHttp,
  parseFileTransfer,
  serializeFileTransfer,
} from '../../../src/messaging/formats/file-transfer.js';
import { buildFtHttp, type FtHttpFileInit, parseFtHttp } from '../../../src/messaging/formats/ft-http.js';
import { parseTimestamp } from '../../../src/messaging/formats/timestamp-parse.js';

const SPEC_DOCUMENT = `<file xmlns="urn:gsma:params:xml:ns:rcs:rcs:fthttp" xmlns:x="urn:gsma:params:xml:ns:rcs:rcs:up:fthttpext">
  <file-info type="file">
    <file-size>1234</file-size><file-name>a.png</file-name><content-type>image/png</content-type>
    <data url="https://host:10888/webrtcgateway/filetransfer/H1/H2/t1/a.png" until="2024-05-16T10:00:00+02:00"/>
    <x:file-hash>sha-1:AB:CD</x:file-hash>
  </file-info>
</file>`;

test('sylk spec §2.8.3: the document as the spec shows it', () => {
  const document = parseFtHttp(Buffer.from(SPEC_DOCUMENT));
  assert.ok(document.ok);
  assert.deepEqual(document.value.files, [
    {
      type: 'file',
      fileDisposition: undefined,
      fileSize: 1234,
      fileName: 'a.png',
      contentType: 'image/png',
      url: 'https://host:10888/webrtcgateway/filetransfer/H1/H2/t1/a.png',
      until: '2024-05-16T10:00:00+02:00',
      brandedUrl: undefined,
      hash: 'sha-1:AB:CD',
    },
  ]);
});

test('building: the layout sipsimple writes, read back unchanged', () => {
  const file: FtHttpFileInit = {
    type: 'file',
    fileSize: 1234,
    fileName: 'a & b.png',
    contentType: 'image/png',
    url: 'https://host/a%20b.png?x=1&y="2"',
    until: '2024-05-16T10:00:00.123456+02:00',
    hash: 'sha-1:AB:CD',
  };
  const built = buildFtHttp([file]);
  assert.ok(built.ok);
  assert.equal(
    built.value.toString(),
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
      '<file xmlns="urn:gsma:params:xml:ns:rcs:rcs:fthttp" xmlns:x="urn:gsma:params:xml:ns:rcs:rcs:up:fthttpext">' +
      '<file-info type="file"><file-size>1234</file-size><file-name>a &amp; b.png</file-name>' +
      '<content-type>image/png</content-type>' +
      '<data url="https://host/a%20b.png?x=1&amp;y=&quot;2&quot;" until="2024-05-16T10:00:00.123456+02:00"/>' +
      '<x:file-hash>sha-1:AB:CD</x:file-hash></file-info></file>',
  );
  const back = parseFtHttp(built.value);
  assert.ok(back.ok);
  assert.deepEqual(back.value.files, [{ ...file, fileDisposition: undefined, brandedUrl: undefined }]);
  assert.equal(buildFtHttp([{ ...file, fileSize: -1 }]).ok, false);
  assert.equal(buildFtHttp([{ ...file, url: 'a\u0000' }]).ok, false);
});

test('malformed documents are typed errors', () => {
  for (const xml of [
    '<file/>',
    '<file xmlns="urn:gsma:params:xml:ns:rcs:rcs:fthttp"><file-info><file-size>1</file-size></file-info></file>',
    SPEC_DOCUMENT.replace('<file-size>1234</file-size>', ''),
    SPEC_DOCUMENT.replace('1234', '12.5'),
    SPEC_DOCUMENT.replace('1234', '1'.repeat(20)),
    SPEC_DOCUMENT.replace('<content-type>image/png</content-type>', ''),
    SPEC_DOCUMENT.replace(' url="https://host:10888/webrtcgateway/filetransfer/H1/H2/t1/a.png"', ''),
    SPEC_DOCUMENT.replace('type="file"', 'type="file" type="file"'),
    '<?xml version="1.0"?><!DOCTYPE file><file/>',
  ]) {
    const document = parseFtHttp(xml);
    assert.equal(document.ok ? 'ok' : document.error.code, 'malformed-ft-http', xml);
  }
  assert.equal(parseFtHttp(SPEC_DOCUMENT.replace('<file xmlns', '<file xmlns:y="u" xmlns')).ok, true);
});

test('FileTransferMessage: built from FT-HTTP, serialised in sylk spec §4.3.3 key order, read back', () => {
  const now = parseTimestamp('2024-05-01T10:00:00.123456+02:00');
  assert.ok(now);
  const document = parseFtHttp(SPEC_DOCUMENT);
  assert.ok(document.ok);
  const info = document.value.files[0];
  assert.ok(info);
  const message = fileTransferFromFtHttp(info, {
    transferId: 't1',
    sender: 'alice@example.com',
    receiver: 'bob@example.com',
    now,
    expireDays: 15,
  });
  assert.ok(message.ok);
  const json = serializeFileTransfer(message.value);
  assert.deepEqual(Object.keys(JSON.parse(json) as object), [
    'filename',
    'filesize',
    'sender',
    'receiver',
    'transfer_id',
    'timestamp',
    'until',
    'url',
    'filetype',
  ]);
  assert.equal(message.value.until, '2024-05-16T10:00:00.123456+02:00');
  assert.deepEqual(parseFileTransfer(json), message);
  const withHash = { ...message.value, hash: `sha-1:${'AB:'.repeat(19)}AB` };
  assert.deepEqual(parseFileTransfer(serializeFileTransfer(withHash)), { ok: true, value: withHash });
  assert.equal(
    fileTransferFromFtHttp(
      { ...info, fileName: undefined },
      { transferId: 't', sender: 'a', receiver: 'b', now, expireDays: 1 },
    ).ok,
    false,
  );
});

test('FileTransferMessage JSON: extra keys dropped, null display names and hash accepted, wrong types refused', () => {
  const valid = {
    filename: 'a.png',
    filesize: 1,
    sender: { uri: 'alice@example.com', display_name: null },
    receiver: { uri: 'bob@example.com' },
    transfer_id: 't',
    timestamp: 'ts',
    until: 'u',
    url: 'https://x',
    filetype: 'image/png',
    hash: null,
    prefix: 'A',
    path: '/srv',
  };
  const parsed = parseFileTransfer(JSON.stringify(valid));
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.value.sender, { uri: 'alice@example.com', display_name: '' });
  assert.equal('hash' in parsed.value, false);
  assert.equal('prefix' in parsed.value, false);
  for (const broken of [
    'not json',
    '[]',
    'null',
    JSON.stringify({ ...valid, filesize: -1 }),
    JSON.stringify({ ...valid, filesize: '1' }),
    JSON.stringify({ ...valid, filename: 1 }),
    JSON.stringify({ ...valid, sender: 'alice' }),
    JSON.stringify({ ...valid, receiver: { uri: 1 } }),
    JSON.stringify({ ...valid, hash: 1 }),
  ]) {
    const result = parseFileTransfer(broken);
    assert.equal(result.ok ? 'ok' : result.error.code, 'malformed-file-transfer', broken);
  }
});
