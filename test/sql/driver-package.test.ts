/** Loading a driver package: a missing package says what to install; any other failure says what failed. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadDriverPackage } from '../../src/sql/driver-package.js';

class CallerError extends Error {}
const fail = (message: string, options: ErrorOptions): CallerError => new CallerError(message, options);

describe('loadDriverPackage', () => {
  it('returns what the import gave', async () => {
    const loaded = await loadDriverPackage('pg', () => import('pg'), fail);
    assert.equal(typeof loaded.default.Pool, 'function');
  });

  it('says to install a package that is not there, in the caller’s error class', async () => {
    const name = 'missive-no-such-driver-package';
    const error = await loadDriverPackage(name, () => import(name), fail).then(
      () => assert.fail('resolved'),
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof CallerError, String(error));
    assert.equal(
      error.message,
      `the database driver package '${name}' is not installed (npm install ${name})`,
    );
    assert.equal((error.cause as { code?: unknown }).code, 'ERR_MODULE_NOT_FOUND');
  });

  it('does not blame the package when another module is missing', async () => {
    const missing = Object.assign(new Error("Cannot find module '/opt/missive/dist/store/gone.js'"), {
      code: 'ERR_MODULE_NOT_FOUND',
    });
    const error = await loadDriverPackage('pg', () => Promise.reject(missing), fail).then(
      () => assert.fail('resolved'),
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof CallerError, String(error));
    assert.match(error.message, /^cannot load the database driver package 'pg': Cannot find module/);
    assert.equal(error.cause, missing);
  });

  it('reports a package that fails to load (built for another Node) as such', async () => {
    const broken = new Error('The module was compiled against a different Node.js version');
    const error = await loadDriverPackage('better-sqlite3', () => Promise.reject(broken), fail).then(
      () => assert.fail('resolved'),
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof CallerError);
    assert.equal(
      error.message,
      "cannot load the database driver package 'better-sqlite3': The module was compiled against a different Node.js version",
    );
  });
});
