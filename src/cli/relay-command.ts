/** `missive relay`: the MSRP relay alone, configured by msrprelay's config.ini (a drop-in replacement). */
import type { Logger } from 'pino';
import { IniError } from '../ini/ini.js';
import { createLogger } from '../log/logger.js';
import { MsrpRelay, RelayStartupError } from '../msrp/relay/relay.js';
import { SettingsError } from '../ini/settings-error.js';
import { renderRelayMetrics } from '../msrp/relay/metrics.js';
import { startMetricsServer } from '../web/metrics-server.js';
import { AlreadyRunningError, claimPidFile } from './pid-file.js';
import { loadRelayConfig, type RelayConfigLocation } from './relay-config.js';

export interface RelayCommandOptions extends RelayConfigLocation {
  readonly debug: boolean;
  readonly runtimeDir?: string | undefined;
}

export async function runRelayCommand(options: RelayCommandOptions): Promise<void> {
  let logger: Logger = createLogger(options.debug ? 'debug' : 'info', 'msrprelay');
  try {
    const config = await loadRelayConfig(options);
    logger = createLogger(options.debug ? 'debug' : config.settings.logLevel, 'msrprelay');
    // Start, stop and reload lines are always written, whatever log_level says: operators and scripts wait for them.
    const lifecycle = logger.child({}, { level: options.debug ? 'debug' : 'info' });
    lifecycle.info({ files: config.files }, 'Starting MSRP Relay');
    if (options.runtimeDir !== undefined) claimPidFile(options.runtimeDir, 'msrprelay');
    const relay = new MsrpRelay({ settings: config.settings, credentials: config.credentials, logger });
    const address = await relay.start();
    lifecycle.info(
      { host: address.host, port: address.port, tls: !config.settings.debugNotls, hostname: relay.hostname },
      'MSRP relay listening',
    );
    const metrics = config.settings.metricsAddress;
    if (metrics !== undefined) {
      const served = await startMetricsServer(metrics.host, metrics.port, () =>
        renderRelayMetrics(relay.snapshot()),
      ).catch((error: unknown) => {
        throw new RelayStartupError(
          `Cannot serve metrics on ${metrics.host}:${metrics.port}: ${String(error)}`,
        );
      });
      lifecycle.info({ host: metrics.host, port: served.port }, 'Metrics listening');
    }
    stopOnSignals(relay, lifecycle);
    reloadOnHangup(relay, logger, lifecycle, options);
  } catch (error) {
    if (
      error instanceof SettingsError ||
      error instanceof RelayStartupError ||
      error instanceof IniError ||
      error instanceof AlreadyRunningError
    ) {
      logger.fatal(`Failed to create MSRP Relay: ${error.message}`);
      process.stderr.write(`Failed to create MSRP Relay: ${error.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
}

/**
 * SIGHUP re-reads the configuration and credentials; new settings apply to new connections and sessions
 * keep relaying. A broken new configuration is logged and the running one kept (msrprelay exited).
 */
function reloadOnHangup(
  relay: MsrpRelay,
  logger: Logger,
  lifecycle: Logger,
  options: RelayCommandOptions,
): void {
  let reloading = Promise.resolve();
  process.on('SIGHUP', () => {
    reloading = reloading.then(async () => {
      lifecycle.info('Reloading configuration file');
      try {
        const config = await loadRelayConfig(options);
        const address = await relay
          .reload(config.settings, config.credentials)
          .catch(async (error: unknown) => {
            await config.credentials.close();
            throw error;
          });
        logger.level = options.debug ? 'debug' : config.settings.logLevel;
        lifecycle.info({ files: config.files, port: address.port }, 'Configuration reloaded');
      } catch (error) {
        // msrprelay's wording, which operators grep for; the stack goes with it.
        logger.error({ err: error }, `Error reloading configuration file: ${(error as Error).message}`);
      }
    });
  });
}

function stopOnSignals(relay: MsrpRelay, logger: Logger): void {
  const stop = (signal: NodeJS.Signals): void => {
    logger.info({ signal }, 'Stopping MSRP Relay');
    relay.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'Error while stopping');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
