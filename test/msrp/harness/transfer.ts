// Large transfers: A sends a seeded pseudo-random file as SEND chunks, generated on the fly and written
// with backpressure; B receives them streaming, hashing bodies in Byte-Range order and never holding them.
import { createHash } from 'node:crypto';
import type { MsrpConnection, StreamHandler } from './connection.js';
import type { Flag, MessageHead } from './frame-reader.js';
import { type HeaderList, endLine, header, requestHead } from './message.js';
import { SeededBytes } from './seeded-data.js';

/** Pieces in which body bytes are generated and written; bounds the sender's memory. */
const PIECE = 1 << 20;

export interface FileToSend {
  readonly toPath: string;
  readonly fromPath: string;
  readonly messageId: string;
  readonly total: number;
  /** Bytes per chunk; 'single' sends one chunk with `Byte-Range: 1-*\/total`. */
  readonly chunkSize: number | 'single';
  readonly seed: string;
  /** Headers after Byte-Range and before Content-Type, e.g. Failure-Report. */
  readonly headers?: HeaderList;
}

export interface SentFile {
  readonly sha256: string;
  readonly byteRanges: string[];
  readonly tids: string[];
}

export interface SendProgress {
  /** Body bytes handed to write() so far. */
  bodyBytesWritten: number;
}

/** Writes the file as chunks; each write waits for 'drain' when the socket is congested. */
export async function sendFile(
  conn: MsrpConnection,
  file: FileToSend,
  progress?: SendProgress,
): Promise<SentFile> {
  const data = new SeededBytes(file.seed);
  const hash = createHash('sha256');
  const byteRanges: string[] = [];
  const tids: string[] = [];
  const size = file.chunkSize === 'single' ? file.total : file.chunkSize;
  for (let start = 0, n = 0; start < file.total; start += size, n++) {
    const end = Math.min(start + size, file.total);
    const last = end === file.total;
    const tid = `chunk${String(n).padStart(7, '0')}`;
    const byteRange = file.chunkSize === 'single' ? `1-*/${file.total}` : `${start + 1}-${end}/${file.total}`;
    const headers: [string, string][] = [
      ['Message-ID', file.messageId],
      ['Byte-Range', byteRange],
    ];
    headers.push(...(file.headers ?? []).map(([k, v]): [string, string] => [k, v]), [
      'Content-Type',
      'application/octet-stream',
    ]);
    await conn.writeWithBackpressure(
      requestHead({ tid, method: 'SEND', toPath: file.toPath, fromPath: file.fromPath, headers, body: '' }),
    );
    for (let at = start; at < end; at += PIECE) {
      const piece = data.next(Math.min(PIECE, end - at));
      hash.update(piece);
      await conn.writeWithBackpressure(piece);
      if (progress) progress.bodyBytesWritten += piece.length;
    }
    await conn.writeWithBackpressure(endLine(tid, last ? '$' : '+', true));
    byteRanges.push(byteRange);
    tids.push(tid);
  }
  return { sha256: hash.digest('hex'), byteRanges, tids };
}

/** B's side: hashes chunk bodies in order and checks that each chunk continues where the last stopped. */
export class FileReceiver implements StreamHandler {
  readonly byteRanges: string[] = [];
  readonly flags: Flag[] = [];
  readonly problems: string[] = [];
  bodyBytes = 0;
  readonly #hash = createHash('sha256');
  #current: MessageHead | undefined;
  readonly #conn: MsrpConnection;
  readonly #respond: (head: MessageHead) => Buffer | undefined;

  /** `respond` builds B's answer to each received request (or undefined for none). */
  constructor(conn: MsrpConnection, respond: (head: MessageHead) => Buffer | undefined) {
    this.#conn = conn;
    this.#respond = respond;
    conn.setStreamHandler(this);
  }

  get messages(): number {
    return this.flags.length;
  }

  sha256(): string {
    return this.#hash.copy().digest('hex');
  }

  head(head: MessageHead): void {
    this.#current = head;
    const range = header(head, 'Byte-Range') ?? '';
    this.byteRanges.push(range);
    const start = Number(/^(\d+)-/.exec(range)?.[1]);
    if (head.method !== 'SEND') this.problems.push(`unexpected ${head.startLine}`);
    else if (start !== this.bodyBytes + 1)
      this.problems.push(`chunk ${range} does not follow byte ${this.bodyBytes}`);
  }

  body(slice: Buffer): void {
    this.#hash.update(slice);
    this.bodyBytes += slice.length;
  }

  end(flag: Flag): void {
    this.flags.push(flag);
    const head = this.#current;
    if (!head) return;
    const answer = this.#respond(head);
    if (answer) this.#conn.socket.write(answer);
  }
}
