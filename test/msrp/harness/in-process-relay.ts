// Settings for an MsrpRelay run inside the test process (its clock can then be the manual one).
import { DEFAULT_RELAY_SETTINGS, type RelaySettings } from '../../../src/msrp/relay/settings.js';

/** Plain TCP on 127.0.0.1, a port the system picks, the memory backend, no log output. */
export function inProcessRelaySettings(overrides: Partial<RelaySettings> = {}): RelaySettings {
  return {
    ...DEFAULT_RELAY_SETTINGS,
    address: { host: '127.0.0.1', port: 0 },
    hostname: '127.0.0.1',
    debugNotls: true,
    backend: 'memory',
    logLevel: 'fatal',
    ...overrides,
  };
}
