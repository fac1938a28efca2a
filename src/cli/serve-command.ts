/**
 * `missive serve`: everything on one machine with embedded defaults. Until the messaging server exists
 * this runs the MSRP relay on loopback with a self-signed certificate and a generated test account.
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { MemoryCredentialStore } from '../credentials/memory.js';
import { createLogger } from '../log/logger.js';
import { MsrpRelay } from '../msrp/relay/relay.js';
import { DEFAULT_RELAY_SETTINGS } from '../msrp/relay/settings.js';
import { ensureSelfSignedCertificate } from '../tls/self-signed.js';

export interface ServeOptions {
  readonly dataDir: string;
  readonly msrpPort: number;
  readonly debug: boolean;
}

const HOSTNAME = 'localhost';
const TEST_USER = 'test';

export async function runServeCommand(options: ServeOptions): Promise<void> {
  const logger = createLogger(options.debug ? 'debug' : 'info');
  const certificate = await ensureSelfSignedCertificate(resolve(options.dataDir), HOSTNAME);
  const password = randomBytes(9).toString('base64url');
  const relay = new MsrpRelay({
    settings: {
      ...DEFAULT_RELAY_SETTINGS,
      address: { host: '127.0.0.1', port: options.msrpPort },
      hostname: HOSTNAME,
      certificate: certificate.certificate,
      key: certificate.key,
      backend: 'memory',
      logLevel: 'info',
    },
    credentials: new MemoryCredentialStore([[`${TEST_USER}@${HOSTNAME}`, password]]),
    logger,
  });
  const address = await relay.start();
  logger.info(
    { host: address.host, port: address.port, tls: true, hostname: HOSTNAME },
    'MSRP relay listening',
  );
  process.stdout.write(
    [
      '',
      `MSRP relay ready on msrps://${HOSTNAME}:${address.port};tcp (self-signed certificate in ${certificate.certificate})`,
      `Test account: ${TEST_USER}@${HOSTNAME}  password: ${password}`,
      'Try it from another terminal:',
      `  npx tsx src/cli/main.ts relay-check 'msrps://${HOSTNAME}:${address.port};tcp' ${TEST_USER} ${password} --insecure`,
      '',
    ].join('\n'),
  );
  const stop = (): void => {
    relay.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
