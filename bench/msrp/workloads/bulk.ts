/**
 * Row 2: one message of `totalBytes` sent as `chunkBytes` chunks (Byte-Range start-end/total, `+` then
 * `$`), with at most `windowBytes` in flight. Time runs from the first byte written until B has every
 * chunk and A every 200.
 */
import { sleep } from '../net.js';
import { Pump, type SendSession } from '../session.js';

export interface BulkOptions {
  readonly chunkBytes: number;
  readonly totalBytes: number;
  readonly windowBytes: number;
  readonly timeoutMs: number;
}

export interface BulkResult {
  readonly bytes: number;
  readonly seconds: number;
  /** 10^6 bytes per second. */
  readonly megabytesPerSecond: number;
  readonly generatorCpu: number;
}

export function bulkWindowChunks(options: Pick<BulkOptions, 'chunkBytes' | 'windowBytes'>): number {
  return Math.max(2, Math.ceil(options.windowBytes / options.chunkBytes));
}

export async function runBulk(session: SendSession, options: BulkOptions): Promise<BulkResult> {
  const body = Buffer.alloc(options.chunkBytes, 'bulk-body-0123456789 ');
  const chunks = Math.ceil(options.totalBytes / options.chunkBytes);
  const window = bulkWindowChunks(options);
  const messageId = `bulk${Date.now().toString(36)}`;
  let offset = 0;
  const pump = new Pump(session, () => {
    while (session.sent < chunks && session.inFlight < window) {
      const size = Math.min(options.chunkBytes, options.totalBytes - offset);
      const last = session.sent === chunks - 1;
      const view = size === body.length ? body : body.subarray(0, size);
      const ok = session.send(messageId, view, offset + 1, options.totalBytes, last);
      offset += size;
      if (!ok) return false;
    }
    return true;
  });
  const state = { done: false, finishedAt: 0 };
  session.onProgress = () => {
    if (!state.done && session.completed === chunks) {
      state.done = true;
      state.finishedAt = performance.now();
    }
    pump.request();
  };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  pump.request();
  const deadline = t0 + options.timeoutMs;
  while (!state.done && performance.now() < deadline && !session.a.closed && session.failures === 0)
    await sleep(5);
  if (!state.done) {
    throw new Error(
      `bulk transfer incomplete: ${session.completed}/${chunks} chunks, ${session.deliveredBytes} bytes at B, ` +
        `${session.failures} failures${session.a.closed ? ', connection closed' : ''}`,
    );
  }
  if (session.deliveredBytes !== options.totalBytes) {
    throw new Error(`B received ${session.deliveredBytes} body bytes, expected ${options.totalBytes}`);
  }
  const seconds = (state.finishedAt - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return {
    bytes: options.totalBytes,
    seconds,
    megabytesPerSecond: options.totalBytes / 1e6 / seconds,
    generatorCpu: (cpu.user + cpu.system) / 1e6 / seconds,
  };
}
