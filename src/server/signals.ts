/**
 * The process's signals for a running server. SIGTERM and SIGINT stop it gracefully (missive-server.ts: no
 * new connection, new requests 503, the transactions in progress given the grace period), then the process
 * exits 0, or 1 when stopping failed (logged with its stack); a second SIGTERM or SIGINT stops at once.
 * SIGHUP reloads the configuration (files and environment; the command line still wins) and applies what can
 * change without a restart (reconfigure.ts), naming the changed settings that need one; a configuration that
 * cannot be used is refused with a logged error and the running one stays.
 */
import type { MissiveServer } from './missive-server.js';
import type { ServerSettings } from './settings.js';

export interface ChangedSetting {
  /** As the configuration file names it: `[SIP] sips_port`. */
  readonly setting: string;
  /** SIGHUP applies it; else it waits for a restart. */
  readonly reloads: boolean;
}

export type Reload =
  | {
      readonly ok: true;
      readonly settings: ServerSettings;
      readonly changed: readonly ChangedSetting[];
      /** Called once the running server took the new settings. */
      readonly applied: () => void;
    }
  | { readonly ok: false; readonly problems: readonly string[] };

export interface SignalOptions {
  /** How long transactions in progress may take on the first SIGTERM or SIGINT. */
  readonly stopGraceMs: number;
  /** Reads the configuration again; without it, SIGHUP is logged and ignored. */
  readonly reload?: (() => Promise<Reload>) | undefined;
  readonly exit?: ((code: number) => void) | undefined;
}

export function handleSignals(server: MissiveServer, options: SignalOptions): void {
  const exit =
    options.exit ??
    ((code: number): void => {
      process.exit(code);
    });
  const { logger } = server;
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: stopping at once');
      exit(1);
      return;
    }
    stopping = true;
    logger.info({ signal, graceMs: options.stopGraceMs }, 'stopping: finishing the transactions in progress');
    server.stop(options.stopGraceMs).then(
      () => {
        logger.info('stopped');
        exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'stopping failed');
        exit(1);
      },
    );
  };
  // One reload at a time, in the order the signals came: a renewal hook may send two in a row.
  let reloading: Promise<void> = Promise.resolve();
  const hangUp = (): void => {
    // A server on its way out keeps what it runs with.
    if (stopping) return;
    reloading = reloading.then(() => reload(server, options.reload));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('SIGHUP', hangUp);
}

async function reload(server: MissiveServer, read: SignalOptions['reload']): Promise<void> {
  const { logger } = server;
  if (read === undefined) {
    logger.warn('SIGHUP: this server has no configuration to reload');
    return;
  }
  try {
    const next = await read();
    if (!next.ok) {
      logger.error(
        { problems: next.problems },
        'SIGHUP: the new configuration is refused; the running one stays',
      );
      return;
    }
    await server.reconfigure(next.settings);
    next.applied();
    const applied = next.changed.filter((change) => change.reloads).map((change) => change.setting);
    const waiting = next.changed.filter((change) => !change.reloads).map((change) => change.setting);
    logger.info({ changed: applied }, 'SIGHUP: configuration reloaded (certificates read again)');
    if (waiting.length > 0)
      logger.warn(
        { settings: waiting },
        'SIGHUP: these changed settings need a restart; they keep their old values',
      );
  } catch (error) {
    logger.error({ err: error }, 'SIGHUP: the new configuration is refused; the running one stays');
  }
}
