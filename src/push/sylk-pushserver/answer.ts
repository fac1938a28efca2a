/**
 * What a sylk-pushserver answer means for the dispatcher (sylk spec §5.3). The gateway answers
 * `{"code": …, "description": …, "data": {…}}`; a 410 whose body is JSON with `data.token` says the
 * device's token is gone. 429 and 5xx are worth another try (Retry-After honoured when it is a number of
 * seconds); any other status is refused for good, with the gateway's `data.reason` and the provider's
 * `data.body._content.error.message` in the reason when it gives them. Nothing here throws: the body is
 * untrusted JSON, read defensively.
 */
import type { PushOutcome } from '../provider.js';

/** Longest reason kept from an answer body: a log line, not a copy of whatever the gateway sent. */
const MAX_REASON_CHARS = 300;
/** A Retry-After beyond this is taken as this: the dispatcher bounds the total time anyway. */
const MAX_RETRY_AFTER_MS = 3_600_000;

export interface GatewayAnswer {
  readonly status: number;
  readonly contentType: string | null;
  readonly retryAfter: string | null;
  /** The body as text (bounded by the caller). */
  readonly body: string;
}

export function gatewayOutcome(answer: GatewayAnswer): PushOutcome {
  const { status } = answer;
  if (status >= 200 && status < 300) return { kind: 'sent' };
  const json = parseJson(answer.body);
  if (status === 410 && isJson(answer.contentType) && tokenOf(json) !== undefined)
    return { kind: 'token-gone', reason: reasonOf(status, json) };
  if (status === 429 || status >= 500) {
    const afterMs = retryAfterMs(answer.retryAfter);
    return { kind: 'retry', reason: reasonOf(status, json), ...(afterMs === undefined ? {} : { afterMs }) };
  }
  return { kind: 'failed', reason: reasonOf(status, json) };
}

function isJson(contentType: string | null): boolean {
  return contentType?.split(';')[0]?.trim().toLowerCase() === 'application/json';
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}

function tokenOf(json: unknown): unknown {
  return field(field(json, 'data'), 'token');
}

/** `HTTP 400: <data.reason>: <data.body._content.error.message>`, each part when present. */
function reasonOf(status: number, json: unknown): string {
  const data = field(json, 'data');
  const parts = [`HTTP ${String(status)}`];
  const reason = field(data, 'reason');
  if (typeof reason === 'string' && reason !== '') parts.push(reason);
  const message = field(field(field(field(data, 'body'), '_content'), 'error'), 'message');
  if (typeof message === 'string' && message !== '') parts.push(message);
  const description = field(json, 'description');
  if (parts.length === 1 && typeof description === 'string' && description !== '') parts.push(description);
  return parts.join(': ').slice(0, MAX_REASON_CHARS);
}

/** RFC 9110 §10.2.3 delay-seconds only; an HTTP date is ignored (the backoff applies instead). */
function retryAfterMs(value: string | null): number | undefined {
  if (value === null || !/^\s*[0-9]{1,7}\s*$/.test(value)) return undefined;
  return Math.min(Number(value.trim()) * 1000, MAX_RETRY_AFTER_MS);
}
