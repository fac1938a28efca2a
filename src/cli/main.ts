#!/usr/bin/env node
/** The `missive` command. Sub-commands are loaded on demand, so each starts with only what it uses. */
import { Command } from 'commander';
import { secondsOption } from './option-values.js';
import { addConfigCommand } from './config-cli.js';
import { addServeCommand } from './serve-cli.js';
import { packageVersion } from './version.js';

const program = new Command('missive')
  .description('Messaging server for SIP and WebRTC, and MSRP relay')
  .version(packageVersion(), '-V, --version', 'print the version');

addServeCommand(program);
addConfigCommand(program);

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
  .option('--timeout <seconds>', 'how long to wait for each answer', secondsOption, 10)
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

program
  .command('import')
  .description('bring the data of another server into missive’s store (import sylkserver)')
  .usage('sylkserver … (missive import --help)')
  .argument('[arguments...]')
  .helpOption(false) // import-command.ts parses its own arguments, --help included
  .allowUnknownOption()
  .action(async (args: string[]) => {
    const { runImportCommand } = await import('./import-command.js');
    process.exitCode = await runImportCommand(args);
  });

// A reader that stops early (`missive db show … | head`) closes the pipe: that ends the output, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

// `user`, `db` and `import` parse their own arguments: `missive help user` shows the same help as `missive user --help`.
const [command, topic] = process.argv.slice(2);
const selfParsed = new Set(['user', 'db', 'import']);
const argv =
  command === 'help' && topic !== undefined && selfParsed.has(topic)
    ? [...process.argv.slice(0, 2), topic, '--help']
    : process.argv;
await program.parseAsync(argv);
