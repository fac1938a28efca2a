// An established A → relay → B session (relay spec §9.0): A authenticates, binds with an empty SEND
// (msrplib style) to B, B answers 200. Tests then work on the bound session.
import assert from 'node:assert/strict';
import { auth } from './auth.js';
import type { MsrpConnection } from './connection.js';
import type { Endpoint, EndpointOptions } from './endpoint.js';
import { type HeaderList, type MsrpMessage, header, newTid, request, responseTo, show } from './message.js';
import type { Scope, Suite } from './suite.js';

export interface Session {
  readonly a: MsrpConnection;
  readonly b: MsrpConnection;
  readonly endpoint: Endpoint;
  readonly aUri: string;
  readonly bUri: string;
  /** The relay's URI for this session (USE_A). */
  readonly usePath: string;
  readonly sessionId: string;
  /** To-Path of A's requests to B: `<USE_A> <B>`. */
  readonly toB: string;
  /** From-Path of messages B receives from A: `<USE_A> <A>`. */
  readonly fromA: string;
}

export interface SessionOptions {
  readonly endpoint?: Omit<EndpointOptions, 'certs'>;
  /** An endpoint already listening (several sessions to one B), instead of a new one. */
  readonly via?: Endpoint;
}

export async function openSession(s: Suite, scope: Scope, opts: SessionOptions = {}): Promise<Session> {
  const endpoint = opts.via ?? (await scope.endpoint(opts.endpoint ?? {}));
  const a = await scope.client();
  const { usePath, sessionId } = await auth(a, { toUri: s.domainUri, fromUri: s.aUri });
  const bUri = endpoint.uri();
  const toB = `${usePath} ${bUri}`;
  await a.write(
    request({
      tid: 'bind0001',
      method: 'SEND',
      toPath: toB,
      fromPath: s.aUri,
      headers: [
        ['Message-ID', 'bind'],
        ['Byte-Range', '1-0/0'],
      ],
    }),
  );
  const ok = await a.nextMessage();
  assert.equal(ok.status, 200, `bind SEND not accepted:\n${show(ok)}`);
  const b = await endpoint.nextConnection();
  const bind = await b.nextMessage();
  assert.equal(header(bind, 'Message-ID'), 'bind', `unexpected first message at B:\n${show(bind)}`);
  await b.write(responseTo(bind, 200, 'OK', bUri));
  return { a, b, endpoint, aUri: s.aUri, bUri, usePath, sessionId, toB, fromA: `${usePath} ${s.aUri}` };
}

/** B's 200 OK to a forwarded request. */
export function ok(session: Session, req: MsrpMessage): Buffer {
  return responseTo(req, 200, 'OK', session.bUri);
}

/**
 * The positive sign that lets a test say "nothing more reached `side`": the other end sends a SEND through
 * the relay (reports off, so nobody answers it), and it must be `side`'s next message. Whatever the relay
 * wrote to that connection before — a REPORT, a response, a forwarded request — would have come first.
 */
export async function nothingMoreAt(session: Session, side: 'a' | 'b'): Promise<void> {
  const tid = newTid();
  const messageId = `probe-${tid}`;
  const headers: HeaderList = [
    ['Message-ID', messageId],
    ['Byte-Range', '1-5/5'],
    ['Failure-Report', 'no'],
    ['Success-Report', 'no'],
    ['Content-Type', 'text/plain'],
  ];
  const [sender, receiver] = side === 'a' ? [session.b, session.a] : [session.a, session.b];
  await sender.write(
    request({
      tid,
      method: 'SEND',
      toPath: side === 'a' ? `${session.usePath} ${session.aUri}` : session.toB,
      fromPath: side === 'a' ? session.bUri : session.aUri,
      headers,
      body: 'probe',
    }),
  );
  const next = await receiver.nextMessage();
  assert.equal(header(next, 'Message-ID'), messageId, `something reached ${side} first:\n${show(next)}`);
}
