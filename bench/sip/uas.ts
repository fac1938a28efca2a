/**
 * The sipp UAS of a rate search, kept alive: if it exits during a probe (the probe then measured the UAS,
 * not the proxy), it is restarted on the same port, where its registration points, and the caller can
 * repeat the probe. Its counters are added up over every instance.
 */
import {
  type SippResult,
  type SippTransport,
  type SippUas,
  startSippUas,
} from '../../test/interop/harness/sipp.js';
import { removeWorkDir } from '../../test/interop/harness/paths.js';
import { GENERATOR_BUFFER_BYTES } from './probe.js';

export interface UasTotals {
  failed: number;
  retransmissions: number;
  deadCallMsgs: number;
  outOfCallMsgs: number;
  /** Instances that exited by themselves during the search, with their exit status. */
  readonly deaths: string[];
}

export class KeptUas {
  #current: SippUas | undefined;
  readonly totals: UasTotals = {
    failed: 0,
    retransmissions: 0,
    deadCallMsgs: 0,
    outOfCallMsgs: 0,
    deaths: [],
  };
  readonly #transport: SippTransport;
  readonly #cpus: string;

  constructor(
    readonly port: number,
    transport: SippTransport,
    cpus: string,
  ) {
    this.#transport = transport;
    this.#cpus = cpus;
  }

  async start(): Promise<void> {
    this.#current = await startSippUas({
      scenario: 'message-uas',
      transport: this.#transport,
      localPort: this.port,
      bufferBytes: GENERATOR_BUFFER_BYTES,
      noDefaults: true,
      // UDP: keep each call 2 s to answer retransmissions again; TCP has none (see message-uas.xml).
      callDurationMs: this.#transport === 'u1' ? 2000 : 0,
      cpus: this.#cpus,
    });
  }

  /** True when the UAS had exited (it is running again afterwards). */
  async restartIfDead(): Promise<boolean> {
    const uas = this.#current;
    if (uas === undefined || uas.sipp.child.running) return false;
    const result = await uas.stop(1000);
    this.#add(result);
    const exit = result.exit;
    this.totals.deaths.push(`exit ${String(exit.code ?? exit.signal)}`);
    await this.start();
    return true;
  }

  async stop(): Promise<void> {
    const uas = this.#current;
    this.#current = undefined;
    if (uas !== undefined) this.#add(await uas.stop(10_000));
  }

  #add(result: SippResult): void {
    removeWorkDir(result.workDir);
    const s = result.stats;
    if (s === undefined) return;
    this.totals.failed += s.failed;
    this.totals.retransmissions += s.retransmissions;
    this.totals.deadCallMsgs += s.deadCallMsgs;
    this.totals.outOfCallMsgs += s.outOfCallMsgs;
  }
}
