/**
 * One probe: the sipp UAC sends `rate` MESSAGEs per second (open loop) for a few seconds through the
 * target to the registered sipp UAS, and the run is judged. It passes when every MESSAGE got its 200
 * (no failed call: no unexpected message, no timeout, no UDP retransmission limit reached) and sipp
 * finished on schedule (a proxy that queues instead of keeping up does not pass by absorbing a short burst).
 * Retransmissions are recorded, not judged.
 */
import { removeWorkDir } from '../../test/interop/harness/paths.js';
import { runSipp, type SippTransport } from '../../test/interop/harness/sipp.js';
import { coreBusy, processCpuSeconds, readCoreTimes } from './cpu.js';
import { type LatencySummary, summarize } from './latency.js';
import type { SipTransport } from './options.js';

/** sipp's own UDP buffers: its 64 KiB default drops bursts at a few thousand messages per second. */
export const GENERATOR_BUFFER_BYTES = 4 * 1024 * 1024;
/** -trace_rtt writes every this many calls (a last partial batch is lost: counts are multiples). */
const RTT_BATCH = 100;
/**
 * Allowed lateness: 5 % of the sending time plus 150 ms for the last answers. More means a queue that
 * grew through the probe: a proxy slower than the offered rate, which a short probe would otherwise hide.
 */
export const SCHEDULE_SLACK = 1.05;
export const SCHEDULE_TAIL_S = 0.15;

export interface ProbeSetup {
  readonly transport: SipTransport;
  /** host:port the UAC sends to: the proxy, or the UAS itself for the baseline. */
  readonly destination: string;
  /** The registered user the MESSAGEs are for. */
  readonly user: string;
  /** The user in From (default `bench`, the recipient itself; bench:stored sends from another subscriber). */
  readonly from?: string;
  /** The UAC's scenario (a name or a path; default message-uac). */
  readonly scenario?: string;
  readonly seconds: number;
  /** The proxy's processes (none for the baseline). */
  readonly proxyPids: () => number[];
  readonly generatorCpus: string;
  readonly generatorCore: number;
  readonly proxyCore: number;
}

export interface ProbeResult {
  readonly rate: number;
  readonly count: number;
  readonly passed: boolean;
  /** Why it did not pass (empty when it did). */
  readonly reasons: readonly string[];
  readonly successful: number;
  readonly failed: number;
  readonly retransmissions: number;
  readonly outOfCall: number;
  readonly wallSeconds: number;
  readonly latency: LatencySummary;
  /** Proxy utime+stime per successful MESSAGE, µs (NaN for the baseline). */
  readonly proxyCpuUs: number;
  readonly generatorCoreBusy: number;
  readonly proxyCoreBusy: number;
  /** sipp's log tail when the probe failed (its files are removed: a search fails probes on purpose). */
  readonly log: string;
}

export function sippTransport(transport: SipTransport): SippTransport {
  return transport === 'udp' ? 'u1' : 't1';
}

export async function probe(setup: ProbeSetup, rate: number): Promise<ProbeResult> {
  const count = Math.max(RTT_BATCH, Math.ceil((rate * setup.seconds) / RTT_BATCH) * RTT_BATCH);
  const cores = readCoreTimes();
  const cpuBefore = processCpuSeconds(setup.proxyPids());
  const result = await runSipp({
    scenario: setup.scenario ?? 'message-uac',
    target: setup.destination,
    transport: sippTransport(setup.transport),
    service: setup.user,
    from: setup.from ?? 'bench',
    count,
    rate,
    limit: count, // open loop: never hold back a call because others are still in progress
    recvTimeoutMs: 5000,
    timeoutMs: (count / rate) * 1000 + 20_000,
    rtt: { freq: RTT_BATCH },
    bufferBytes: GENERATOR_BUFFER_BYTES,
    noDefaults: true,
    cpus: setup.generatorCpus,
  });
  const cpuAfter = processCpuSeconds(setup.proxyPids());
  removeWorkDir(result.workDir); // everything needed is in `result`
  const coresAfter = readCoreTimes();
  const s = result.stats;
  const reasons: string[] = [];
  if (s === undefined) reasons.push('sipp wrote no statistics');
  if (result.killed) reasons.push('sipp had to be killed');
  if (s !== undefined) {
    // With -nd, sipp ignores a final response it did not expect and retransmits until its receive timeout:
    // the answers that came instead of 200 are named whichever way the calls failed.
    const codes = [...result.unexpectedCodes]
      .sort((a, b) => b[1] - a[1])
      .map(([code, n]) => `${n}× ${code}`)
      .join(', ');
    if (codes !== '') reasons.push(`responses instead of 200: ${codes}`);
    if (s.failed > 0) {
      const kinds = [
        [s.failedUnexpected, 'unexpected message'],
        [s.failedTimeoutOnRecv, 'receive timeout'],
        [s.failedMaxUdpRetrans, 'UDP retransmissions exhausted'],
        [s.failedTcpConnect + s.failedTcpClosed, 'TCP connection'],
        [s.failedCannotSend, 'could not send'],
      ] as const;
      const detail = kinds
        .filter(([n]) => n > 0)
        .map(([n, what]) => `${n} ${what}`)
        .join(', ');
      reasons.push(`${s.failed} failed${detail === '' ? '' : ` (${detail})`}`);
    }
    if (s.successful < count && s.failed === 0) reasons.push(`${s.successful} of ${count} completed`);
    const scheduled = count / rate;
    if (s.wallSeconds > scheduled * SCHEDULE_SLACK + SCHEDULE_TAIL_S) {
      reasons.push(`took ${s.wallSeconds.toFixed(1)} s for ${scheduled.toFixed(1)} s of sending`);
    }
  }
  if (result.exit.code !== 0 && reasons.length === 0) reasons.push(`sipp exited ${String(result.exit.code)}`);
  const successful = s?.successful ?? 0;
  const proxyCpu = cpuAfter - cpuBefore;
  return {
    rate,
    count,
    passed: reasons.length === 0,
    reasons,
    successful,
    failed: s?.failed ?? count,
    retransmissions: s?.retransmissions ?? 0,
    outOfCall: s?.outOfCallMsgs ?? 0,
    wallSeconds: s?.wallSeconds ?? Number.NaN,
    latency: summarize(result.rtt),
    proxyCpuUs:
      setup.proxyPids().length === 0 || successful === 0 ? Number.NaN : (proxyCpu / successful) * 1e6,
    generatorCoreBusy: coreBusy(cores, coresAfter, setup.generatorCore),
    proxyCoreBusy: coreBusy(cores, coresAfter, setup.proxyCore),
    log: reasons.length === 0 ? '' : `${result.errors.slice(0, 2000)}\n${result.log.slice(-2000)}`,
  };
}
