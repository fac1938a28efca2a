/** Command-line options of `npm run bench:sip -- [options]`. */

export type SipTransport = 'udp' | 'tcp';

export interface ExtraTarget {
  readonly name: string;
  /** argv with {port} and {workdir} placeholders. */
  readonly command: readonly string[];
}

export interface SipBenchOptions {
  readonly quick: boolean;
  /** Rate searches per target and transport; the report shows their medians. */
  readonly runs: number;
  readonly transports: readonly SipTransport[];
  /** Seconds of sending per probe. */
  readonly probeSeconds: number;
  /** Stop bisecting when the gap between the highest pass and the lowest failure is below this share. */
  readonly precision: number;
  readonly maxProbes: number;
  /** The first probe of a search without a previous result. */
  readonly startRate: number;
  /** Never ask sipp for more than this (MESSAGE/s). */
  readonly maxRate: number;
  /** Names of the targets to run (kamailio, missive, generator, or an --extra-target). */
  readonly targets: readonly string[] | undefined;
  readonly extraTargets: readonly ExtraTarget[];
}

export const USAGE = `Usage: npm run bench:sip -- [--quick] [--runs N] [--transport udp|tcp] [--targets a,b] [--extra-target 'name=command …']
  --quick            a smoke check: one short search per target and transport (about 3 minutes)
  --runs N           rate searches per target and transport (default 3); figures are their medians
  --transport T      only the udp or the tcp table
  --targets a,b      only these targets (default: every target that can run here)
  --extra-target S   one more proxy to measure: 'name=command args', where {port} is the UDP+TCP port it
                     must listen on (127.0.0.1) and {workdir} a scratch directory; may be repeated`;

export function parseOptions(argv: readonly string[]): SipBenchOptions {
  let quick = false;
  let runs: number | undefined;
  let transports: SipTransport[] = ['udp', 'tcp'];
  let targets: string[] | undefined;
  const extraTargets: ExtraTarget[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${arg} needs a value\n${USAGE}`);
      return next;
    };
    if (arg === '--quick') quick = true;
    else if (arg === '--help' || arg === '-h') throw new Error(USAGE);
    else if (arg === '--runs') {
      runs = Number(value());
      if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs needs a positive integer\n${USAGE}`);
    } else if (arg === '--transport') {
      const transport = value();
      if (transport !== 'udp' && transport !== 'tcp') throw new Error(`--transport is udp or tcp\n${USAGE}`);
      transports = [transport];
    } else if (arg === '--targets') {
      targets = value()
        .split(',')
        .map((name) => name.trim())
        .filter((name) => name !== '');
    } else if (arg === '--extra-target') {
      const text = value();
      const eq = text.indexOf('=');
      const command = text
        .slice(eq + 1)
        .split(/\s+/)
        .filter((part) => part !== '');
      if (eq < 1 || command.length === 0) throw new Error(`--extra-target is 'name=command …'\n${USAGE}`);
      extraTargets.push({ name: text.slice(0, eq), command });
    } else throw new Error(`unknown option ${arg}\n${USAGE}`);
  }
  return {
    quick,
    runs: runs ?? (quick ? 1 : 3),
    transports,
    probeSeconds: quick ? 2 : 3,
    precision: quick ? 0.15 : 0.05,
    maxProbes: quick ? 7 : 12,
    startRate: 1000,
    maxRate: 50_000,
    targets,
    extraTargets,
  };
}
