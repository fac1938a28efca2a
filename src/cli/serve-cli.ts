/** `missive serve`: its options (one per setting, config/serve-settings.ts), and the start with what they resolve to. */
import type { Command } from 'commander';
import { addSettingOptions, commandLineSettings, type FileOptions } from './setting-options.js';

/** Adds `serve` to the program. */
export function addServeCommand(program: Command): void {
  const serve = program
    .command('serve')
    .description('run missive on this machine: SIP registrar and proxy, and the MSRP relay');
  addSettingOptions(serve).action(async (options: FileOptions & Record<string, unknown>) => {
    const { loadSettings } = await import('../config/load-settings.js');
    const inputs = {
      configFile: options.config,
      sylkServerDir: options.sylkserverConfig,
      commandLine: commandLineSettings(options),
    };
    const loaded = await loadSettings({ ...inputs, environment: process.env });
    if (!loaded.ok) {
      process.stderr.write(
        `missive serve: cannot start:\n${loaded.problems.map((p) => `  ${p}\n`).join('')}`,
      );
      process.exitCode = 1;
      return;
    }
    const { runServeCommand } = await import('./serve-command.js');
    const { serveOptions } = await import('./serve-options.js');
    const { configurationReload } = await import('./serve-reload.js');
    const { AdminSecretError } = await import('../web/admin-secret.js');
    const { PushCredentialsError } = await import('../push/provider-factories.js');
    const { CertificateError } = await import('../server/certificates.js');
    const { RelayStartupError } = await import('../msrp/relay/relay.js');
    const { ClusterSettingsError } = await import('../server/cluster.js');
    const { StoreError } = await import('../store/errors.js');
    const { listenFailure } = await import('./listen-error.js');
    try {
      await runServeCommand(
        serveOptions(loaded.value.values),
        configurationReload(inputs, loaded.value.values),
      );
    } catch (error) {
      // An admin secret file or a certificate that must not be used, or a store that cannot be reached, stops the
      // start (before anything listens), with what to do.
      const message =
        error instanceof AdminSecretError ||
        error instanceof CertificateError ||
        error instanceof PushCredentialsError ||
        error instanceof ClusterSettingsError
          ? error.message
          : (listenFailure(error, loaded.value.values) ??
            (error instanceof RelayStartupError
              ? `the MSRP relay cannot start: ${error.message}`
              : error instanceof StoreError
                ? `the store cannot be used: ${error.message}\n  Check the store's address and that its server runs ([Storage] store, --store or MISSIVE_STORE).`
                : undefined));
      if (message === undefined) throw error;
      process.stderr.write(`missive serve: ${message}\n`);
      // Listeners already open would keep the process alive.
      process.exit(1);
    }
  });
}
