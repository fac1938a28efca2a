/**
 * How a test runs a TypeScript file of this repository as a child process: from the JavaScript copy that
 * scripts/run-tests.mjs transpiles once per run (scripts/test-build.mjs), named by MISSIVE_TEST_BUILD, or
 * through tsx when the variable is unset (a test file run directly with `node --import tsx --test`). Every
 * path is absolute: the arguments work from any working directory and inside a shell command line.
 */
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

function testBuild(): string | undefined {
  const build = process.env.MISSIVE_TEST_BUILD;
  return build === undefined || build === '' ? undefined : build;
}

/** The node options that let a child load this repository's code: none for the copy, tsx for the sources. */
export function loaderArgs(): string[] {
  return testBuild() === undefined ? ['--import', import.meta.resolve('tsx')] : [];
}

/** Where a child finds `file` (from the repository's root, e.g. `src/log/logger.ts`). */
export function programPath(file: string): string {
  const build = testBuild();
  return build === undefined ? `${REPO_ROOT}${file}` : `${build}/${file.replace(/\.ts$/, '.js')}`;
}

/** The node arguments that run `file` (from the repository's root, e.g. `test/store/fixtures/upsert-race.ts`). */
export function nodeProgram(file: string): string[] {
  return [...loaderArgs(), programPath(file)];
}

/** The node arguments of `missive ARGS`. */
export function missiveArgs(args: readonly string[]): string[] {
  return [...nodeProgram('src/cli/main.ts'), ...args];
}
