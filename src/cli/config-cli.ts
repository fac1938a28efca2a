/** `missive config sample|check`: serve's configuration file, written out or checked. */
import type { Command } from 'commander';
import { addSettingOptions, commandLineSettings, type FileOptions } from './setting-options.js';

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
