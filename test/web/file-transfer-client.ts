/**
 * A small HTTP client for the file-transfer routes, on node:http so that a test controls the body: a
 * Buffer, a stream it can pause and cut, or no Content-Length at all. A refusal that closes the connection
 * before the body is sent still gives its status (the response is read as soon as it comes).
 */
import { createHash, type Hash } from 'node:crypto';
import { type IncomingHttpHeaders, request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';

export interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface RequestInit {
  readonly method: string;
  readonly headers?: Record<string, string | number>;
  /** A Buffer is sent whole; a stream is piped; undefined sends nothing. */
  readonly body?: Buffer | Readable | undefined;
  /** Given the live request, e.g. to destroy its socket mid-body. */
  readonly onRequest?: (request: ReturnType<typeof httpRequest>) => void;
}

/** The answer, or the error that ended the exchange without one (a cut connection). */
export function exchange(port: number, path: string, init: RequestInit): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      { host: '127.0.0.1', port, path, method: init.method, headers: init.headers, agent: false },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks),
          });
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    init.onRequest?.(request);
    const body = init.body;
    if (body === undefined) request.end();
    else if (Buffer.isBuffer(body)) request.end(body);
    else {
      body.on('error', (error) => request.destroy(error));
      body.pipe(request);
    }
  });
}

/**
 * GET `path`, the body read a chunk at a time: `onChunk` is given the bytes received so far before the next
 * chunk is read, so that it sees the server while the client holds the rest back. The body is hashed, not kept.
 */
export function download(
  port: number,
  path: string,
  onChunk: (received: number) => void,
): Promise<{ status: number; bytes: number; sha1: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      { host: '127.0.0.1', port, path, method: 'GET', agent: false },
      (response) => {
        const hash = createHash('sha1');
        let bytes = 0;
        (async () => {
          for await (const chunk of response as AsyncIterable<Buffer>) {
            bytes += chunk.length;
            hash.update(chunk);
            onChunk(bytes);
          }
          return { status: response.statusCode ?? 0, bytes, sha1: sha1Text(hash) };
        })().then(resolve, (error: unknown) => {
          request.destroy();
          reject(error instanceof Error ? error : new Error(String(error)));
        });
      },
    );
    request.on('error', reject);
    request.end();
  });
}

/**
 * `body` as a stream that stops before its last `heldBack` bytes until `release` settles: the server has all
 * but the end of the body for as long as the test looks at it.
 */
export function holdingBack(body: GeneratedBody, heldBack: number, release: Promise<void>): Readable {
  async function* chunks(): AsyncGenerator<Buffer> {
    let sent = 0;
    for await (const chunk of body as AsyncIterable<Buffer>) {
      if (sent <= body.bytes - heldBack && sent + chunk.length > body.bytes - heldBack) await release;
      sent += chunk.length;
      yield chunk;
    }
  }
  return Readable.from(chunks());
}

/** `bytes` of pseudo-random content in 64 KiB chunks, made as it is read; `sha1` once it has all been read. */
export class GeneratedBody extends Readable {
  readonly #hash = createHash('sha1');
  #left: number;
  #seed = 1;

  constructor(readonly bytes: number) {
    super({ highWaterMark: 64 * 1024 });
    this.#left = bytes;
  }

  override _read(): void {
    if (this.#left === 0) {
      this.push(null);
      return;
    }
    const size = Math.min(64 * 1024, this.#left);
    const chunk = Buffer.allocUnsafe(size);
    for (let i = 0; i < size; i += 1) {
      if (i % 4 === 0) this.#seed = (Math.imul(this.#seed, 1103515245) + 12345) >>> 0;
      chunk[i] = (this.#seed >>> ((i % 4) * 8)) & 0xff;
    }
    this.#left -= size;
    this.#hash.update(chunk);
    this.push(chunk);
  }

  /** `sha-1:AB:…` of what was produced. */
  get sha1(): string {
    return sha1Text(this.#hash.copy());
  }
}

/** `sha-1:AB:…`, as the file-transfer metadata writes it (sylk spec §4.3.3). */
function sha1Text(hash: Hash): string {
  const hex = hash.digest('hex').toUpperCase();
  return `sha-1:${hex.match(/../g)?.join(':') ?? ''}`;
}
