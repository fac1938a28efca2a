/**
 * missive's SIP registrar/proxy (`missive serve`). Its SIP listener does not exist yet: when it does, make
 * missiveServeArgv return the command line. Configure it like Kamailio's target: SIP on UDP and TCP
 * 127.0.0.1:<port>, `example.test` a local domain, REGISTER and MESSAGE accepted without authentication
 * (the benchmark's user is `bench`), MESSAGE relayed to the registered contact, logging at warning or less.
 * It is started pinned to the proxy core and is ready when it answers an OPTIONS on UDP and TCP.
 */
import { REPO_ROOT } from '../../../test/interop/harness/paths.js';
import { startCommandTarget } from './command.js';
import type { SipTarget } from './target.js';

/**
 * The argv (command first) of missive listening on `port`; it may write a config file into `workDir`.
 * For example: [process.execPath, '--import', 'tsx', 'src/cli/main.ts', 'serve', '--sip-listen',
 * `127.0.0.1:${port}`, '--data-dir', workDir, …]. undefined while missive has no SIP server.
 */
export const missiveServeArgv: (port: number, workDir: string) => readonly string[] | undefined = () =>
  undefined;

const NOT_READY = 'missive has no SIP server yet (fill in missiveServeArgv in bench/sip/targets/missive.ts)';

export const missiveTarget: SipTarget = {
  name: 'missive',
  kind: 'proxy',
  problem: () => (missiveServeArgv(0, '') === undefined ? NOT_READY : undefined),
  start: (launch) =>
    startCommandTarget(
      {
        name: 'missive',
        argv: (port, workDir) => {
          const argv = missiveServeArgv(port, workDir);
          if (argv === undefined) throw new Error(NOT_READY);
          return argv;
        },
        cwd: REPO_ROOT,
      },
      launch,
    ),
};
