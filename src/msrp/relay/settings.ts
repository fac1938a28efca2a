/**
 * The `[Relay]` section of msrprelay's config.ini, typed, with msrprelay's defaults, plus missive's
 * additions for limits that msrprelay hard-coded. Unlike msrprelay, which logged "ignoring invalid config
 * value" and carried on with a default, a bad value is an error: the operator learns at startup.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { type DigestAlgorithm, parseDigestAlgorithm } from '../../auth/digest.js';
import {
  DEFAULT_LOGIN_COOLDOWN_SECONDS,
  DEFAULT_LOGIN_WINDOW_SECONDS,
  DEFAULT_PAIR_MAX_FAILURES,
  DEFAULT_SOURCE_MAX_FAILURES,
} from '../../auth/login-limiter.js';
import { type IniDocument, parseBoolean } from '../../ini/ini.js';
import { SettingsError } from '../../ini/settings-error.js';

export { SettingsError };

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug';

export interface RelaySettings {
  readonly address: { readonly host: string; readonly port: number };
  readonly hostname: string;
  readonly defaultDomain: string;
  readonly certificate: string | undefined;
  readonly key: string | undefined;
  readonly backend: 'memory' | 'database';
  readonly allowOtherMethods: boolean;
  readonly debugNotls: boolean;
  readonly logFailedAuth: boolean;
  readonly maxAuthAttempts: number;
  /** Seconds. */
  readonly authChallengeExpirationTime: number;
  readonly sessionExpirationTimeMinimum: number;
  readonly sessionExpirationTimeDefault: number;
  readonly sessionExpirationTimeMaximum: number;
  readonly logLevel: LogLevel;
  // missive additions; defaults equal msrprelay's hard-coded values.
  readonly invalidConnectionTimeout: number;
  readonly transactionTimeout: number;
  readonly connectTimeout: number;
  readonly maxNonsendBody: number;
  readonly queueMaxBytes: number;
  readonly queueMaxMessages: number;
  readonly verifyPeer: boolean;
  /**
   * One connection per next hop for all the sessions bound to it (next-hop-pool.ts), instead of one per
   * session as msrprelay: the next hop must accept several sessions on one connection (Kamailio does;
   * msrprelay and, so far, missive's accepting side do not). Default off.
   */
  readonly shareNextHopConnections: boolean;
  /** Seconds a shared next-hop connection stays open without a session. */
  readonly sharedConnectionIdleTime: number;
  readonly ca: string | undefined;
  readonly digestAlgorithms: readonly DigestAlgorithm[];
  readonly allowBasicAuth: boolean;
  /** Same failure text for an unknown user as for a wrong password (no enumeration). Default on. */
  readonly uniformAuthFailures: boolean;
  /** The failed-login limits across connections (auth/login-limiter.ts); fixed at start, not on reload. */
  readonly loginPairMaxFailures: number;
  readonly loginSourceMaxFailures: number;
  /** Seconds. */
  readonly loginFailureWindow: number;
  /** Seconds. */
  readonly loginCooldown: number;
  /** host:port of the local /metrics endpoint; undefined = off. */
  readonly metricsAddress: { readonly host: string; readonly port: number } | undefined;
}

export const DEFAULT_RELAY_SETTINGS: RelaySettings = {
  address: { host: '0.0.0.0', port: 2855 },
  hostname: '',
  defaultDomain: '',
  certificate: undefined,
  key: undefined,
  backend: 'database',
  allowOtherMethods: true,
  debugNotls: false,
  logFailedAuth: false,
  maxAuthAttempts: 3,
  authChallengeExpirationTime: 15,
  sessionExpirationTimeMinimum: 60,
  sessionExpirationTimeDefault: 600,
  sessionExpirationTimeMaximum: 3600,
  logLevel: 'debug',
  invalidConnectionTimeout: 30,
  transactionTimeout: 30,
  connectTimeout: 30,
  maxNonsendBody: 10240,
  queueMaxBytes: 1048576,
  queueMaxMessages: 50,
  verifyPeer: false,
  shareNextHopConnections: false,
  sharedConnectionIdleTime: 60,
  ca: undefined,
  digestAlgorithms: ['MD5'],
  allowBasicAuth: false,
  // Not msrprelay's behaviour (it told unknown users apart), but the safe one; `uniform_auth_failures = no`
  // brings the old texts back for whoever depends on them.
  uniformAuthFailures: true,
  loginPairMaxFailures: DEFAULT_PAIR_MAX_FAILURES,
  loginSourceMaxFailures: DEFAULT_SOURCE_MAX_FAILURES,
  loginFailureWindow: DEFAULT_LOGIN_WINDOW_SECONDS,
  loginCooldown: DEFAULT_LOGIN_COOLDOWN_SECONDS,
  metricsAddress: undefined,
};

