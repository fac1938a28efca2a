/**
 * The sample configuration file (deploy/missive.ini.sample, `missive config sample`), written from the settings
 * table so that it names every key, with its default, its option and its variable.
 */
import {
  environmentVariable,
  iniKey,
  optionFlag,
  SECTIONS,
  SERVE_SETTING_NAMES,
  specOf,
} from './serve-settings.js';

const HEADER = `# missive serve's configuration: \`missive serve --config /etc/missive/missive.ini\`.
#
# Every key is also a command-line option of \`missive serve\` and an environment variable (named on each
# key below); the command line wins over the environment, the environment over this file, this file over
# SylkServer's files (--sylkserver-config DIR reads DIR/config.ini and DIR/webrtcgateway.ini), and those
# over the defaults. \`missive config check --config FILE\` prints what a start would use, and where each
# value came from. An unknown key or a bad value stops the start, naming the file and the line.
#
# The format is Python's configparser's, as SylkServer's and msrprelay's files: \`key = value\`, comment lines
# start with # or ;, lists are comma-separated, on/off keys take yes/no, true/false, on/off or 1/0, and an
# empty value leaves a key unset. A relative path is relative to this file. Each key below is commented
# out with its default. SIGHUP (\`systemctl reload missive\`) reads this file again and applies the keys marked
# so; a change to any other one waits for a restart, and the log names it.
`;

export function sampleConfiguration(): string {
  const lines = [HEADER];
  for (const section of SECTIONS) {
    lines.push(`[${section}]`, '');
    for (const name of SERVE_SETTING_NAMES) {
      const spec = specOf(name);
      if (spec.section !== section) continue;
      const how =
        spec.secret === true
          ? `Variable ${environmentVariable(name)}; never an option. Keep this file readable by missive only.`
          : `Option ${optionFlag(name)}, variable ${environmentVariable(name)}.`;
      const notYet = spec.notUsedYet === true ? 'Not used yet: ' : '';
      const derived = spec.defaultText === undefined ? '' : ` Default: ${spec.defaultText}.`;
      const reloads = spec.reloads === true ? ' SIGHUP applies a change.' : '';
      lines.push(`# ${notYet}${capitalised(spec.help)}.${derived}`, `# ${how}${reloads}`);
      lines.push(`# ${iniKey(name)} = ${spec.kind.show(spec.default)}`.trimEnd(), '');
    }
  }
  return lines.join('\n');
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
