/**
 * A minimal MSRP client that reserves a session at a relay (RFC 4976 §5, as msrplib does it): AUTH, answer
 * the digest challenge, return the Use-Path. Used by `missive relay-check` to test a relay end to end.
 */
import { randomBytes } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { parseAuthParams } from '../../auth/auth-params.js';
import { computeDigestResponse, computeHa1, parseDigestAlgorithm } from '../../auth/digest.js';
import type { MsrpHead } from '../message.js';
import { MsrpParser } from '../parser.js';
import { DEFAULT_MSRP_PORT, type MsrpUri } from '../uri.js';

export interface AuthClientOptions {
  /** The relay's URI as a client puts it in To-Path, e.g. msrps://example.com;tcp. */
  readonly relay: MsrpUri;
  /** Where to connect, when not the URI's host and port (e.g. a relay found through DNS SRV). */
  readonly connectTo?: { readonly host: string; readonly port: number };
  readonly username: string;
  readonly password: string;
  /** Accept a relay certificate that does not verify (self-signed test setups). */
  readonly insecure: boolean;
  readonly timeoutMs: number;
}

export interface AuthResult {
  readonly usePath: string;
  readonly expires: string | undefined;
}

export async function reserveSession(options: AuthClientOptions): Promise<AuthResult> {
  const host = options.connectTo?.host ?? options.relay.host;
  const port = options.connectTo?.port ?? options.relay.port ?? DEFAULT_MSRP_PORT;
  const socket = await open(options, host, port);
  const local = `${options.relay.secure ? 'msrps' : 'msrp'}://${socket.localAddress ?? '127.0.0.1'}:${socket.localPort ?? 0}/${randomBytes(10).toString('hex')};tcp`;
  const responses = responseStream(socket);
  try {
    const ask = async (extra: string): Promise<MsrpHead> => {
      const tid = randomBytes(8).toString('hex');
      socket.write(
        `MSRP ${tid} AUTH\r\nTo-Path: ${options.relay.text}\r\nFrom-Path: ${local}\r\n${extra}-------${tid}$\r\n`,
      );
      return withTimeout(responses.next(), options.timeoutMs);
    };
    const challenge = await ask('');
    if (challenge.status !== 401) throw new Error(`expected 401, got ${describe(challenge)}`);
    const params = parseAuthParams(
      (challenge.headers.get('WWW-Authenticate') ?? '').replace(/^Digest\s+/i, ''),
    );
    const realm = params?.get('realm');
    const nonce = params?.get('nonce');
    const algorithm = parseDigestAlgorithm(params?.get('algorithm'));
    if (realm === undefined || nonce === undefined || algorithm === undefined) {
      throw new Error('the relay sent an unusable WWW-Authenticate header');
    }
    const cnonce = randomBytes(8).toString('hex');
    const ha1 = computeHa1(algorithm, options.username, realm, options.password);
    const digest = computeDigestResponse({
      algorithm,
      ha1,
      nonce,
      nc: '00000001',
      cnonce,
      method: 'AUTH',
      uri: options.relay.text,
    });
    const opaque = params?.get('opaque');
    const authorization =
      `Digest username="${options.username}", realm="${realm}", nonce="${nonce}", qop=auth, nc=00000001, ` +
      `cnonce="${cnonce}", response="${digest}"${opaque === undefined ? '' : `, opaque="${opaque}"`}` +
      (algorithm === 'MD5' ? '' : `, algorithm=${algorithm}`);
    const answer = await ask(`Authorization: ${authorization}\r\n`);
    if (answer.status !== 200) throw new Error(`authentication refused: ${describe(answer)}`);
    const usePath = answer.headers.get('Use-Path');
    if (usePath === undefined) throw new Error('the relay accepted but sent no Use-Path');
    return { usePath, expires: answer.headers.get('Expires') };
  } finally {
    socket.destroy();
  }
}

function describe(head: MsrpHead): string {
  return `${head.status ?? head.method ?? '?'}${head.comment === undefined ? '' : ` ${head.comment}`}`;
}

function open(options: AuthClientOptions, host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = options.relay.secure
      ? tlsConnect(
          { host, port, servername: options.relay.host, rejectUnauthorized: !options.insecure },
          () => {
            resolve(socket);
          },
        )
      : netConnect({ host, port }, () => {
          resolve(socket);
        });
    socket.once('error', reject);
    socket.setTimeout(options.timeoutMs, () => socket.destroy(new Error('connection timed out')));
  });
}

/** Responses in arrival order; rejects pending reads when the connection ends. */
function responseStream(socket: Socket): { next(): Promise<MsrpHead> } {
  const ready: MsrpHead[] = [];
  const waiting: { resolve: (head: MsrpHead) => void; reject: (error: Error) => void }[] = [];
  const parser = new MsrpParser({
    onHead: (head) => {
      const waiter = waiting.shift();
      if (waiter === undefined) ready.push(head);
      else waiter.resolve(head);
    },
    onBody: () => undefined,
    onEnd: () => undefined,
  });
  const fail = (error: Error): void => {
    for (const waiter of waiting.splice(0)) waiter.reject(error);
  };
  socket.on('data', (chunk: Buffer) => {
    try {
      parser.feed(chunk);
    } catch (error) {
      fail(error as Error);
      socket.destroy();
    }
  });
  socket.on('close', () => {
    fail(new Error('the relay closed the connection'));
  });
  return {
    next: () =>
      new Promise((resolve, reject) => {
        const head = ready.shift();
        if (head !== undefined) resolve(head);
        else waiting.push({ resolve, reject });
      }),
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`no answer within ${ms} ms`));
    }, ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