const LOG_LEVELS: Record<string, LogLevel> = {
  critical: 'fatal',
  fatal: 'fatal',
  error: 'error',
  warning: 'warn',
  warn: 'warn',
  info: 'info',
  debug: 'debug',
  '50': 'fatal',
  '40': 'error',
  '30': 'warn',
  '20': 'info',
  '10': 'debug',
};

/** Where msrprelay looked for relative certificate paths after the local configuration directory. */
const SYSTEM_CONFIG_DIR = '/etc/msrprelay';

export function readRelaySettings(ini: IniDocument, configDir: string): RelaySettings {
  const problems: string[] = [];
  const raw = (key: string): string | undefined => ini.get('Relay', key);
  const invalid = (key: string, value: string, expected: string): void => {
    problems.push(`[Relay] ${key} = ${value}: ${expected}`);
  };
  const text = (key: string, fallback: string): string => raw(key) ?? fallback;
  const bool = (key: string, fallback: boolean): boolean => {
    const value = raw(key);
    if (value === undefined) return fallback;
    const parsed = parseBoolean(value);
    if (parsed === undefined) invalid(key, value, 'expected yes/no, true/false, on/off or 1/0');
    return parsed ?? fallback;
  };
  const number = (key: string, fallback: number, options: { min: number; integer?: boolean }): number => {
    const value = raw(key);
    if (value === undefined) return fallback;
    const parsed = Number(value.trim());
    const integerOk = options.integer !== true || Number.isInteger(parsed);
    if (value.trim() === '' || !Number.isFinite(parsed) || parsed < options.min || !integerOk) {
      invalid(
        key,
        value,
        `expected ${options.integer === true ? 'an integer' : 'a number'} >= ${options.min}`,
      );
      return fallback;
    }
    return parsed;
  };
  const path = (key: string): string | undefined => {
    const value = raw(key);
    return value === undefined || value === '' ? undefined : resolveConfigPath(value, configDir);
  };

  const defaults = DEFAULT_RELAY_SETTINGS;
  const addressText = raw('address');
  const address = addressText === undefined ? defaults.address : parseAddress(addressText);
  if (address === undefined) invalid('address', addressText ?? '', 'expected host[:port]');

  const backend = text('backend', defaults.backend);
  if (backend !== 'memory' && backend !== 'database')
    invalid('backend', backend, 'expected memory or database');

  const levelText = text('log_level', 'DEBUG');
  const logLevel = LOG_LEVELS[levelText.trim().toLowerCase()];
  if (logLevel === undefined)
    invalid('log_level', levelText, 'expected CRITICAL, ERROR, WARNING, INFO or DEBUG');

  const algorithmsText = text('digest_algorithms', 'MD5');
  const algorithms = algorithmsText
    .split(/[\s,]+/)
    .filter((name) => name !== '')
    .map((name) => parseDigestAlgorithm(name));
  if (algorithms.length === 0 || algorithms.includes(undefined)) {
    invalid('digest_algorithms', algorithmsText, 'expected MD5 and/or SHA-256');
  }

  const metricsText = text('metrics_address', '').trim();
  const metricsAddress = metricsText === '' ? undefined : parseAddress(metricsText);
  if (metricsText !== '' && (metricsAddress === undefined || !/:\d+$/.test(metricsText))) {
    invalid('metrics_address', metricsText, 'expected host:port');
  }

  const settings: RelaySettings = {
    address: address ?? defaults.address,
    hostname: text('hostname', defaults.hostname).trim(),
    defaultDomain: text('default_domain', defaults.defaultDomain).trim(),
    certificate: path('certificate'),
    key: path('key'),
    backend: backend === 'memory' ? 'memory' : 'database',
    allowOtherMethods: bool('allow_other_methods', defaults.allowOtherMethods),
    debugNotls: bool('debug_notls', defaults.debugNotls),
    logFailedAuth: bool('log_failed_auth', defaults.logFailedAuth),
    maxAuthAttempts: number('max_auth_attempts', defaults.maxAuthAttempts, { min: 1, integer: true }),
    authChallengeExpirationTime: number(
      'auth_challenge_expiration_time',
      defaults.authChallengeExpirationTime,
      {
        min: 0.001,
      },
    ),
    sessionExpirationTimeMinimum: number(
      'session_expiration_time_minimum',
      defaults.sessionExpirationTimeMinimum,
      {
        min: 0,
        integer: true,
      },
    ),
    sessionExpirationTimeDefault: number(
      'session_expiration_time_default',
      defaults.sessionExpirationTimeDefault,
      {
        min: 0,
        integer: true,
      },
    ),
    sessionExpirationTimeMaximum: number(
      'session_expiration_time_maximum',
      defaults.sessionExpirationTimeMaximum,
      {
        min: 0,
        integer: true,
      },
    ),
    logLevel: logLevel ?? defaults.logLevel,
    invalidConnectionTimeout: number('invalid_connection_timeout', defaults.invalidConnectionTimeout, {
      min: 0.001,
    }),
    transactionTimeout: number('transaction_timeout', defaults.transactionTimeout, { min: 0.001 }),
    connectTimeout: number('connect_timeout', defaults.connectTimeout, { min: 0.001 }),
    maxNonsendBody: number('max_nonsend_body', defaults.maxNonsendBody, { min: 0, integer: true }),
    queueMaxBytes: number('queue_max_bytes', defaults.queueMaxBytes, { min: 1, integer: true }),
    queueMaxMessages: number('queue_max_messages', defaults.queueMaxMessages, { min: 1, integer: true }),
    verifyPeer: bool('verify_peer', defaults.verifyPeer),
    shareNextHopConnections: bool('share_next_hop_connections', defaults.shareNextHopConnections),
    sharedConnectionIdleTime: number('shared_connection_idle_time', defaults.sharedConnectionIdleTime, {
      min: 0.001,
    }),
    ca: path('ca'),
    digestAlgorithms: algorithms.filter((a): a is DigestAlgorithm => a !== undefined),
    allowBasicAuth: bool('allow_basic_auth', defaults.allowBasicAuth),
    uniformAuthFailures: bool('uniform_auth_failures', defaults.uniformAuthFailures),
    loginPairMaxFailures: number('login_pair_max_failures', defaults.loginPairMaxFailures, {
      min: 1,
      integer: true,
    }),
    loginSourceMaxFailures: number('login_source_max_failures', defaults.loginSourceMaxFailures, {
      min: 1,
      integer: true,
    }),
    loginFailureWindow: number('login_failure_window', defaults.loginFailureWindow, { min: 0.001 }),
    loginCooldown: number('login_cooldown', defaults.loginCooldown, { min: 0.001 }),
    metricsAddress,
  };
  if (settings.sessionExpirationTimeMinimum > settings.sessionExpirationTimeMaximum) {
    problems.push('[Relay] session_expiration_time_minimum is larger than session_expiration_time_maximum');
  }
  if (problems.length > 0) throw new SettingsError(problems);
  return settings;
}

