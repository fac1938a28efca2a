/**
 * One rate search against one target for one transport: register the UAS's address at the proxy
 * (REGISTER without auth, sipp bound to the UAS port), start the sipp UAS there, warm up, search, stop
 * the UAS and remove its registration. The baseline sends to the UAS directly and registers nothing.
 */
import { freePort, LOOPBACK } from '../../test/support/ports.js';
import { describeSipp, registerWithSipp, sippSucceeded } from '../../test/interop/harness/sipp.js';
import type { SipBenchOptions, SipTransport } from './options.js';
import { type ProbeResult, type ProbeSetup, probe, sippTransport } from './probe.js';
import { type SearchOutcome, searchMaxRate } from './search.js';
import type { RunningTarget } from './targets/target.js';
import { KeptUas, type UasTotals } from './uas.js';

export const BENCH_USER = 'bench';
const WARMUP_RATE = 500;
/** Later searches start a little below the previous result and grow gently: the answer is near. */
export const HINT_SHARE = 0.85;
export const HINTED_GROWTH = 1.2;
/** Pause after a probe, longer after a failed one, so that its retransmissions and timers die out first. */
const SETTLE_MS = 1000;
const SETTLE_AFTER_FAILURE_MS = 3000;

export interface Cores {
  readonly generator: number;
  readonly proxy: number;
}

export interface SessionResult extends SearchOutcome<ProbeResult> {
  /** The UAS's view over the whole search. */
  readonly uas: Readonly<UasTotals>;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function runSession(
  proxy: RunningTarget | undefined,
  transport: SipTransport,
  options: SipBenchOptions,
  cores: Cores,
  /** Where the search starts; `hinted`: an earlier search found about this much, so grow gently. */
  start: { readonly rate: number; readonly hinted: boolean },
  log: (line: string) => void,
  /** The MESSAGEs' sender and scenario (default: from BENCH_USER, the recipient; message-uac). */
  message: Pick<ProbeSetup, 'from' | 'scenario'> = {},
): Promise<SessionResult> {
  const uasPort = await freePort();
  const generatorCpus = String(cores.generator);
  if (proxy !== undefined) {
    const registration = await registerWithSipp({
      registrar: proxy.address,
      user: BENCH_USER,
      transport: sippTransport(transport),
      contactPort: uasPort,
      cpus: generatorCpus,
    });
    if (!sippSucceeded(registration, 1)) throw new Error(`REGISTER failed: ${describeSipp(registration)}`);
  }
  const uas = new KeptUas(uasPort, sippTransport(transport), generatorCpus);
  await uas.start();
  try {
    const setup = {
      transport,
      destination: proxy?.address ?? `${LOOPBACK}:${uasPort}`,
      user: BENCH_USER,
      ...message,
      seconds: options.probeSeconds,
      proxyPids: () => proxy?.pids() ?? [],
      generatorCpus,
      generatorCore: cores.generator,
      proxyCore: cores.proxy,
    };
    const warmup = await probe({ ...setup, seconds: 1 }, WARMUP_RATE);
    await uas.restartIfDead();
    if (!warmup.passed) log(`  warm-up at ${WARMUP_RATE}/s did not pass: ${warmup.reasons.join('; ')}`);
    await sleep(SETTLE_MS);
    const measure = async (rate: number): Promise<ProbeResult> => {
      const result = await probe(setup, rate);
      if (!(await uas.restartIfDead())) return result;
      // The UAS died under it: that probe measured sipp, not the proxy. Once more with a fresh UAS.
      log(
        `  ${rate}/s: the sipp UAS exited during the probe (${uas.totals.deaths.at(-1) ?? ''}); repeating it`,
      );
      await sleep(SETTLE_AFTER_FAILURE_MS);
      const again = await probe(setup, rate);
      if (!(await uas.restartIfDead())) return again;
      return { ...again, passed: false, reasons: [...again.reasons, 'the sipp UAS exited during the probe'] };
    };
    const outcome = await searchMaxRate(
      async (rate) => {
        const result = await measure(rate);
        log(
          `  ${rate}/s: ${result.passed ? 'pass' : `FAIL (${result.reasons.join('; ')})`}, ${summary(result)}`,
        );
        await sleep(result.passed ? SETTLE_MS : SETTLE_AFTER_FAILURE_MS);
        return result;
      },
      {
        startRate: start.rate,
        growth: start.hinted ? HINTED_GROWTH : 2,
        maxRate: options.maxRate,
        precision: options.precision,
        maxProbes: options.maxProbes,
      },
    );
    await uas.stop();
    return { ...outcome, uas: uas.totals };
  } finally {
    await uas.stop();
    // The next search registers a UAS on another port: without this, the proxy would fork every MESSAGE
    // of the next search to this dead contact as well, and slow down from search to search.
    if (proxy !== undefined) await unregister(proxy, transport, uasPort, generatorCpus, log);
  }
}

async function unregister(
  proxy: RunningTarget,
  transport: SipTransport,
  uasPort: number,
  cpus: string,
  log: (line: string) => void,
): Promise<void> {
  const removal = await registerWithSipp({
    registrar: proxy.address,
    user: BENCH_USER,
    transport: sippTransport(transport),
    contactPort: uasPort,
    expires: 0,
    cpus,
  });
  if (!sippSucceeded(removal, 1)) log(`  removing the UAS registration failed: ${describeSipp(removal)}`);
}

function summary(result: ProbeResult): string {
  const l = result.latency;
  const cpu = Number.isFinite(result.proxyCpuUs) ? `, proxy ${result.proxyCpuUs.toFixed(0)} µs/MESSAGE` : '';
  return `p50 ${l.p50} p99 ${l.p99} mean ${l.mean.toFixed(2)} ms, ${result.retransmissions} retrans${cpu}`;
}
