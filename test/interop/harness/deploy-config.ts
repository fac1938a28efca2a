/**
 * deploy/kamailio/kamailio.cfg as an operator would adapt it: its `#!substdef "!NAME!value!g"` lines at the
 * top hold the site's values, and a test sets them the same way (plus logging to stderr for the harness).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './paths.js';

export const DEPLOY_KAMAILIO_CONFIG = join(REPO_ROOT, 'deploy', 'kamailio', 'kamailio.cfg');

export function setSubstdefs(config: string, values: Readonly<Record<string, string>>): string {
  let text = config;
  for (const [name, value] of Object.entries(values)) {
    const line = new RegExp(`^#!substdef "!${name}!.*!g"$`, 'm');
    if (!line.test(text)) throw new Error(`Kamailio config: no #!substdef for ${name}`);
    text = text.replace(line, `#!substdef "!${name}!${value}!g"`);
  }
  return text;
}

/** Writes the deploy config (`config`: another of deploy/kamailio/) with these values into `dir`; its path. */
export function writeDeployConfig(
  dir: string,
  values: Readonly<Record<string, string>>,
  config: string = DEPLOY_KAMAILIO_CONFIG,
): string {
  const text = setSubstdefs(readFileSync(config, 'utf8'), values).replace(
    /^log_stderror=no$/m,
    'log_stderror=yes',
  );
  const path = join(dir, 'kamailio.cfg');
  writeFileSync(path, text);
  return path;
}
