/**
 * What `npm run bench:stored` measures: Kamailio forwarding only (bench:sip's target, the reference) and
 * missive storing every MESSAGE for both sides, on SQLite (the run's data directory) and on PostgreSQL (a
 * schema of its own in the local database). missive runs as bench:sip runs it, plus `--store`, with the
 * recipient (`bench`) and the sender (`sender`) subscribers of example.test, so that each MESSAGE is
 * journaled twice (the sender's outgoing copy, the recipient's incoming one) before its 200.
 */
import { join } from 'node:path';
import { REPO_ROOT } from '../../test/interop/harness/paths.js';
import { startCommandTarget } from '../sip/targets/command.js';
import { missiveServeArgv } from '../sip/targets/missive.js';
import type { RunningTarget, SipTarget, TargetLaunch } from '../sip/targets/target.js';
import { BenchStore, type StoreKind } from '../ws/bench-store.js';
import { openStore } from '../../src/store/index.js';

export const DOMAIN = 'example.test';
/** The registered UAS's user (bench:sip's BENCH_USER) and the UAC's. */
export const RECIPIENT = 'bench';
export const SENDER = 'sender';
/** What the UAC sends: from SENDER, with X-Sylk-From-Sip (see the scenario). */
export const STORED_MESSAGE = {
  from: SENDER,
  scenario: join(import.meta.dirname, 'message-uac-native.xml'),
} as const;

/**
 * A bench run sends some 120,000 MESSAGEs to one recipient: past the default quota (100,000 entries per
 * journal) missive answers 480 Recipient Journal Full, as it should, and the rest of the run measured that.
 */
const NO_QUOTA = ['--journal-max-entries', '1000000000', '--journal-max-bytes', '1000000000000'];

/** A running missive with its store, to count its journal rows afterwards. */
export interface StoredTarget extends SipTarget {
  readonly storeKind: StoreKind;
  /** The store of the last start (undefined before). */
  store(): BenchStore | undefined;
}

/** `nodeOptions` go to node before the script (the profile's --cpu-prof). */
export function storedMissiveTarget(kind: StoreKind, nodeOptions: readonly string[] = []): StoredTarget {
  let store: BenchStore | undefined;
  return {
    name: kind === 'sqlite' ? 'missive-sqlite' : 'missive-postgres',
    kind: 'proxy',
    storeKind: kind,
    store: () => store,
    problem: () => undefined,
    start: async (launch: TargetLaunch): Promise<RunningTarget> => {
      const made = new BenchStore(kind, launch.workDir);
      store = made;
      const opened = await openStore(made.uri);
      try {
        await opened.subscribers.add(RECIPIENT, DOMAIN, 'bench-password');
        await opened.subscribers.add(SENDER, DOMAIN, 'bench-password');
      } finally {
        await opened.close();
      }
      return startCommandTarget(
        {
          name: `missive-${kind}`,
          argv: (port, workDir) => {
            const [node, ...rest] = missiveServeArgv(port, workDir);
            return [node ?? process.execPath, ...nodeOptions, ...rest, '--store', made.uri, ...NO_QUOTA];
          },
          cwd: REPO_ROOT,
        },
        launch,
      );
    },
  };
}
