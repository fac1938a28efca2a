/** Where `missive serve` and `missive user` keep their data when no --store is given: <data dir>/missive.db. */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/** The store URI: `explicit` when given, else the SQLite file in `dataDir` (created when `create`). */
export async function storeUri(
  explicit: string | undefined,
  dataDir: string,
  create: boolean,
): Promise<string> {
  if (explicit !== undefined) return explicit;
  const dir = resolve(dataDir);
  if (create) await mkdir(dir, { recursive: true });
  return sqliteUri(join(dir, 'missive.db'));
}

/** The store URI decodes its path: a '%', '?' or '#' in a directory name must be encoded. */
function sqliteUri(path: string): string {
  return `sqlite://${path.split('/').map(encodeURIComponent).join('/')}`;
}
