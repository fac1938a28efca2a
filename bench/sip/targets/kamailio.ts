/** Kamailio 5.6 (Debian) with bench/sip/kamailio.cfg: registrar, lookup, t_relay; no auth; debug=1. */
import { join } from 'node:path';
import { startKamailio } from '../../../test/interop/harness/kamailio.js';
import { missingPeers } from '../../../test/interop/harness/tools.js';
import { processTree } from '../../msrp/relays/proc.js';
import type { SipTarget } from './target.js';

export const KAMAILIO_BENCH_CONFIG = join(import.meta.dirname, '..', 'kamailio.cfg');
export const SHM_MB = 1024;
export const PKG_MB = 16;

export const kamailioTarget: SipTarget = {
  name: 'kamailio',
  kind: 'proxy',
  problem: () => missingPeers(['kamailio']),
  start: async (launch) => {
    // 1 GiB of shared memory: an overloaded probe leaves tens of thousands of transactions, and with
    // 256 MB Kamailio ran out ("out of mem", 500 answers) in the next probe: memory, not speed.
    const kamailio = await startKamailio({
      config: KAMAILIO_BENCH_CONFIG,
      workDir: launch.workDir,
      cpus: launch.cpus,
      shmMb: SHM_MB,
      pkgMb: PKG_MB,
    });
    return {
      address: kamailio.address,
      pids: () => processTree(kamailio.pid),
      stop: () => kamailio.stop(),
    };
  },
};
