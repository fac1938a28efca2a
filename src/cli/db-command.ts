/**
 * `missive db dbinit|show|remove …`: the `sylk-db` maintenance tool (sylk spec §6) over missive's store. Without
 * arguments it prints its help and exits 0. Exit status 0 when done, 1 when it could not be done (nothing
 * to remove, declined, store unavailable), 2 for a usage error (bad arguments, account or store URI).
 * Errors and questions go to stderr; what a script reads goes to stdout. Safe while `missive serve` runs:
 * both go through the store's transactions (unlike the reference's file backend, sylk spec §8.3).
 */
import { type Command, Option } from 'commander';
import { normalizeAor } from '../registrar/aor.js';
import { openStore, type Store } from '../store/index.js';
import { dbinit } from './db/dbinit.js';
import { Questions } from './db/line-reader.js';
import {
  type RemoveContext,
  removeAll,
  removeApiToken,
  removeMessages,
  removePublicKey,
  removePushTokenCommand,
} from './db/remove.js';
import { showAccount } from './db/show.js';
import { storeUri } from './store-location.js';
import { EXIT_OK, type StoreOptions, type StoreProgram, storeProgram, UsageError } from './store-program.js';

export interface DbCommandIo {
  readonly now: () => number;
  readonly questions: Questions;
}

/** Runs the sub-command in `args` (what follows `missive db`); resolves to the exit status. */
export async function runDbCommand(args: readonly string[]): Promise<number> {
  const questions = new Questions(process.stdin, process.stderr);
  try {
    return await run(args, { now: () => Date.now(), questions });
  } finally {
    questions.close();
  }
}

async function run(args: readonly string[], io: DbCommandIo): Promise<number> {
  const commands = buildProgram(io);
  if (args.length === 0) {
    process.stdout.write(commands.program.helpInformation());
    return EXIT_OK;
  }
  return commands.run(args);
}

function buildProgram(io: DbCommandIo): StoreProgram {
  const commands = storeProgram('db', 'show and remove the messaging data of an account (the sylk-db tool)');
  const { program, action } = commands;
  const globals = commands.storeOptions;

  program
    .command('show')
    .description('storage, token, last login, message counts, unread, push tokens and public key')
    .argument('<account>', 'user@domain')
    .action(
      action(async (text: string) => {
        const account = accountArgument(text);
        return withStore(globals(), async (store) => {
          for (const line of await showAccount(store, account, io.now())) print(line);
          return EXIT_OK;
        });
      }),
    );

  program
    .command('dbinit')
    .description('create or update the keyspace and tables (Cassandra), or migrate the database')
    .addOption(new Option('-y, --yes', 'do not ask for confirmation'))
    .action(
      action(async (flags: { yes?: boolean }) => {
        const options = globals();
        const uri = await storeUri(options.store, options.dataDir, true);
        return dbinit({ uri, yes: flags.yes === true, questions: io.questions, print, fail });
      }),
    );

  const remove = program
    .command('remove')
    .description('remove messages, the API token, push tokens, the public key, or all of an account');
  const yes = (): Option => new Option('-y, --yes', 'do not ask for confirmation');
  const removal = (name: string, description: string): Command =>
    remove.command(name).description(description).argument('<account>', 'user@domain').addOption(yes());

  removal('messages', 'remove every message, or with CONTACT one conversation')
    .argument('[contact]', 'only the conversation with this contact')
    .action(
      action(async (text: string, contact: string | undefined, flags: { yes?: boolean }) =>
        withContext(io, globals(), text, flags, (context) =>
          removeMessages(context, contact === undefined ? undefined : contactArgument(contact)),
        ),
      ),
    );
  removal('api_token', 'revoke the API token of the HTTP history').action(
    action(async (text: string, flags: { yes?: boolean }) =>
      withContext(io, globals(), text, flags, removeApiToken),
    ),
  );
  removal('push_token', 'remove push tokens (asks which when there are several)')
    .addOption(new Option('--pick <n|all>', 'which of the listed tokens, without asking'))
    .action(
      action(async (text: string, flags: { yes?: boolean; pick?: string }) =>
        withContext(io, globals(), text, flags, (context) => removePushTokenCommand(context, flags.pick)),
      ),
    );
  removal('public_key', 'remove the public key').action(
    action(async (text: string, flags: { yes?: boolean }) =>
      withContext(io, globals(), text, flags, removePublicKey),
    ),
  );
  removal('all', 'remove messages, storage account and token, push tokens and public key').action(
    action(async (text: string, flags: { yes?: boolean }) =>
      withContext(io, globals(), text, flags, removeAll),
    ),
  );
  return commands;
}

function accountArgument(text: string): string {
  const account = normalizeAor(text);
  if (account === undefined) throw new UsageError(`${JSON.stringify(text)} is not an account (user@domain)`);
  return account;
}

function contactArgument(text: string): string {
  const contact = normalizeAor(text);
  if (contact === undefined) throw new UsageError(`${JSON.stringify(text)} is not a contact (user@domain)`);
  return contact;
}

async function withContext(
  io: DbCommandIo,
  options: StoreOptions,
  text: string,
  flags: { yes?: boolean },
  body: (context: RemoveContext) => Promise<number>,
): Promise<number> {
  const account = accountArgument(text);
  return withStore(options, (store) =>
    body({ store, account, now: io.now(), yes: flags.yes === true, questions: io.questions, print, fail }),
  );
}

/** Opens an existing store (never creates one: there would be nothing to show or remove). */
async function withStore(options: StoreOptions, body: (store: Store) => Promise<number>): Promise<number> {
  const store = await openStore(await storeUri(options.store, options.dataDir, false), { create: false });
  try {
    return await body(store);
  } finally {
    await store.close();
  }
}

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

function fail(message: string): void {
  process.stderr.write(`missive db: ${message}\n`);
}
