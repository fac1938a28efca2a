#!/usr/bin/env node
/** The `missive` command. Sub-commands are loaded on demand, so each starts with only what it uses. */
import { Command, InvalidArgumentError } from 'commander';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('not a port number');
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
  .description('run everything on this machine with embedded defaults')
  .option('--data-dir <dir>', 'where generated keys and data are kept', '.missive')
  .option('--msrp-port <port>', 'MSRP relay port (TLS, loopback)', port, 2855)
  .option('--debug', 'log at debug level', false)
  .action(async (options: { dataDir: string; msrpPort: number; debug: boolean }) => {
    const { runServeCommand } = await import('./serve-command.js');
    await runServeCommand(options);
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

await program.parseAsync();
