/** `missive relay-check URI USER PASSWORD`: reserve a session at a relay and print its Use-Path. */
import { reserveSession } from '../msrp/client/auth-client.js';
import { parseMsrpUri } from '../msrp/uri.js';

export interface RelayCheckOptions {
  readonly insecure: boolean;
  readonly connect?: string | undefined;
  readonly timeout: number;
}

export async function runRelayCheck(
  uriText: string,
  user: string,
  password: string,
  options: RelayCheckOptions,
) {
  const relay = parseMsrpUri(uriText);
  if (relay === undefined) {
    process.stderr.write(`not an MSRP URI: ${uriText} (expected e.g. msrps://example.com:2855;tcp)\n`);
    process.exitCode = 2;
    return;
  }
  const connectTo = options.connect === undefined ? undefined : parseHostPort(options.connect);
  try {
    const result = await reserveSession({
      relay,
      ...(connectTo === undefined ? {} : { connectTo }),
      username: user,
      password,
      insecure: options.insecure,
      timeoutMs: options.timeout * 1000,
    });
    process.stdout.write(`AUTH succeeded\nUse-Path: ${result.usePath}\nExpires: ${result.expires ?? '-'}\n`);
  } catch (error) {
    process.stderr.write(`AUTH failed: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}

function parseHostPort(text: string): { host: string; port: number } {
  const colon = text.lastIndexOf(':');
  return { host: text.slice(0, colon), port: Number(text.slice(colon + 1)) };
}