/**
 * `host[:port]`, `any` for 0.0.0.0, `[v6]:port` or a bare IPv6 address. A missing port means 2855
 * (msrprelay listened on a random port instead).
 */
export function parseAddress(text: string): { host: string; port: number } | undefined {
  const value = text.trim();
  let host: string;
  let portText: string | undefined;
  const bracketed = /^\[([0-9A-Fa-f:.]+)\](?::(\d+))?$/.exec(value);
  if (bracketed !== null) {
    host = bracketed[1] ?? '';
    portText = bracketed[2];
  } else if ((value.match(/:/g) ?? []).length > 1) {
    // msrprelay's `:::2855` form: the last colon separates the port when what follows is a number.
    const last = value.lastIndexOf(':');
    const tail = value.slice(last + 1);
    host = /^\d+$/.test(tail) && value.slice(0, last).includes('::') ? value.slice(0, last) : value;
    portText = host === value ? undefined : tail;
  } else {
    const colon = value.indexOf(':');
    host = colon === -1 ? value : value.slice(0, colon);
    portText = colon === -1 ? undefined : value.slice(colon + 1);
  }
  if (host === '' || host === 'any') host = '0.0.0.0';
  const port = portText === undefined ? 2855 : Number(portText);
  if (!/^[A-Za-z0-9.:_-]+$/.test(host) || !Number.isInteger(port) || port < 0 || port > 65535)
    return undefined;
  return { host, port };
}

export function resolveConfigPath(value: string, configDir: string): string {
  if (isAbsolute(value)) return value;
  const local = join(configDir, value);
  if (existsSync(local)) return local;
  const system = join(SYSTEM_CONFIG_DIR, value);
  return existsSync(system) ? system : local;
}
