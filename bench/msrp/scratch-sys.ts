import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EndpointB } from './endpoint-b.js';
import { parseOptions } from './options.js';
import { startKamailio } from './relays/kamailio.js';
import { startMissive } from './relays/missive.js';
import { pinProcess } from './relays/proc.js';
import { measureSendRate, measureSetupRate } from './rows.js';
import type { RunningRelay } from './relays/relay.js';
function us(pids: number[]) { let u = 0, s = 0; for (const p of pids) { try { const f = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]!.split(' '); u += Number(f[11]); s += Number(f[12]); } catch {} } return { u: u * 10000, s: s * 10000 }; }
pinProcess(process.pid, 0);
const options = { ...parseOptions([]), rateMs: 3000, setupMs: 3000 };
const workDir = mkdtempSync(join(tmpdir(), 'scratch-'));
const launch = { transport: 'tcp' as const, keyFile: '', certFile: '', core: 1, fdLimit: 4096, workDir };
const b = await EndpointB.start('tcp', undefined);
const relays: RunningRelay[] = [await startMissive({ ...launch, nodeOptions: process.env.NODEOPTS ? process.env.NODEOPTS.split(' ') : [] }), ...(process.env.NOKAM ? [] : [await startKamailio(launch)])];
const row = process.argv[2] ?? 'w1';
for (let i = 0; i < 3; i++) for (const r of relays) {
  const a = us(r.pids());
  const m = row === 'setup' ? await measureSetupRate(r, 'tcp', b, options, 3000) : await measureSendRate(r, 'tcp', b, options, row === 'w1' ? 1 : 32, 3000);
  const z = us(r.pids());
  const n = (m.sends_per_s ?? m.setups_per_s!) * 3;
  console.log(r.system, Math.round(n / 3), 'user us/op', ((z.u - a.u) / n).toFixed(1), 'sys us/op', ((z.s - a.s) / n).toFixed(1));
}
for (const r of relays) await r.stop();
await b.close();
