/**
 * dnsmasq as a DNS server for one test: NAPTR, SRV and A/AAAA records given as data, served on 127.0.0.1 at a
 * free port, in the foreground, with no upstream (`--no-resolv`), no /etc/hosts, and authority over `.test`
 * (any other name there is NXDOMAIN). Tests point a node:dns Resolver at it and never at the system's.
 */
import { Resolver } from 'node:dns/promises';
import { join } from 'node:path';
import { Child } from './child.js';
import { makeWorkDir, removeWorkDir } from './paths.js';
import { LOOPBACK, freePort } from '../../support/ports.js';
import { TOOL_PATHS } from './tools.js';
import { PROCESS_START_MS, waitFor } from '../../support/wait.js';

export interface NaptrEntry {
  readonly name: string;
  readonly order: number;
  readonly preference: number;
  /** e.g. SIP+D2U */
  readonly service: string;
  /** The SRV name. */
  readonly replacement: string;
  readonly flags?: string;
}

export interface SrvEntry {
  /** e.g. _sip._udp.other.test */
  readonly name: string;
  readonly target: string;
  readonly port: number;
  readonly priority: number;
  readonly weight: number;
}

export interface DnsZone {
  readonly naptr?: readonly NaptrEntry[];
  readonly srv?: readonly SrvEntry[];
  readonly hosts?: Readonly<Record<string, readonly string[]>>;
  /** TTL of the A/AAAA answers (dnsmasq's --local-ttl). Default 60. */
  readonly ttl?: number;
}

export class Dnsmasq {
  readonly #child: Child;
  readonly #workDir: string;

  private constructor(
    child: Child,
    workDir: string,
    readonly port: number,
  ) {
    this.#child = child;
    this.#workDir = workDir;
  }

  static async start(zone: DnsZone): Promise<Dnsmasq> {
    const port = await freePort();
    const workDir = makeWorkDir('dnsmasq');
    const args = [
      '--keep-in-foreground',
      '--no-resolv',
      '--no-hosts',
      '--no-poll',
      '--bind-interfaces',
      `--listen-address=${LOOPBACK}`,
      `--port=${String(port)}`,
      '--pid-file=',
      '--local=/test/',
      `--local-ttl=${String(zone.ttl ?? 60)}`,
      '--log-queries',
      '--log-facility=-',
      ...(zone.naptr ?? []).map(
        (n) =>
          `--naptr-record=${n.name},${String(n.order)},${String(n.preference)},${n.flags ?? 's'},${n.service},,${n.replacement}`,
      ),
      ...(zone.srv ?? []).map(
        (s) => `--srv-host=${s.name},${s.target},${String(s.port)},${String(s.priority)},${String(s.weight)}`,
      ),
      ...Object.entries(zone.hosts ?? {}).map(
        ([name, addresses]) => `--host-record=${name},${addresses.join(',')}`,
      ),
    ];
    const child = Child.spawn(TOOL_PATHS.dnsmasq, args, {
      cwd: workDir,
      logFile: join(workDir, 'dnsmasq.log'),
    });
    const server = new Dnsmasq(child, workDir, port);
    await server.#ready();
    return server;
  }

  /** A resolver that asks this server only. */
  resolver(): Resolver {
    const resolver = new Resolver({ timeout: 500, tries: 2 });
    resolver.setServers([`${LOOPBACK}:${String(this.port)}`]);
    return resolver;
  }

  /** The server's query log (for assertion messages). */
  log(): string {
    return this.#child.logTail(8000);
  }

  async stop(): Promise<void> {
    await this.#child.stop('SIGTERM', 2000);
    removeWorkDir(this.#workDir);
  }

  /** Answers (NXDOMAIN counts) within PROCESS_START_MS, or the start failed. */
  async #ready(): Promise<void> {
    const probe = new Resolver({ timeout: 200, tries: 1 });
    probe.setServers([`${LOOPBACK}:${String(this.port)}`]);
    try {
      await waitFor(
        async () => {
          if (!this.#child.running) throw new Error('it exited');
          try {
            await probe.resolve4('probe.test');
            return true;
          } catch (error) {
            const code = (error as { code?: unknown }).code;
            return code === 'ENOTFOUND' || code === 'ENODATA';
          }
        },
        'an answer to a DNS query',
        { timeoutMs: PROCESS_START_MS, intervalMs: 50 },
      );
    } catch (error) {
      await this.stop();
      throw new Error(`dnsmasq did not start (${String(error)}): ${this.log()}`);
    }
  }
}
