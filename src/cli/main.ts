#!/usr/bin/env node
/** The `missive` command. Sub-commands are loaded on demand, so each starts with only what it uses. */
import { Command, InvalidArgumentError } from 'commander';
import type { LevelWithSilent } from 'pino';
import { DEFAULT_CONNECTION_LIMITS as LIMITS } from '../sip/transport/connection-limits.js';
import { DEFAULT_PAGE_BYTES, MIN_PAGE_BYTES } from '../web/page-budget.js';

const LOG_LEVELS: readonly LevelWithSilent[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function logLevel(value: string): LevelWithSilent {
  const level = LOG_LEVELS.find((name) => name === value);
  if (level === undefined) throw new InvalidArgumentError(`one of ${LOG_LEVELS.join(', ')}`);
  return level;
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('not a port number');
  return n;
}

/** A port number, or -1 for "do not listen". */
function portOrOff(value: string): number {
  return value === '-1' ? -1 : port(value);
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

interface ServeCliOptions {
  dataDir: string;
  store?: string;
  domain: string[];
  host: string;
  advertise?: string;
  sipPort: number;
  sipsPort: number;
  wsPort: number;
  msrpPort: number;
  trustedPeer: string[];
  outboundProxy?: string;
  publicUrl?: string;
  debug: boolean;
  retentionDays: number;
  webTls: boolean;
  adminPort: number;
  maxPageBytes: number;
  maxConnections: number;
  maxConnectionsPerSource: number;
  maxOutboundConnections: number;
  handshakeTimeout: number;
  firstRequestTimeout: number;
  messageTimeout: number;
  idleTimeout: number;
  logLevel?: LevelWithSilent;
}

const MAX_PAGE_BYTES = 1024 * 1024 * 1024;

function pageBytes(value: string): number {
  const n = Number(value);
  if (!/^[0-9]+$/.test(value) || n < MIN_PAGE_BYTES || n > MAX_PAGE_BYTES) {
    throw new InvalidArgumentError(`not a number of bytes from ${MIN_PAGE_BYTES} to ${MAX_PAGE_BYTES}`);
  }
  return n;
}

function days(value: string): number {
  const n = Number(value);
  if (!/^[0-9]+(\.[0-9]+)?$/.test(value) || !Number.isFinite(n) || n > 36600) {
    throw new InvalidArgumentError('not a number of days from 0 (keep for ever) to 36600');
  }
  return n;
}

function count(value: string): number {
  const n = Number(value);
  if (!/^[0-9]+$/.test(value) || n < 1 || n > 1_000_000) {
    throw new InvalidArgumentError('not a whole number from 1 to 1000000');
  }
  return n;
}

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('not a positive number of seconds');
  return n;
}

const program = new Command('missive').description('Messaging server for SIP and WebRTC, and MSRP relay');

program
  .command('serve')
  .description('run missive on this machine: SIP registrar and proxy, and the MSRP relay')
  .option('--data-dir <dir>', 'where generated keys and data are kept', '.missive')
  .option(
    '--store <uri>',
    'sqlite:///path/file.db or postgresql://user@host/db (default: <data dir>/missive.db)',
  )
  .option('--domain <domain>', 'a SIP domain served (repeat for several)', collect, [])
  .option('--host <ip>', 'the address to listen on', '127.0.0.1')
  .option('--advertise <host>', 'the address written into Via and Record-Route (default: --host)')
  .option('--sip-port <port>', 'SIP over UDP and TCP (-1: off)', portOrOff, 5060)
  .option('--sips-port <port>', 'SIP over TLS (-1: off)', portOrOff, 5061)
  .option('--ws-port <port>', 'the web port: HTTP API and SIP over WebSocket (-1: off)', portOrOff, 10888)
  .option('--web-tls', 'serve HTTPS and wss on the web port, with the server certificate', false)
  .option('--retention-days <days>', 'purge journal entries older than this (0: keep for ever)', days, 365)
  .option('--msrp-port <port>', 'MSRP relay port (TLS)', port, 2855)
  .option(
    '--max-page-bytes <bytes>',
    'largest HTTP history/journal page body; a single larger entry is still sent alone',
    pageBytes,
    DEFAULT_PAGE_BYTES,
  )
  .option(
    '--admin-port <port>',
    'admin API on 127.0.0.1 (-1: off); its secret is $MISSIVE_ADMIN_SECRET',
    portOrOff,
    -1,
  )
  .option(
    '--max-connections <n>',
    'inbound TCP, TLS and WebSocket connections (web port included) open at once',
    count,
    LIMITS.maxConnections,
  )
  .option(
    '--max-connections-per-source <n>',
    'of those, from one source address (an IPv6 /64); more are closed at once',
    count,
    LIMITS.maxConnectionsPerSource,
  )
  .option(
    '--max-outbound-connections <n>',
    'TCP and TLS connections missive opens itself, open at once (apart from the inbound ones)',
    count,
    LIMITS.maxOutboundConnections,
  )
  .option(
    '--handshake-timeout <seconds>',
    'a new connection must finish its TLS handshake, or send its HTTP request / WebSocket upgrade, within this',
    seconds,
    LIMITS.handshakeTimeoutMs / 1000,
  )
  .option(
    '--first-request-timeout <seconds>',
    'a SIP connection that has sent no complete request this long after it opened is closed',
    seconds,
    LIMITS.firstRequestTimeoutMs / 1000,
  )
  .option(
    '--message-timeout <seconds>',
    'a SIP message (on WebSocket, a frame) must arrive whole within this of its first byte',
    seconds,
    LIMITS.messageTimeoutMs / 1000,
  )
  .option(
    '--idle-timeout <seconds>',
    'a SIP connection with no traffic (CRLF keep-alives count) for this long is closed',
    seconds,
    LIMITS.idleTimeoutMs / 1000,
  )
  .option('--trusted-peer <cidr>', 'a source whose requests need no authentication (repeatable)', collect, [])
  .option(
    '--outbound-proxy <uri>',
    "behind a proxy: the SIP proxy (a trusted peer) that forks MESSAGEs to missive with X-Sylk-App and carries the server's own",
  )
  .option(
    '--public-url <url>',
    'base URL of the HTTP API, as token replies announce it (default: the web port as served, http[s]://HOST:PORT)',
  )
  .option('--debug', 'log at debug level', false)
  .option(
    '--log-level <level>',
    `log level: ${LOG_LEVELS.join(', ')} (default info, or debug with --debug)`,
    logLevel,
  )
  .action(async (options: ServeCliOptions) => {
    const { runServeCommand } = await import('./serve-command.js');
    const adminSecret = process.env.MISSIVE_ADMIN_SECRET;
    const ms = (value: number): number => Math.round(value * 1000);
    await runServeCommand({
      ...options,
      connectionLimits: {
        maxConnections: options.maxConnections,
        maxConnectionsPerSource: options.maxConnectionsPerSource,
        maxOutboundConnections: options.maxOutboundConnections,
        handshakeTimeoutMs: ms(options.handshakeTimeout),
        firstRequestTimeoutMs: ms(options.firstRequestTimeout),
        messageTimeoutMs: ms(options.messageTimeout),
        idleTimeoutMs: ms(options.idleTimeout),
      },
      domain: options.domain.length > 0 ? options.domain : ['localhost'],
      adminSecret: adminSecret === undefined || adminSecret === '' ? undefined : adminSecret,
    });
  });

program
  .command('relay')
  .description("run the MSRP relay alone, configured by msrprelay's config.ini")
  .option('--config-file <file>', 'the configuration file (instead of /etc/msrprelay/config.ini)')
  .option('--config-dir <dir>', 'directory whose config.ini overrides /etc/msrprelay/config.ini')
  .option('--no-fork', 'accepted for compatibility: missive always runs in the foreground')
  .option('--systemd', 'accepted for compatibility: logs go to stdout, which journald collects')
  .option(
    '--runtime-dir <dir>',
    'write msrprelay.pid here, and refuse to start while it names a live process',
  )
  .option('--debug', 'log at debug level', false)
  .action(
    async (options: { configFile?: string; configDir?: string; runtimeDir?: string; debug: boolean }) => {
      const { runRelayCommand } = await import('./relay-command.js');
      await runRelayCommand(options);
    },
  );

program
  .command('relay-check')
  .description('reserve a session at an MSRP relay (AUTH) and print the Use-Path it grants')
  .argument('<uri>', "the relay's URI as a client uses it, e.g. 'msrps://example.com;tcp'")
  .argument('<user>', 'username')
  .argument('<password>', 'password')
  .option('--connect <host:port>', 'connect here instead of the URI host and port')
  .option('--insecure', 'accept a certificate that does not verify (self-signed)', false)
  .option('--timeout <seconds>', 'how long to wait for each answer', seconds, 10)
  .action(
    async (
      uri: string,
      user: string,
      password: string,
      options: { insecure: boolean; connect?: string; timeout: number },
    ) => {
      const { runRelayCheck } = await import('./relay-check-command.js');
      await runRelayCheck(uri, user, password, options);
    },
  );

program
  .command('user')
  .description('add, list and remove subscribers (SIP credentials), change passwords')
  .usage('add|list|remove|passwd … (missive user --help)')
  .argument('[arguments...]')
  .helpOption(false) // user-command.ts parses its own arguments, --help included
  .allowUnknownOption()
  .action(async (args: string[]) => {
    const { runUserCommand } = await import('./user-command.js');
    process.exitCode = await runUserCommand(args);
  });

program
  .command('db')
  .description('show and remove the messaging data of an account (the sylk-db tool)')
  .usage('show|remove … (missive db --help)')
  .argument('[arguments...]')
  .helpOption(false) // db-command.ts parses its own arguments, --help included
  .allowUnknownOption()
  .action(async (args: string[]) => {
    const { runDbCommand } = await import('./db-command.js');
    process.exitCode = await runDbCommand(args);
  });

await program.parseAsync();
