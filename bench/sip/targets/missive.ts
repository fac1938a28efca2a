/**
 * missive's SIP registrar/proxy (`missive serve`), configured like Kamailio's target: SIP on UDP and TCP
 * 127.0.0.1:<port>, `example.test` the local domain, the generator's address (127.0.0.1) a trusted peer so
 * REGISTER and MESSAGE need no digest (the benchmark's user is `bench`), MESSAGE relayed to the registered
 * contact, no per-sender message rate limit, logging at warnings only. TLS and WebSocket are off; the MSRP relay, which serve always starts,
 * takes an ephemeral port. It is started pinned to the proxy core and is ready when it answers an OPTIONS
 * on UDP and TCP.
 */
import { REPO_ROOT } from '../../../test/interop/harness/paths.js';
import { startCommandTarget } from './command.js';
import type { SipTarget } from './target.js';

/** The argv (command first) of missive listening on `port`, its data (store, certificate) in `workDir`. */
export function missiveServeArgv(port: number, workDir: string): readonly string[] {
  return [
    process.execPath,
    '--import',
    'tsx',
    'src/cli/main.ts',
    'serve',
    '--data-dir',
    workDir,
    '--domain',
    'example.test',
    '--host',
    '127.0.0.1',
    '--sip-port',
    String(port),
    '--sips-port',
    '-1',
    '--ws-port',
    '-1',
    '--msrp-port',
    '0',
    '--trusted-peer',
    '127.0.0.1',
    '--log-level',
    'warn',
    // The generator is one sender at thousands of MESSAGEs per second: the per-sender limit is off here.
    '--message-rate',
    '1000000',
    '--message-burst',
    '1000000',
  ];
}

export const missiveTarget: SipTarget = {
  name: 'missive',
  kind: 'proxy',
  problem: () => undefined,
  start: (launch) => startCommandTarget({ name: 'missive', argv: missiveServeArgv, cwd: REPO_ROOT }, launch),
};
