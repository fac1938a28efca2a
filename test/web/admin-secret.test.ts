// The admin API's secret: MISSIVE_ADMIN_SECRET first, else <data dir>/admin-secret, made once with mode 0600.
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ADMIN_SECRET_FILE, AdminSecretError, loadAdminSecret } from '../../src/web/admin-secret.js';

describe('admin secret', () => {
  let root: string;
  let count = 0;
  const fresh = async (): Promise<string> => {
    const dir = join(root, `d${String(count++)}`);
    await mkdir(dir, { mode: 0o700 });
    return dir;
  };

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'missive-admin-secret-'));
  });
  after(() => rm(root, { recursive: true, force: true }));

  test('the first start makes a 0600 file with a long random secret; later starts read the same one', async () => {
    const dir = await fresh();
    const first = await loadAdminSecret(dir, undefined);
    assert.ok(first.source === 'file', 'from the file');
    assert.ok(first.created);
    assert.equal(first.path, join(dir, ADMIN_SECRET_FILE));
    assert.match(first.value, /^[A-Za-z0-9_-]{43}$/);
    assert.equal((await stat(first.path)).mode & 0o777, 0o600);
    assert.equal(await readFile(first.path, 'utf8'), `${first.value}\n`);
    assert.deepEqual(await readdir(dir), [ADMIN_SECRET_FILE], 'no temporary file left behind');

    const second = await loadAdminSecret(dir, undefined);
    assert.deepEqual(second, { ...first, created: false });
    assert.notEqual((await loadAdminSecret(await fresh(), undefined)).value, first.value);
  });

  test('the data directory is made when missing', async () => {
    const dir = join(await fresh(), 'not', 'yet');
    const secret = await loadAdminSecret(dir, undefined);
    assert.equal(secret.source, 'file');
    assert.equal((await stat(dir)).mode & 0o777, 0o700);
  });

  test('MISSIVE_ADMIN_SECRET overrides, and no file is made; empty counts as not set', async () => {
    const dir = await fresh();
    assert.deepEqual(await loadAdminSecret(dir, 'from env'), { source: 'environment', value: 'from env' });
    assert.deepEqual(await readdir(dir), []);
    assert.equal((await loadAdminSecret(dir, '')).source, 'file');
  });

  test("an operator's own file is used, without its trailing newline", async () => {
    const dir = await fresh();
    await writeFile(join(dir, ADMIN_SECRET_FILE), 'my own secret\n', { mode: 0o600 });
    const secret = await loadAdminSecret(dir, undefined);
    assert.deepEqual(secret, {
      source: 'file',
      value: 'my own secret',
      path: join(dir, ADMIN_SECRET_FILE),
      created: false,
    });
  });

  test('a file others may read, a symlink, an empty or a multi-line file is refused, never replaced', async () => {
    const cases: [string, (path: string) => Promise<void>, RegExp][] = [
      [
        'group-readable',
        async (path) => {
          await writeFile(path, 'leaked\n', { mode: 0o600 });
          await chmod(path, 0o640);
        },
        /mode 640/,
      ],
      ['empty', (path) => writeFile(path, '', { mode: 0o600 }), /printable ASCII/],
      ['two lines', (path) => writeFile(path, 'a\nb\n', { mode: 0o600 }), /one line/],
      ['too long', (path) => writeFile(path, 'x'.repeat(2000), { mode: 0o600 }), /longer than/],
      [
        'symlink',
        async (path) => {
          const target = `${path}-target`;
          await writeFile(target, 'elsewhere\n', { mode: 0o600 });
          await symlink(target, path);
        },
        /symbolic link/,
      ],
    ];
    for (const [name, make, message] of cases) {
      const dir = await fresh();
      const path = join(dir, ADMIN_SECRET_FILE);
      await make(path);
      const before = await readFile(path);
      await assert.rejects(loadAdminSecret(dir, undefined), (error: unknown) => {
        assert.ok(error instanceof AdminSecretError, name);
        assert.match(error.message, message, name);
        return true;
      });
      assert.deepEqual(await readFile(path), before, `${name}: left as it was`);
    }
  });
});
