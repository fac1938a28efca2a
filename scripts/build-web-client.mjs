// Bundles the web chat (src/web/client/, issue 17) with esbuild into dist/web-client/: assets/ holds the
// script and style under content-hashed names (cached for a year by the server), index.html names them.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../', import.meta.url));
const source = join(root, 'src/web/client');
const out = join(root, 'dist/web-client');

await rm(out, { recursive: true, force: true });
await mkdir(join(out, 'assets'), { recursive: true });
const result = await build({
  entryPoints: [join(source, 'main.ts'), join(source, 'style.css')],
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2022'],
  entryNames: '[name]-[hash]',
  outdir: join(out, 'assets'),
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
});
const outputs = Object.keys(result.metafile.outputs).map((file) => basename(file));
const script = outputs.find((name) => name.endsWith('.js'));
const style = outputs.find((name) => name.endsWith('.css'));
if (script === undefined || style === undefined)
  throw new Error(`unexpected build outputs: ${outputs.join(', ')}`);
const page = (await readFile(join(source, 'index.html'), 'utf8'))
  .replace('{{script}}', `assets/${script}`)
  .replace('{{style}}', `assets/${style}`);
await writeFile(join(out, 'index.html'), page);
