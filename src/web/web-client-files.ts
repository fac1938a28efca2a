/**
 * The built web chat (issue 17), read once at start-up from the directory `npm run build:web` writes
 * (scripts/build-web-client.mjs): `index.html` and the content-hashed files under `assets/`. Kept in memory:
 * the bundle is small, and a rebuild while the server runs must not serve a half-written file.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface WebClientFile {
  readonly body: Uint8Array;
  readonly contentType: string;
}

export interface WebClientFiles {
  readonly index: WebClientFile;
  /** By name under `assets/` (each name carries its content hash). */
  readonly assets: ReadonlyMap<string, WebClientFile>;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json; charset=utf-8',
};

/**
 * Where the build writes, seen from this module: `src/web/` under tsx (the repository's `dist/web-client`), or
 * `dist/src/web/` when compiled (`dist/web-client` as well, two levels up).
 */
export function defaultWebClientDir(): string {
  const candidates = [
    fileURLToPath(new URL('../../dist/web-client/', import.meta.url)),
    fileURLToPath(new URL('../../web-client/', import.meta.url)),
  ];
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? candidates[0] ?? '';
}

export type WebClientLoad =
  | { readonly ok: true; readonly files: WebClientFiles }
  | { readonly ok: false; readonly reason: string };

export function loadWebClient(dir: string): WebClientLoad {
  const indexPath = join(dir, 'index.html');
  if (!existsSync(indexPath)) {
    return { ok: false, reason: `${indexPath} does not exist: run \`npm run build:web\`` };
  }
  try {
    const assets = new Map<string, WebClientFile>();
    const assetDir = join(dir, 'assets');
    if (existsSync(assetDir)) {
      for (const name of readdirSync(assetDir)) {
        const contentType = CONTENT_TYPES[extname(name)];
        const body = contentType === undefined ? undefined : readAsset(join(assetDir, name));
        if (contentType !== undefined && body !== undefined) assets.set(name, { body, contentType });
      }
    }
    return {
      ok: true,
      files: { index: { body: readFileSync(indexPath), contentType: 'text/html; charset=utf-8' }, assets },
    };
  } catch (error) {
    return { ok: false, reason: `${dir} could not be read: ${(error as Error).message}` };
  }
}

/**
 * An asset, or undefined when it went between the listing and the read: a concurrent build removes the files
 * the new page no longer names (scripts/build-web-client.mjs), and those are not needed.
 */
function readAsset(path: string): Uint8Array | undefined {
  try {
    return readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
