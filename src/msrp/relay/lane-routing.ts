/**
 * What a connection that carries several sessions (a lane each, lane.ts) reads of a message before a lane
 * reads it: the session it names, and what becomes of one that names none of the connection's sessions.
 * Both sides use it: the pooled connection to a next hop (shared-connection.ts) and an accepted connection
 * from a relay that shares its own (accepted-lanes.ts).
 */
import type { MsrpHead } from '../message.js';
import { parseMsrpUri } from '../uri.js';
import { response } from '../wire.js';
import { headerError, NO_SESSION, type Paths, readPaths } from './checks.js';

/**
 * The session id of To-Path[0]: every message on such a connection names there this relay's URI of its
 * session (a request as its next hop, a response as the From-Path[0] of what it answers), RFC 4975 §5.4.
 * Only that URI is read here; the lane's reader checks the paths whole.
 */
export function laneSessionId(head: MsrpHead): string | undefined {
  const path = head.headers.get('To-Path');
  if (path === undefined) return undefined;
  const text = path.trim();
  const end = text.search(/[ \t]/);
  return parseMsrpUri(end === -1 ? text : text.slice(0, end))?.sessionId;
}

export type Unrouted =
  | { readonly kind: 'paths'; readonly paths: Paths }
  /** To-Path or From-Path is missing: ignored, as on a connection of its own (relay spec §3.4 step 1). */
  | { readonly kind: 'ignored' }
  /** Paths that are not MSRP URIs: a request got 400, and the connection must be closed (as peer-reader.ts). */
  | { readonly kind: 'invalid'; readonly header: string };

/** The paths of a message for none of the connection's sessions, read whole; `answer` writes the 400. */
export function readUnrouted(head: MsrpHead, answer: (message: Buffer) => void): Unrouted {
  const result = readPaths(head, undefined);
  if (result.kind === 'missing') return { kind: 'ignored' };
  if (result.kind === 'ok') return { kind: 'paths', paths: result.paths };
  if (head.method !== undefined && result.reply !== undefined) {
    answer(response(head, 400, headerError(result.header), result.reply.to, result.reply.from));
  }
  return { kind: 'invalid', header: result.header };
}

/** A request for no session gets 481 (a session that ended here while the far side still sent for it). */
export function refuseNoSession(head: MsrpHead, paths: Paths, answer: (message: Buffer) => void): void {
  if (head.method === undefined) return;
  answer(response(head, 481, NO_SESSION, paths.from[0]?.text ?? '', paths.to[0]?.text ?? ''));
}
