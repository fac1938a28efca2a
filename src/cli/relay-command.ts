/** `missive relay`: the MSRP relay alone, configured by msrprelay's config.ini (a drop-in replacement). */
import type { Logger } from 'pino';
import { IniError } from '../config/ini.js';
import { createLogger } from '../log/logger.js';
import { MsrpRelay, RelayStartupError } from '../msrp/relay/relay.js';
import { SettingsError } from '../msrp/relay/settings.js';
import { loadRelayConfig, type RelayConfigLocation } from './relay-config.js';

export interface RelayCommandOptions extends RelayConfigLocation {
  readonly debug: boolean;
}

export async function runRelayCommand(options: RelayCommandOptions): Promise<void> {
  let logger: Logger = createLogger(options.debug ? 'debug' : 'info', 'msrprelay');
  try {
    const config = await loadRelayConfig(options);
    logger = createLogger(options.debug ? 'debug' : config.settings.logLevel, 'msrprelay');
    logger.info({ files: config.files }, 'Starting MSRP Relay');
    const relay = new MsrpRelay({ settings: config.settings, credentials: config.credentials, logger });
    const address = await relay.start();
    logger.info(
      { host: address.host, port: address.port, tls: !config.settings.debugNotls, hostname: relay.hostname },
      'MSRP relay listening',
    );
    stopOnSignals(relay, logger);
  } catch (error) {
    if (error instanceof SettingsError || error instanceof RelayStartupError || error instanceof IniError) {
      logger.fatal(`Failed to create MSRP Relay: ${error.message}`);
      process.stderr.write(`Failed to create MSRP Relay: ${error.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
}

function stopOnSignals(relay: MsrpRelay, logger: Logger): void {
  const stop = (signal: NodeJS.Signals): void => {
    logger.info({ signal }, 'Stopping MSRP Relay');
    relay.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: String(error) }, 'Error while stopping');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
