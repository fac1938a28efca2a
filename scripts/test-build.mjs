// The test run's own JavaScript copy of the code that tests start as child processes (`missive serve`, the
// relay, CLI commands, the store's crash fixtures). Loading TypeScript through tsx costs a child about twice
// the CPU of loading plain JavaScript (1.9 s against 0.9 s per `missive serve`), and the suite starts
// hundreds of children. A developer's dist/ may be stale, so each run transpiles its own copy (esbuild, file
// by file, no type check: tsc does that) into a fresh temporary directory that no other run shares.
//
// The directory mirrors the repository: src/ and test/ (every .ts but the test files themselves), with
// links to what the code finds relative to itself: node_modules, package.json (`missive --version`) and dist/
// (the built web chat, src/web/web-client-files.ts).
import { mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { build } from 'esbuild';

/** The variable that names the directory; test/support/node-program.ts reads it (tsx when it is unset). */
export const TEST_BUILD_ENV = 'MISSIVE_TEST_BUILD';

function typeScriptFiles(path) {
  if (statSync(path).isFile()) return path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
  return readdirSync(path).flatMap((name) => typeScriptFiles(join(path, name)));
}

/** Transpiles the repository at `root` into a new temporary directory and returns its path. */
export async function buildForTests(root) {
  const out = mkdtempSync(join(tmpdir(), 'missive-test-build-'));
  try {
    const sources = [
      // The browser's chat is bundled by scripts/build-web-client.mjs into dist/web-client, not run by Node.
      ...typeScriptFiles(join(root, 'src')).filter(
        (file) => !relative(root, file).startsWith(join('src', 'web', 'client')),
      ),
      ...typeScriptFiles(join(root, 'test')),
    ];
    await build({
      entryPoints: sources,
      outdir: out,
      outbase: root,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      // Linked maps cost nothing unless asked for (NODE_OPTIONS=--enable-source-maps when reading a trace).
      sourcemap: 'linked',
      logLevel: 'warning',
    });
    for (const name of ['node_modules', 'package.json', 'dist'])
      symlinkSync(join(root, name), join(out, name));
    return out;
  } catch (error) {
    rmSync(out, { recursive: true, force: true });
    throw error;
  }
}
