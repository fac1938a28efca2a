/** `missive serve`'s (and `missive config check`'s) command-line options, derived from the settings table. */
import { type Command, Option } from 'commander';
import {
  environmentVariable,
  iniKey,
  optionFlag,
  SERVE_SETTING_NAMES,
  type ServeSettingName,
  specOf,
} from '../config/serve-settings.js';
import { commanderParser } from './option-values.js';

/** The options that name the files settings are read from. */
export interface FileOptions {
  readonly config?: string;
  readonly sylkserverConfig?: string;
}

/** Adds one option per setting (a secret has none: `ps` would show it); none has a default here, so what
 * commander returns is exactly what the command line gave (resolve-settings.ts adds the rest). */
export function addSettingOptions(command: Command): Command {
  for (const name of SERVE_SETTING_NAMES) {
    const spec = specOf(name);
    if (spec.secret === true) continue;
    const flag = optionFlag(name);
    const notYet = spec.notUsedYet === true ? 'not used yet: ' : '';
    const shown = spec.defaultText ?? spec.kind.show(spec.default);
    const description = `${notYet}${spec.help} (default: ${shown === '' ? 'none' : shown})`;
    if (spec.kind.argument === undefined) {
      command.addOption(new Option(flag, description));
      command.addOption(new Option(`--no-${flag.slice(2)}`, `turn ${flag} off`).hideHelp());
      continue;
    }
    const argument = `${flag} <${spec.kind.argument}>`;
    const parse = commanderParser(spec.kind);
    const list = spec.kind.list ? ' (repeatable)' : '';
    command.addOption(
      new Option(argument, `${description}${list}`).argParser((value: string, previous: unknown) => {
        const parsed = parse(value);
        // A repeated list option adds to the values before it (--domain a --domain b).
        return spec.kind.list && Array.isArray(previous) && Array.isArray(parsed)
          ? [...(previous as unknown[]), ...(parsed as unknown[])]
          : parsed;
      }),
    );
  }
  command.option(
    '--config <file>',
    'read settings from this INI file (deploy/missive.ini.sample shows every key)',
  );
  command.option(
    '--sylkserver-config <dir>',
    "read SylkServer's config.ini and webrtcgateway.ini from this directory (under --config)",
  );
  command.addHelpText(
    'after',
    [
      '',
      `Each option is also a key of the --config file (--sip-port: [SIP] ${iniKey('sipPort')}) and an`,
      `environment variable (${environmentVariable('sipPort')}); the command line wins over the environment,`,
      'the environment over the files. --no-NAME turns an on/off option off. The admin secret is',
      `${environmentVariable('adminSecret')} or [Web] ${iniKey('adminSecret')}, never an option.`,
      '`missive config check` prints the effective settings and where each came from.',
    ].join('\n'),
  );
  return command;
}

/** The settings the command line gave, by name. */
export function commandLineSettings(
  options: Readonly<Record<string, unknown>>,
): Partial<Record<ServeSettingName, unknown>> {
  const given: Partial<Record<ServeSettingName, unknown>> = {};
  for (const name of SERVE_SETTING_NAMES) if (options[name] !== undefined) given[name] = options[name];
  return given;
}
