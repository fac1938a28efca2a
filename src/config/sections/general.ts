/** The [General] settings of `missive serve` (see serve-settings.ts): what missive serves and where it keeps its data. */
import type { LevelWithSilent } from 'pino';
import { LOG_FORMATS, type LogFormat } from '../../log/logger.js';
import {
  domainName,
  flag,
  LOG_LEVELS,
  listOf,
  logLevel,
  oneOf,
  optional,
  portOrOff,
  seconds,
  text,
} from '../setting-values.js';
import { setting } from './setting-spec.js';

export const GENERAL_SETTINGS = {
  domain: setting({
    section: 'General',
    kind: listOf(domainName),
    default: ['localhost'],
    help: 'the SIP domains served; the first is the MSRP relay host name and the test account domain',
    reloads: true,
  }),
  dataDir: setting({
    section: 'General',
    kind: text('dir'),
    default: '.missive',
    help: 'where generated keys and data are kept (in a file: relative to the file)',
    path: true,
  }),
  host: setting({
    section: 'General',
    kind: text('ip'),
    default: '127.0.0.1',
    help: 'the address to listen on',
  }),
  advertise: setting({
    section: 'General',
    kind: optional(text('host')),
    default: undefined,
    defaultText: 'the host',
    help: 'the address written into Via and Record-Route',
  }),
  debug: setting({
    section: 'General',
    kind: flag,
    default: false,
    help: 'log at debug level',
    reloads: true,
  }),
  logLevel: setting<LevelWithSilent | undefined>({
    section: 'General',
    kind: optional(logLevel),
    default: undefined,
    defaultText: 'info, or debug with debug',
    help: `log level: ${LOG_LEVELS.join(', ')}`,
    reloads: true,
  }),
  tlsCertificate: setting({
    section: 'General',
    kind: optional(text('file')),
    default: undefined,
    defaultText: 'a self-signed one, made in the data directory',
    help: 'PEM certificate, then its chain (fullchain.pem), for every TLS listener without its own',
    path: true,
    reloads: true,
  }),
  tlsPrivateKey: setting({
    section: 'General',
    kind: optional(text('file')),
    default: undefined,
    help: 'PEM private key of tls_certificate',
    path: true,
    reloads: true,
  }),
  tlsSniDir: setting({
    section: 'General',
    kind: optional(text('dir')),
    default: undefined,
    help: 'a directory of NAME.crt (certificate and chain) and NAME.key pairs: a TLS client naming a server name that one of them holds gets that one (SNI)',
    path: true,
    reloads: true,
  }),
  stopTimeout: setting({
    section: 'General',
    kind: seconds,
    default: 10,
    help: 'on SIGTERM or SIGINT, how long transactions in progress may take to finish before missive stops anyway',
  }),
  logFormat: setting<LogFormat>({
    section: 'General',
    kind: oneOf('format', LOG_FORMATS),
    default: 'auto',
    help: 'log lines: json, pretty (for a person), or auto (pretty when stdout is a terminal, else json)',
  }),
  metricsPort: setting({
    section: 'General',
    kind: portOrOff,
    default: -1,
    help: 'Prometheus /metrics and /ready on metrics_host (-1: off)',
    listens: 'the metrics endpoint',
  }),
  metricsHost: setting({
    section: 'General',
    kind: text('ip'),
    default: '127.0.0.1',
    help: 'the address of the metrics endpoint (metrics have no password: keep it on a private address)',
  }),
} as const;
