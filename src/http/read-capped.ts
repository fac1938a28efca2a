/**
 * A fetch Response's body read up to a cap: what an outside service (a push gateway, APNs, FCM, an XCAP
 * server) answers is bounded before it is parsed. Past the cap the rest is not read (leaving the loop cancels
 * the stream, so the connection is not reused).
 */
export interface CappedBody {
  /** The first `max` bytes at most. */
  readonly bytes: Buffer;
  /** Whether the whole body fitted. */
  readonly complete: boolean;
}

export async function readCapped(response: Response, max: number): Promise<CappedBody> {
  if (response.body === null) return { bytes: Buffer.alloc(0), complete: true };
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    chunks.push(chunk);
    size += chunk.byteLength;
    if (size > max) return { bytes: Buffer.concat(chunks).subarray(0, max), complete: false };
  }
  return { bytes: Buffer.concat(chunks), complete: true };
}
