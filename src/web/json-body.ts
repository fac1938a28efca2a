/**
 * A JSON answer written as it goes: the envelope's head, the serialised entries joined by commas, its tail,
 * one piece per pull, so that the socket's back-pressure (@hono/node-server waits for `drain`) paces the
 * writes and each entry's Buffer is let go once written, instead of one string of the whole page. The
 * length is known beforehand: Content-Length, not chunked.
 */
import type { Context } from 'hono';

export function streamJson(c: Context, head: string, chunks: Buffer[], tail: string): Response {
  const pieces: (Buffer | undefined)[] = [Buffer.from(head, 'utf8')];
  for (const [i, chunk] of chunks.entries()) {
    if (i > 0) pieces.push(COMMA);
    pieces.push(chunk);
  }
  pieces.push(Buffer.from(tail, 'utf8'));
  chunks.length = 0; // the pieces hold them now
  const length = pieces.reduce((sum, piece) => sum + (piece?.length ?? 0), 0);
  let next = 0;
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        const piece = pieces[next];
        pieces[next++] = undefined;
        if (piece !== undefined) controller.enqueue(piece);
        if (next >= pieces.length) controller.close();
      },
      cancel() {
        pieces.length = 0; // the client went away: nothing more to keep
      },
    },
    { highWaterMark: 1 },
  );
  return c.body(body, 200, { 'Content-Type': 'application/json', 'Content-Length': String(length) });
}

const COMMA = Buffer.from(',');
