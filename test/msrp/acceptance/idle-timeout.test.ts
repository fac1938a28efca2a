// Relay spec §9.2 test 35 with invalid_connection_timeout = 2 s.
import { describeModes } from '../harness/suite.js';
import { idleConnectionTests } from './idle-cases.js';

describeModes(
  '9.2 idle connections (2 s timer)',
  { settings: { invalid_connection_timeout: 2 }, concurrency: true },
  (s) => {
    idleConnectionTests(s, 2000);
  },
);
