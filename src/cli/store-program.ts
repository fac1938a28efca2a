/**
 * What the store maintenance commands (`missive user`, `missive db`) share: their exit statuses, the
 * --store/--data-dir options, and the mapping from errors to a message on stderr and a status. 0: done;
 * 1: it could not be done (no such entry, declined, store unavailable); 2: a usage error (bad arguments,
 * malformed account or store URI).
 */
import { Command, CommanderError } from 'commander';
import { InvalidInputError, StoreError, StoreUriError } from '../store/index.js';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** Bad arguments the command itself found (commander reports its own). */
export class UsageError extends Error {}

export interface StoreOptions {
  store?: string;
  dataDir: string;
}

/** Wraps a sub-command's body so that its status (or its error's) becomes the command's. */
export type StatusAction = <A extends unknown[]>(
  body: (...args: A) => Promise<number>,
) => (...args: A) => Promise<void>;

export interface StoreProgram {
  readonly program: Command;
  readonly storeOptions: () => StoreOptions;
  readonly action: StatusAction;
  /** Parses `args` (what follows the command's name) and runs the sub-command; the exit status. */
  run(args: readonly string[]): Promise<number>;
}

/** `missive NAME` with the store options; its sub-commands are added by the caller. */
export function storeProgram(name: string, description: string): StoreProgram {
  const label = `missive ${name}`;
  const program = new Command(label)
    .description(description)
    .option(
      '--store <uri>',
      'sqlite:///path/file.db or postgresql://user@host/db (default: <data dir>/missive.db)',
    )
    .option('--data-dir <dir>', 'the data directory of missive serve', '.missive')
    .exitOverride()
    .showHelpAfterError(`(run ${label} --help for usage)`);
  let status = EXIT_OK;
  const fail = (message: string): void => {
    process.stderr.write(`${label}: ${message}\n`);
  };
  return {
    program,
    storeOptions: () => program.opts<StoreOptions>(),
    action:
      (body) =>
      async (...args) => {
        status = await reportErrors(() => body(...args), fail);
      },
    async run(args) {
      status = EXIT_OK;
      try {
        await program.parseAsync([...args], { from: 'user' });
      } catch (error) {
        // Commander has already printed its message (or the help).
        if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
        throw error;
      }
      return status;
    },
  };
}

async function reportErrors(body: () => Promise<number>, fail: (message: string) => void): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof UsageError || error instanceof InvalidInputError || error instanceof StoreUriError) {
      fail(error.message);
      return EXIT_USAGE;
    }
    if (error instanceof StoreError) {
      fail(error.message);
      return EXIT_FAILED;
    }
    throw error;
  }
}
