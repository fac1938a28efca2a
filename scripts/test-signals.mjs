// Loaded (--import) into the test runner and every test file's process by scripts/run-tests.mjs. Node ends a
// process on SIGTERM or SIGINT without its 'exit' event, and the test helpers stop what they started in that
// event: peers in process groups of their own (Kamailio, sipp, baresip) and `missive serve`. A run stopped
// from outside (Ctrl-C, a soak run ending its beside-loop) would leave them running and holding their ports.
// So a signal ends the process through process.exit, with the status a signal gives.
import { constants } from 'node:os';

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => process.exit(128 + constants.signals[signal]));
}
