/**
 * The SIP domains `missive serve` would serve, as a maintenance command works them out from what it is
 * given: its own --domain options, else the configuration file's `domain` (with MISSIVE_DOMAIN over it),
 * else the default. `missive user add` warns when an account is outside them: such an account exists in the
 * store but can never register or log in until its domain is served (the first-hour trap of issue 15).
 */
import { loadSettings } from '../config/load-settings.js';
import { domainName } from '../config/setting-values.js';
import { UsageError } from './store-program.js';

export interface DomainFlags {
  readonly domain?: readonly string[] | undefined;
  readonly config?: string | undefined;
}

/** The served domains; a UsageError for a malformed --domain or a configuration file that does not load. */
export async function servedDomains(flags: DomainFlags): Promise<readonly string[]> {
  const given: string[] = [];
  for (const text of flags.domain ?? []) {
    const parsed = domainName.parse(text);
    if (!parsed.ok) throw new UsageError(`--domain ${text}: expected ${parsed.expected}`);
    given.push(parsed.value);
  }
  const loaded = await loadSettings({
    configFile: flags.config,
    commandLine: given.length > 0 ? { domain: given } : {},
    environment: process.env,
  });
  if (!loaded.ok) throw new UsageError(loaded.problems.join('; '));
  return loaded.value.values.domain;
}

/** The warning for an account of a domain that is not served, or undefined when it is served. */
export function unservedWarning(
  account: string,
  domain: string,
  served: readonly string[],
): string | undefined {
  if (served.includes(domain)) return undefined;
  return [
    `warning: ${domain} is not a domain missive serves (${served.join(', ')}):`,
    `  ${account} cannot register or log in until it is. Serve it with \`missive serve --domain ${domain}\``,
    '  (key domain in [General], or MISSIVE_DOMAIN); if it is served already, tell this command with',
    '  --domain or --config, as you start missive serve.',
  ].join('\n');
}
