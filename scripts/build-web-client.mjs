// Bundles the web chat (src/web/client/, issue 17) with esbuild into dist/web-client/: assets/ holds the
// script and style under content-hashed names (cached for a year by the server), index.html names them; the
// chunks the script loads later (OpenPGP) are there too.
//
// Several builds may run at once (each browser test file builds before it starts missive, and the test
// runner runs files side by side), and a missive starting meanwhile reads the directory: so nothing is
// ever half-written or missing there. The build goes to a staging directory; each asset is moved in under
// its hashed name (a rename: whole or absent, and the same name is the same content), then index.html is
// replaced by a rename, and only then are assets no longer named removed.
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../', import.meta.url));
const source = join(root, 'src/web/client');
const out = join(root, 'dist/web-client');
const staging = join(out, `.staging-${String(process.pid)}-${String(Date.now())}`);

await mkdir(join(staging, 'assets'), { recursive: true });
await mkdir(join(out, 'assets'), { recursive: true });
const result = await build({
  entryPoints: [join(source, 'main.ts'), join(source, 'style.css')],
  bundle: true,
  // The OpenPGP code (src/web/client/pgp.ts, imported dynamically) goes into chunks of its own, loaded once an
  // account signs in: the first screen stays small.
  splitting: true,
  chunkNames: 'chunk-[hash]',
  minify: true,
  format: 'esm',
  target: ['es2022'],
  entryNames: '[name]-[hash]',
  outdir: join(staging, 'assets'),
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
});
const outputs = Object.entries(result.metafile.outputs);
const entryOutput = (entry) => {
  const found = outputs.find(([, output]) => output.entryPoint?.endsWith(entry));
  return found === undefined ? undefined : basename(found[0]);
};
const script = entryOutput('main.ts');
const style = entryOutput('style.css');
if (script === undefined || style === undefined)
  throw new Error(`unexpected build outputs: ${outputs.map(([file]) => file).join(', ')}`);
const page = (await readFile(join(source, 'index.html'), 'utf8'))
  .replace('{{script}}', `assets/${script}`)
  .replace('{{style}}', `assets/${style}`);
const built = outputs.map(([file]) => basename(file));
for (const name of built) {
  const target = join(out, 'assets', name);
  if (!existsSync(target)) await rename(join(staging, 'assets', name), target);
}
await writeFile(join(staging, 'index.html'), page);
await rename(join(staging, 'index.html'), join(out, 'index.html'));
await rm(staging, { recursive: true, force: true });
for (const name of await readdir(join(out, 'assets'))) {
  if (!built.includes(name)) await rm(join(out, 'assets', name), { force: true });
}
