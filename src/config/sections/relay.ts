/** The [Relay] settings of `missive serve` (see serve-settings.ts): the MSRP relay inside `serve` (`missive relay` alone reads msrprelay's config.ini). */
import { port } from '../setting-values.js';
import { setting } from './setting-spec.js';

export const RELAY_SETTINGS = {
  msrpPort: setting({
    section: 'Relay',
    kind: port,
    default: 2855,
    help: 'MSRP relay port (TLS)',
    listens: 'the MSRP relay',
  }),
} as const;
