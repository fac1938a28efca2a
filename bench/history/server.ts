/**
 * The server side of `npm run bench:history`, a process of its own so that its peak memory is the web
 * service's alone: opens the store, serves it on 127.0.0.1, reports its port, then (on `report`) its peak
 * and current resident set over the IPC channel.
 */
import { readFileSync } from 'node:fs';
import { openStore } from '../../src/store/index.js';
import { systemClock } from '../../src/time/clock.js';
import { WebService } from '../../src/web/web-service.js';

export interface ServerReport {
  readonly baselineRss: number;
  readonly peakRss: number;
}

/** VmHWM / VmRSS of this process, in bytes (Linux). */
function residentSet(field: 'VmHWM' | 'VmRSS'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
  return Number(match?.[1] ?? Number.NaN) * 1024;
}

const [uri, budget] = process.argv.slice(2);
if (uri === undefined || process.send === undefined) throw new Error('usage: fork(server.ts, [uri, budget])');
const store = await openStore(uri);
const service = new WebService({
  store,
  clock: systemClock,
  host: '127.0.0.1',
  port: 0,
  ...(budget === undefined ? {} : { maxPageBytes: Number(budget) }),
});
const address = await service.start();
(globalThis as { gc?: () => void }).gc?.();
const baselineRss = residentSet('VmRSS');
process.send({ port: address.port });
process.on('message', (message) => {
  if (message !== 'report') return;
  const report: ServerReport = { baselineRss, peakRss: residentSet('VmHWM') };
  process.send?.(report, () => {
    void service
      .stop()
      .then(() => store.close())
      .then(() => process.exit(0));
  });
});
