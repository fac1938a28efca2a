/**
 * Loading a database driver package (mysql2, pg, better-sqlite3) only when its dialect is used, so that a
 * deployment on one database does not need the others' packages, and a missing one is an error that says
 * what to install rather than a module resolution trace.
 */
import { describeError } from './describe-error.js';

/** How the caller reports a failure: its own error class (StoreError, CredentialStoreError). */
export type DriverLoadFailure = (message: string, options: ErrorOptions) => Error;

/**
 * Runs `load` (an `import()` of the package `name`, or of a module that imports it). When it fails because
 * `name` cannot be found, the error says to install it; any other failure is "cannot load".
 */
export async function loadDriverPackage<T>(
  name: string,
  load: () => Promise<T>,
  fail: DriverLoadFailure,
): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    const message = error instanceof Error ? error.message : '';
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && message.includes(`'${name}'`)) {
      throw fail(`the database driver package '${name}' is not installed (npm install ${name})`, {
        cause: error,
      });
    }
    throw fail(`cannot load the database driver package '${name}': ${describeError(error)}`, {
      cause: error,
    });
  }
}
