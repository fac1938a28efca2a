/**
 * The first-hour trap: a port already taken (another missive, another SIP server) or not allowed. Instead of a
 * stack trace, say which address and port, what listens there in missive, and which option, key and variable
 * move it.
 */
import {
  environmentVariable,
  iniKey,
  optionFlag,
  SERVE_SETTING_NAMES,
  type ServeSettings,
  specOf,
} from '../config/serve-settings.js';
import { portOrOff } from '../config/setting-values.js';

const REASONS: Readonly<Record<string, string>> = {
  EADDRINUSE: 'the port is already in use (another missive, or another server?)',
  EACCES: 'permission denied (a port below 1024 needs root or CAP_NET_BIND_SERVICE)',
  EADDRNOTAVAIL: 'the address is not one of this machine',
};

interface ListenError {
  readonly code: string;
  readonly port: number | undefined;
  readonly address: string | undefined;
}

/** The message for a listen failure anywhere in `error`'s cause chain; undefined for any other error. */
export function listenFailure(error: unknown, settings: ServeSettings): string | undefined {
  const failure = findListenError(error);
  if (failure === undefined) return undefined;
  const reason = REASONS[failure.code] ?? failure.code;
  const address = failure.address ?? settings.host;
  const authority = address.includes(':') ? `[${address}]` : address;
  const where = `${authority}:${failure.port === undefined ? '?' : String(failure.port)}`;
  if (failure.code === 'EADDRNOTAVAIL') {
    return `cannot listen on ${where}: ${reason}; choose the address with ${move('host')}`;
  }
  const owners = SERVE_SETTING_NAMES.filter(
    (name) => specOf(name).listens !== undefined && settings[name] === failure.port,
  );
  const lines = [`cannot listen on ${where}: ${reason}.`];
  for (const name of owners) {
    const off = specOf(name).kind === portOrOff ? ', or -1 to turn it off' : '';
    lines.push(`  It is ${specOf(name).listens ?? ''}: move it with ${move(name)}${off}.`);
  }
  lines.push(`  The ports of this start: ${portList(settings)}.`);
  return lines.join('\n');
}

function move(name: (typeof SERVE_SETTING_NAMES)[number]): string {
  const spec = specOf(name);
  return `${optionFlag(name)} (key ${iniKey(name)} in [${spec.section}], or ${environmentVariable(name)})`;
}

function portList(settings: ServeSettings): string {
  return SERVE_SETTING_NAMES.filter((name) => specOf(name).listens !== undefined)
    .map((name) => `${optionFlag(name)} ${JSON.stringify(settings[name])}`)
    .join(', ');
}

function findListenError(error: unknown): ListenError | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    const { code, port, address } = current as NodeJS.ErrnoException & { port?: unknown; address?: unknown };
    if (code !== undefined && code in REASONS) {
      return {
        code,
        port: typeof port === 'number' ? port : undefined,
        address: typeof address === 'string' ? address : undefined,
      };
    }
    current = current.cause;
  }
  return undefined;
}
