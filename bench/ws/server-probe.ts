/**
 * Preloaded into the `missive serve` of `npm run bench:ws` (`node --expose-gc --import …/server-probe.ts`):
 * answers over the IPC channel with the process's memory after a full garbage collection, its open file
 * descriptors, or writes a heap snapshot. Nothing in missive knows of it; the channel is unref'd so that it
 * keeps the server alive no longer than missive would be.
 */
import { readdirSync } from 'node:fs';
import { writeHeapSnapshot } from 'node:v8';

export interface ProbeRequest {
  readonly probe: 'memory' | 'snapshot';
  readonly file?: string;
}

export interface ProbeMemory {
  readonly rss: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
  readonly external: number;
  readonly arrayBuffers: number;
  readonly fds: number;
}

if (process.send !== undefined) {
  process.on('message', (message: ProbeRequest) => {
    if (message.probe === 'snapshot') {
      const file = writeHeapSnapshot(message.file);
      process.send?.({ snapshot: file });
      return;
    }
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    gc?.();
    const usage = process.memoryUsage();
    const memory: ProbeMemory = {
      rss: usage.rss,
      heapUsed: usage.heapUsed,
      heapTotal: usage.heapTotal,
      external: usage.external,
      arrayBuffers: usage.arrayBuffers,
      fds: readdirSync('/proc/self/fd').length,
    };
    process.send?.(memory);
  });
  // After the listener, which refs the channel.
  process.channel?.unref();
}
