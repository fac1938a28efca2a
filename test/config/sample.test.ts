/** deploy/missive.ini.sample is `missive config sample`, names every key, and its defaults read back as the defaults. */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadSettings } from '../../src/config/load-settings.js';
import { sampleConfiguration } from '../../src/config/sample.js';
import { iniKey, SERVE_SETTING_NAMES, specOf } from '../../src/config/serve-settings.js';

const SAMPLE = fileURLToPath(new URL('../../deploy/missive.ini.sample', import.meta.url));

test('deploy/missive.ini.sample is what `missive config sample` prints (regenerate it when a setting changes)', async () => {
  assert.equal(await readFile(SAMPLE, 'utf8'), sampleConfiguration());
});

test('the sample with every key uncommented starts with the defaults', async () => {
  const text = sampleConfiguration().replace(/^# ([a-z_]+ =.*)$/gm, '$1');
  for (const name of SERVE_SETTING_NAMES) assert.match(text, new RegExp(`^${iniKey(name)} =`, 'm'), name);
  const dir = await mkdtemp(join(tmpdir(), 'missive-sample-'));
  try {
    const file = join(dir, 'missive.ini');
    await writeFile(file, text);
    const loaded = await loadSettings({ configFile: file, commandLine: {}, environment: {} });
    assert.ok(loaded.ok, JSON.stringify(loaded));
    for (const name of SERVE_SETTING_NAMES) {
      const { path, default: fallback } = specOf(name);
      const expected = path === true && typeof fallback === 'string' ? join(dir, fallback) : fallback;
      assert.deepEqual(loaded.value.values[name], expected, name);
      assert.equal(loaded.value.sources[name].from, 'file', name);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
