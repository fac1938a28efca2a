// Relay spec §9.2 test 35 at the real default (30 s), one case per mode. The two modes run concurrently and
// the file overlaps the others, so it adds no wall time beyond ~31 s.
import { describeModes } from '../harness/suite.js';
import { idleConnectionTests } from './idle-cases.js';

describeModes('9.2 idle connections (default 30 s timer)', { concurrency: true }, (s) => {
  idleConnectionTests(s, 30_000, false);
});
