/**
 * The file-transfer store (src/files/transfer-store.ts) on a real directory: a completed upload is the
 * whole file with its metadata and SHA-1, and nothing else; an upload that is cancelled, cut short or
 * longer than announced leaves nothing; the size limit and the per-account quota (uploads in progress
 * included) are checked before a byte is written; downloads open only what missive stored.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { placeOf } from '../../src/files/transfer-layout.js';
import { FileTransferStore, sha1Text, type Upload } from '../../src/files/transfer-store.js';

const ALICE = 'alice@example.com';
const BOB = 'bob@example.com';

async function filesUnder(root: string): Promise<string[]> {
  if (!existsSync(root)) return [];
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(root.length + 1));
}

async function begun(store: FileTransferStore, transferId: string, bytes: number): Promise<Upload> {
  const outcome = await store.begin(placeOf(ALICE, BOB, transferId, 'a.bin', true), bytes);
  assert.equal(outcome.kind, 'ready');
  return (outcome as { upload: Upload }).upload;
}

describe('FileTransferStore', () => {
  let root: string;
  let store: FileTransferStore;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'missive-files-'));
    store = new FileTransferStore(root, { maxFileBytes: 1000, quotaBytes: 1500 });
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  test('a completed upload is the whole file, its metadata and its SHA-1; nothing partial is left', async () => {
    const content = Buffer.from('the content of a file');
    const upload = await begun(store, 't1', content.length);
    const received = await upload.receive(Readable.from([content.subarray(0, 5), content.subarray(5)]));
    assert.deepEqual(received, {
      kind: 'received',
      bytes: content.length,
      sha1: sha1Text(createHash('sha1').update(content).digest()),
    });
    assert.match(sha1Text(createHash('sha1').digest()), /^sha-1(:[0-9A-F]{2}){20}$/);
    await upload.complete({ filename: 'a.bin' });
    const place = placeOf(ALICE, BOB, 't1', 'a.bin', true);
    assert.deepEqual(await readFile(store.layout.file(place) ?? ''), content);
    assert.deepEqual(JSON.parse(await readFile(store.layout.metadata(place) ?? '', 'utf8')), {
      filename: 'a.bin',
    });
    const files = await filesUnder(root);
    assert.equal(files.length, 2);
    assert.ok(files.every((file) => !file.startsWith('.partial')));
  });

  test('until it completes, the file is not in its transfer’s directory', async () => {
    const upload = await begun(store, 't1', 10);
    const body = new PassThrough();
    const receiving = upload.receive(body);
    body.write(Buffer.alloc(4));
    body.end(Buffer.alloc(6));
    assert.equal((await receiving).kind, 'received');
    const place = placeOf(ALICE, BOB, 't1', 'a.bin', true);
    assert.equal(existsSync(store.layout.file(place) ?? ''), false);
    await upload.complete({});
    assert.equal(existsSync(store.layout.file(place) ?? ''), true);
  });

  test('a cut body, a cancel and a body longer than announced leave nothing', async () => {
    const short = await begun(store, 't1', 10);
    assert.deepEqual(await short.receive(Readable.from([Buffer.alloc(4)])), {
      kind: 'interrupted',
      bytes: 4,
    });
    const broken = await begun(store, 't2', 10);
    const body = new PassThrough();
    const receiving = broken.receive(body);
    body.write(Buffer.alloc(4));
    body.destroy(new Error('connection reset'));
    assert.equal((await receiving).kind, 'interrupted');
    const long = await begun(store, 't3', 3);
    assert.deepEqual(await long.receive(Readable.from([Buffer.alloc(4)])), { kind: 'too-long' });
    const cancelled = await begun(store, 't4', 3);
    await cancelled.cancel();
    assert.deepEqual(await filesUnder(root), []);
  });

  test('the size limit and the quota are checked before anything is written; uploads in progress count', async () => {
    const place = (id: string) => placeOf(ALICE, BOB, id, 'a.bin', true);
    assert.deepEqual(await store.begin(place('big'), 1001), { kind: 'too-large', maxFileBytes: 1000 });
    const first = await begun(store, 't1', 1000);
    // 1000 reserved by the upload in progress: 600 more passes the 1500 quota.
    assert.deepEqual(await store.begin(place('t2'), 600), {
      kind: 'quota',
      quotaBytes: 1500,
      usedBytes: 1000,
    });
    await first.receive(Readable.from([Buffer.alloc(1000)]));
    await first.complete({ filename: 'a.bin' });
    const used = await store.usedBytes(place('t1').first);
    assert.ok(used > 1000, String(used)); // the file and its metadata
    assert.equal((await store.begin(place('t2'), 600)).kind, 'quota');
    // Bob's own quota is his directory's: alice's files are not in it.
    assert.equal((await store.begin(placeOf(BOB, ALICE, 't3', 'a.bin', true), 600)).kind, 'ready');
    // A cancelled upload gives its reservation back.
    const again = new FileTransferStore(root, { maxFileBytes: 1000, quotaBytes: 3000 });
    const reserved = await begun(again, 't4', 1000);
    assert.equal((await again.begin(place('t5'), 1000)).kind, 'quota');
    await reserved.cancel();
    assert.equal((await again.begin(place('t5'), 1000)).kind, 'ready');
  });

  test('removeTransfer removes the transfer’s directory, in either layout, and nothing else', async () => {
    for (const [id, senderFirst] of [
      ['t1', true],
      ['t2', false],
    ] as const) {
      const outcome = await store.begin(placeOf(ALICE, BOB, id, 'a.bin', senderFirst), 1);
      assert.equal(outcome.kind, 'ready');
      const upload = (outcome as { upload: Upload }).upload;
      await upload.receive(Readable.from([Buffer.from('x')]));
      await upload.complete({});
    }
    const kept = await begun(store, 't3', 1);
    await kept.receive(Readable.from([Buffer.from('y')]));
    await kept.complete({});
    await store.removeTransfer(ALICE, BOB, 't1');
    await store.removeTransfer(ALICE, BOB, 't2');
    await store.removeTransfer(ALICE, BOB, '..');
    const left = await filesUnder(root);
    assert.deepEqual(
      left.filter((file) => !file.includes('/t3/')),
      [],
    );
    assert.equal(left.length, 2);
  });

  test('open: a stored file by its URL’s segments; anything else is invalid or missing', async () => {
    const upload = await begun(store, 't1', 2);
    await upload.receive(Readable.from([Buffer.from('ok')]));
    await upload.complete({});
    const { first, second } = placeOf(ALICE, BOB, 't1', 'a.bin', true);
    const opened = await store.open(first, second, 't1', 'a.bin');
    assert.equal(opened.kind, 'file');
    assert.equal((await store.open(first, second, 't1', 'b.bin')).kind, 'missing');
    assert.equal((await store.open(first, second, 't1', '../t1/a.bin')).kind, 'invalid');
    assert.equal((await store.open('..', second, 't1', 'a.bin')).kind, 'invalid');
    assert.equal((await store.open(first, second, '..', 'a.bin')).kind, 'invalid');
    assert.equal((await store.open(first, second, 't1', 'a bin')).kind, 'invalid'); // not a name missive stores
    assert.equal((await store.open(first, second, 't1', '')).kind, 'invalid');
  });
});
