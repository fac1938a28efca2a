// The web chat's files on the web port (src/web/web-client-files.ts, web-client-routes.ts): headers, caching,
// what is served and what is not, and a directory that was never built.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Hono } from 'hono';
import type { WebEnv } from '../../src/web/peer.js';
import { loadWebClient } from '../../src/web/web-client-files.js';
import { addWebClientRoutes, WEB_CLIENT_CSP } from '../../src/web/web-client-routes.js';

let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'missive-web-client-'));
  await mkdir(join(dir, 'assets'));
  await writeFile(
    join(dir, 'index.html'),
    '<!doctype html><script type="module" src="assets/main-AB12.js"></script>',
  );
  await writeFile(join(dir, 'assets', 'main-AB12.js'), 'console.log(1)');
  await writeFile(join(dir, 'assets', 'style-CD34.css'), 'body{}');
  await writeFile(join(dir, 'assets', 'notes.txt'), 'not served');
  await writeFile(join(dir, 'secret.js'), 'outside assets');
});
after(() => rm(dir, { recursive: true, force: true }));

function app(): Hono<WebEnv> {
  const loaded = loadWebClient(dir);
  assert.ok(loaded.ok);
  const hono = new Hono<WebEnv>();
  addWebClientRoutes(hono, loaded.files);
  return hono;
}

test('the page: no-cache, the Content-Security-Policy, nosniff; /chat redirects to /chat/', async () => {
  const page = await app().request('/chat/');
  assert.equal(page.status, 200);
  assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.equal(page.headers.get('cache-control'), 'no-cache');
  assert.equal(page.headers.get('content-security-policy'), WEB_CLIENT_CSP);
  assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
  assert.match(WEB_CLIENT_CSP, /default-src 'none'/);
  assert.doesNotMatch(WEB_CLIENT_CSP, /unsafe|https?:|\*/);
  const bare = await app().request('/chat');
  assert.equal(bare.status, 301);
  assert.equal(bare.headers.get('location'), '/chat/');
});

test('hashed assets: cached for a year with their type; anything else under /chat/ is 404', async () => {
  const script = await app().request('/chat/assets/main-AB12.js');
  assert.equal(script.status, 200);
  assert.equal(await script.text(), 'console.log(1)');
  assert.equal(script.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  assert.equal(script.headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.equal(
    (await app().request('/chat/assets/style-CD34.css')).headers.get('content-type'),
    'text/css; charset=utf-8',
  );
  for (const path of [
    '/chat/assets/notes.txt',
    '/chat/assets/..%2Fsecret.js',
    '/chat/secret.js',
    '/chat/assets/nope.js',
  ])
    assert.equal((await app().request(path)).status, 404, path);
});

test('a directory that was never built: not loaded, and the reason says how to build it', () => {
  const loaded = loadWebClient(join(dir, 'missing'));
  if (loaded.ok) assert.fail('loaded a directory without index.html');
  assert.match(loaded.reason, /npm run build:web/);
});
