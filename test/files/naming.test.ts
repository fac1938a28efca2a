/**
 * The names of sylk spec §4.3.1 (H(aor), the directory layout) and the file-name rule of sylk spec §4.3.2: werkzeug's
 * secure_filename for what it keeps, a refusal for anything that could leave the transfer directory. The
 * property: whatever a client sends, a name that is accepted lands inside the transfer directory, in the
 * transfer's own directory, never among the partial files.
 */
import assert from 'node:assert/strict';
import { dirname, join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { aorHash, isAorHash, safeName, secureFilename } from '../../src/files/naming.js';
import { placeOf, TransferLayout } from '../../src/files/transfer-layout.js';

describe('file-transfer names', () => {
  test('H(aor) is the URL-safe base64 of the MD5 without padding (SylkServer’s)', () => {
    // python3 -c "import base64,hashlib;print(base64.urlsafe_b64encode(hashlib.md5(b'alice@example.com').digest()).rstrip(b'=').decode())"
    assert.equal(aorHash('alice@example.com'), 'wWD4zGmk8L8rA2J1I1PQYA');
    assert.equal(aorHash('alice@example.com').length, 22);
    assert.ok(isAorHash(aorHash('bob@example.com')));
  });

  test('the layout is {p}/{H(sender)}/{H(receiver)}/{transfer_id}/, receiver first when the sender keeps no files', () => {
    const layout = new TransferLayout('/srv/ft');
    const a = aorHash('alice@example.com');
    const b = aorHash('bob@example.com');
    const senderFirst = placeOf('alice@example.com', 'bob@example.com', 't1', 'a.png', true);
    assert.equal(layout.file(senderFirst), `/srv/ft/${a[0] ?? ''}/${a}/${b}/t1/a.png`);
    assert.equal(layout.metadata(senderFirst), `/srv/ft/${a[0] ?? ''}/${a}/${b}/t1/meta-a.png`);
    const receiverFirst = placeOf('alice@example.com', 'bob@example.com', 't1', 'a.png', false);
    assert.equal(layout.directory(receiverFirst), `/srv/ft/${b[0] ?? ''}/${b}/${a}/t1`);
    assert.equal(TransferLayout.urlPath(senderFirst), `${a}/${b}/t1/a.png`);
  });

  test('secure_filename as werkzeug writes it', () => {
    assert.equal(secureFilename('My cool movie.mov'), 'My_cool_movie.mov');
    assert.equal(secureFilename('i contain cool \xfcml\xe4uts.txt'), 'i_contain_cool_umlauts.txt');
    assert.equal(secureFilename('__init__.py'), 'init__.py');
    assert.equal(secureFilename('..hidden'), 'hidden');
  });

  test('what could leave the directory is refused, not rewritten', () => {
    for (const name of [
      '../etc/passwd',
      '..',
      '.',
      'a/b',
      'a\\b',
      '/abs',
      'a\0b',
      '',
      'x'.repeat(300),
      '...',
    ]) {
      assert.equal(safeName(name).ok, false, JSON.stringify(name));
    }
    assert.deepEqual(safeName('photo 1.jpg'), { ok: true, name: 'photo_1.jpg' });
    assert.equal(safeName('ééé').ok, true);
    assert.equal(safeName('日本').ok, false); // nothing left once sanitised
  });

  test('property: an accepted name stays in its transfer’s directory, never among the partial files', () => {
    const layout = new TransferLayout('/srv/ft');
    const anyName = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.string({ unit: fc.constantFrom('.', '/', '\\', '\0', 'a', ' ', '%', '~', 'é'), maxLength: 40 }),
    );
    fc.assert(
      fc.property(anyName, anyName, (transferId, filename) => {
        const id = safeName(transferId);
        const file = safeName(filename);
        if (!id.ok || !file.ok) return;
        assert.match(file.name, /^[A-Za-z0-9-][A-Za-z0-9_.-]*$/);
        assert.ok(Buffer.byteLength(`meta-${file.name}`) <= 255);
        const place = placeOf('alice@example.com', 'bob@example.com', id.name, file.name, true);
        const path = layout.file(place);
        assert.ok(path !== undefined);
        assert.equal(dirname(path), layout.directory(place));
        assert.equal(resolve(path), path);
        assert.ok(path.startsWith(join('/srv/ft', aorHash('alice@example.com').slice(0, 1), '/')));
        assert.ok(!path.startsWith(layout.partialDirectory));
      }),
      { numRuns: 2000 },
    );
  });
});
