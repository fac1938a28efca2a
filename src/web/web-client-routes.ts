/**
 * The web chat's routes on the web port (issue 17): `/chat/` is the page, `/chat/assets/NAME` its
 * content-hashed script and style. The hashed files are cached for a year (a new build has new names);
 * the page itself is revalidated on every load so that it always names the current ones. Every answer
 * carries a Content-Security-Policy that allows nothing from elsewhere and no inline script or style, so a
 * message that slips HTML into the page still cannot run or load anything.
 */
import type { Context, Hono } from 'hono';
import type { WebEnv } from './peer.js';
import type { WebClientFile, WebClientFiles } from './web-client-files.js';

export const WEB_CLIENT_PATH = '/chat/';

/**
 * `connect-src 'self'` covers the same-origin `ws:`/`wss:` of the sylkRTC API (CSP Level 3); images may
 * be `blob:` (a picture decrypted in the page). Nothing else: no frames, no forms posted anywhere, no base URL.
 */
export const WEB_CLIENT_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob:",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const IMMUTABLE = 'public, max-age=31536000, immutable';

export function addWebClientRoutes(app: Hono<WebEnv>, files: WebClientFiles): void {
  app.get('/chat', (c) => c.redirect(WEB_CLIENT_PATH, 301));
  app.get(WEB_CLIENT_PATH, (c) => serve(c, files.index, 'no-cache'));
  app.get(`${WEB_CLIENT_PATH}assets/:name`, (c) => {
    const file = files.assets.get(c.req.param('name'));
    return file === undefined ? c.notFound() : serve(c, file, IMMUTABLE);
  });
}

function serve(c: Context<WebEnv>, file: WebClientFile, cacheControl: string): Response {
  return c.body(file.body as Uint8Array<ArrayBuffer>, 200, {
    'Content-Type': file.contentType,
    'Cache-Control': cacheControl,
    'Content-Security-Policy': WEB_CLIENT_CSP,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
  });
}
