/** `missive serve`: its options (one per setting, config/serve-settings.ts), and the start with what they resolve to. */
import type { Command } from 'commander';
import { addSettingOptions, commandLineSettings } from './setting-options.js';

interface FileOptions {
  readonly config?: string;
  readonly sylkserverConfig?: string;
}

/** Adds `serve` to the program. */
export function addServeCommand(program: Command): void {
  const serve = program
    .command('serve')
    .description('run missive on this machine: SIP registrar and proxy, and the MSRP relay');
  addSettingOptions(serve).action(async (options: FileOptions & Record<string, unknown>) => {
    const { loadSettings } = await import('../config/load-settings.js');
    const loaded = await loadSettings({
      configFile: options.config,
      sylkServerDir: options.sylkserverConfig,
      commandLine: commandLineSettings(options),
      environment: process.env,
    });
    if (!loaded.ok) {
      process.stderr.write(
        `missive serve: cannot start:\n${loaded.problems.map((p) => `  ${p}\n`).join('')}`,
      );
      process.exitCode = 1;
      return;
    }
    const { runServeCommand } = await import('./serve-command.js');
    const { serveOptions } = await import('./serve-options.js');
    const { AdminSecretError } = await import('../web/admin-secret.js');
    const { listenFailure } = await import('./listen-error.js');
    try {
      await runServeCommand(serveOptions(loaded.value.values));
    } catch (error) {
      // An admin secret file that must not be used stops the start (before anything listens), with what to do.
      const message =
        error instanceof AdminSecretError ? error.message : listenFailure(error, loaded.value.values);
      if (message === undefined) throw error;
      process.stderr.write(`missive serve: ${message}\n`);
      // Listeners already open would keep the process alive.
      process.exit(1);
    }
  });
}

/** Adds `config check`, which takes serve's options and files and prints what they resolve to. */
export function addConfigCommand(program: Command): void {
  const config = program.command('config').description("missive serve's configuration file");
  config
    .command('sample')
    .description('print a configuration file with every key, its default, option and variable')
    .action(async () => {
      const { sampleConfiguration } = await import('../config/sample.js');
      process.stdout.write(sampleConfiguration());
    });
  const check = config
    .command('check')
    .description(
      'print the settings missive serve would start with (the same options), and where each came from',
    );
  addSettingOptions(check).action(async (options: FileOptions & Record<string, unknown>) => {
    const { runConfigCheck } = await import('./config-command.js');
    process.exitCode = await runConfigCheck(
      {
        configFile: options.config,
        sylkServerDir: options.sylkserverConfig,
        commandLine: commandLineSettings(options),
        environment: process.env,
      },
      process.stdout,
    );
  });
}
