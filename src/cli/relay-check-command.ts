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
    if (!options.insecure && certificateNotVerified(error))
      process.stderr.write(
        "The relay's certificate did not verify. A self-signed one (missive's default) is expected to fail:\n" +
          'to check the relay anyway, add --insecure (the password is then sent to whoever answers).\n',
      );
    process.exitCode = 1;
  }
}

/** Node's codes for a TLS peer certificate that did not verify (self-signed, unknown CA, wrong name, expired). */
const CERTIFICATE_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Whether `error`, or an error in its cause chain, is a certificate that did not verify. */
function certificateNotVerified(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 8; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && CERTIFICATE_CODES.has(code)) return true;
    if (/self[- ]signed certificate/i.test(current.message)) return true;
    current = current.cause;
  }
  return false;
}

function parseHostPort(text: string): { host: string; port: number } {
  const colon = text.lastIndexOf(':');
  return { host: text.slice(0, colon), port: Number(text.slice(colon + 1)) };
}
