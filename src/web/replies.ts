/** The plain answers every route shares: a short text body whose status says what went wrong. */
import type { Context } from 'hono';

export function textReply(
  c: Context,
  status: 400 | 401 | 404 | 405 | 429 | 500 | 503,
  body: string,
): Response {
  return c.body(body, status, { 'Content-Type': 'text/plain; charset=utf-8' });
}

/** Sylk spec §4.1: the body is exactly `Unauthorized`, and no hint of which check failed. */
export function unauthorized(c: Context): Response {
  return textReply(c, 401, 'Unauthorized');
}

/** Too many failed credential checks from this source: come back after `retryAfterSeconds` (RFC 6585 §4). */
export function tooManyRequests(c: Context, retryAfterSeconds: number): Response {
  c.header('Retry-After', String(retryAfterSeconds));
  return textReply(c, 429, 'Too Many Requests');
}

/** The store did not answer: try again later (never a 500, never a 401 that would make a client drop its token). */
export function unavailable(c: Context): Response {
  c.header('Retry-After', '5');
  return textReply(c, 503, 'Service Unavailable');
}

/** JSON with exactly `Content-Type: application/json`, as the reference sends it. */
export function json(c: Context, value: unknown): Response {
  return c.body(JSON.stringify(value), 200, { 'Content-Type': 'application/json' });
}
