/** The [Relay] settings of `missive serve` (see serve-settings.ts): the MSRP relay inside `serve` (`missive relay` alone reads msrprelay's config.ini). */
import { flag, optional, port, text } from '../setting-values.js';
import { setting } from './setting-spec.js';

export const RELAY_SETTINGS = {
  msrpPort: setting({
    section: 'Relay',
    kind: port,
    default: 2855,
    help: 'MSRP relay port (TLS)',
    listens: 'the MSRP relay',
  }),
  msrpTlsCertificate: setting({
    section: 'Relay',
    kind: optional(text('file')),
    default: undefined,
    defaultText: 'tls_certificate',
    help: 'PEM certificate and chain for the MSRP relay, instead of tls_certificate',
    path: true,
    reloads: true,
  }),
  msrpTlsPrivateKey: setting({
    section: 'Relay',
    kind: optional(text('file')),
    default: undefined,
    defaultText: 'tls_private_key',
    help: 'PEM private key of msrp_tls_certificate',
    path: true,
    reloads: true,
  }),
  shareNextHopConnections: setting({
    section: 'Relay',
    kind: flag,
    default: false,
    help: 'one connection per next hop for all the MSRP sessions bound to it (relay to relay, as Kamailio does), instead of one per session as msrprelay; only towards next hops that take several sessions on one connection (Kamailio; not msrprelay nor, yet, missive)',
  }),
} as const;
