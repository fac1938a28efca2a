/**
 * `missive user add|list|remove|passwd`: subscribers (SIP credentials) in the store. Exit status 0 when done,
 * 1 when it could not be done (no such user, already exists, store unavailable), 2 for a usage error (bad
 * arguments, malformed account or store URI). Errors go to stderr; what a script reads goes to stdout.
 */
import { randomBytes } from 'node:crypto';
import { type Command, Option } from 'commander';
import { openStore, parseAccount, type Store } from '../store/index.js';
import { type DomainFlags, servedDomains, unservedWarning } from './served-domains.js';
import { storeUri } from './store-location.js';
import {
  EXIT_FAILED,
  EXIT_OK,
  type StoreOptions,
  type StoreProgram,
  storeProgram,
  UsageError,
} from './store-program.js';

/** A password line longer than this on stdin is a mistake (a file piped in by accident). */
const MAX_STDIN_PASSWORD_BYTES = 1024;
/** 18 random bytes: 144 bits, 24 characters of base64url. */
const GENERATED_PASSWORD_BYTES = 18;

interface PasswordFlags {
  password?: string;
  passwordStdin?: boolean;
  cleartext?: boolean;
}

/** Runs the sub-command in `args` (what follows `missive user`); resolves to the exit status. */
export function runUserCommand(args: readonly string[]): Promise<number> {
  return buildProgram().run(args);
}

function buildProgram(): StoreProgram {
  const commands = storeProgram(
    'user',
    'add, list and remove subscribers (SIP credentials), and change their passwords',
  );
  const { program, storeOptions, action } = commands;

  passwordOptions(
    program
      .command('add')
      .description(
        'add a subscriber; without a password option, generate one and print it. Warns when the domain ' +
          'is not one missive serves (from --domain, else --config, else the default localhost)',
      )
      .argument('<account>', 'user@domain')
      .option('--domain <domain>', 'a domain missive serve serves (repeat for several)', collect, [])
      .option('--config <file>', "missive serve's configuration file, for its served domains"),
  ).action(
    action(async (account: string, flags: PasswordFlags & DomainFlags) => {
      const { username, domain } = parseAccount(account);
      const warning = unservedWarning(`${username}@${domain}`, domain, await servedDomains(flags));
      if (warning !== undefined) process.stderr.write(`missive user add: ${warning}\n`);
      const { password, generated } = await choosePassword(flags);
      return withStore(storeOptions(), true, async (store) => {
        const added = await store.subscribers.add(username, domain, password, {
          storeCleartext: flags.cleartext === true,
        });
        print(`added ${added.username}@${added.domain}`);
        if (generated) print(`password: ${password}`);
        return EXIT_OK;
      });
    }),
  );

  program
    .command('list')
    .description('list subscribers, one user@domain a line')
    .argument('[domain]', 'only this domain')
    .action(
      action(async (domain: string | undefined) =>
        withStore(storeOptions(), false, async (store) => {
          for (const subscriber of await store.subscribers.list(domain)) {
            print(`${subscriber.username}@${subscriber.domain}`);
          }
          return EXIT_OK;
        }),
      ),
    );

  program
    .command('remove')
    .description('remove a subscriber')
    .argument('<account>', 'user@domain')
    .action(
      action(async (account: string) => {
        const { username, domain } = parseAccount(account);
        return withStore(storeOptions(), false, async (store) => {
          if (!(await store.subscribers.remove(username, domain))) return noSuchUser(username, domain);
          print(`removed ${username}@${domain}`);
          return EXIT_OK;
        });
      }),
    );

  passwordOptions(
    program
      .command('passwd')
      .description("change a subscriber's password; without a password option, generate one and print it")
      .argument('<account>', 'user@domain'),
  ).action(
    action(async (account: string, flags: PasswordFlags) => {
      const { username, domain } = parseAccount(account);
      const { password, generated } = await choosePassword(flags);
      return withStore(storeOptions(), false, async (store) => {
        const changed = await store.subscribers.setPassword(username, domain, password, {
          storeCleartext: flags.cleartext === true,
        });
        if (!changed) return noSuchUser(username, domain);
        print(`password changed for ${username}@${domain}`);
        if (generated) print(`password: ${password}`);
        return EXIT_OK;
      });
    }),
  );
  return commands;
}

function passwordOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--password <password>',
        'the password (visible to other users of this machine: prefer stdin)',
      ),
    )
    .addOption(
      new Option('--password-stdin', 'read the password from the first line of standard input').conflicts(
        'password',
      ),
    )
    .option(
      '--cleartext',
      'also store the password in clear, for readers that need it (msrprelay cleartext mode)',
    );
}

/** Maps the errors a user can cause or meet to an exit status and one line on stderr. */
/** Opens the store; `create`: a new SQLite store may be made (in the data directory, created too). */
async function withStore(
  options: StoreOptions,
  create: boolean,
  body: (store: Store) => Promise<number>,
): Promise<number> {
  const store = await openStore(await storeUri(options.store, options.dataDir, create), { create });
  try {
    return await body(store);
  } finally {
    await store.close();
  }
}

async function choosePassword(flags: PasswordFlags): Promise<{ password: string; generated: boolean }> {
  if (flags.password !== undefined) return { password: flags.password, generated: false };
  if (flags.passwordStdin === true) return { password: await readPasswordLine(), generated: false };
  return { password: randomBytes(GENERATED_PASSWORD_BYTES).toString('base64url'), generated: true };
}

/** The first line of stdin (CR LF or LF), or all of it when it has no newline. */
async function readPasswordLine(): Promise<string> {
  let bytes = Buffer.alloc(0);
  for await (const chunk of process.stdin) {
    bytes = Buffer.concat([bytes, chunk as Buffer]);
    const newline = bytes.indexOf(0x0a);
    if (newline !== -1) {
      bytes = bytes.subarray(0, newline);
      break;
    }
    if (bytes.length > MAX_STDIN_PASSWORD_BYTES) break;
  }
  if (bytes.length > MAX_STDIN_PASSWORD_BYTES) {
    throw new UsageError(
      `the password line on standard input is longer than ${MAX_STDIN_PASSWORD_BYTES} bytes`,
    );
  }
  return bytes.toString('utf8').replace(/\r$/, '');
}

function noSuchUser(username: string, domain: string): number {
  fail(`no such user ${username}@${domain}`);
  return EXIT_FAILED;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

function fail(message: string): void {
  process.stderr.write(`missive user: ${message}\n`);
}
