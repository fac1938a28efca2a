/**
 * Readiness probe for a SIP server: an OPTIONS over UDP or TCP, answered by any SIP response (a 200, or a
 * 404/405 from a server that routes OPTIONS elsewhere: either way it parses and answers SIP).
 */
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { LOOPBACK } from '../../support/ports.js';
import { waitFor } from '../../support/wait.js';

function options(transport: 'udp' | 'tcp', localPort: number, host: string, port: number): Buffer {
  const branch = `z9hG4bK${randomBytes(6).toString('hex')}`;
  const proto = transport.toUpperCase();
  const lines = [
    `OPTIONS sip:${host}:${port} SIP/2.0`,
    `Via: SIP/2.0/${proto} ${LOOPBACK}:${localPort};branch=${branch};rport`,
    'Max-Forwards: 70',
    `From: <sip:ping@${LOOPBACK}>;tag=${randomBytes(4).toString('hex')}`,
    `To: <sip:${host}:${port}>`,
    `Call-ID: ${randomBytes(8).toString('hex')}@${LOOPBACK}`,
    'CSeq: 1 OPTIONS',
    'Content-Length: 0',
    '',
    '',
  ];
  return Buffer.from(lines.join('\r\n'));
}

/** The status code of the first response, or undefined after `timeoutMs`. */
export function pingOnce(
  transport: 'udp' | 'tcp',
  port: number,
  timeoutMs: number,
): Promise<number | undefined> {
  return new Promise((resolve) => {
    let done = false;
    let cleanup = (): void => undefined;
    const finish = (status: number | undefined): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      cleanup();
      resolve(status);
    };
    const timer = setTimeout(() => {
      finish(undefined);
    }, timeoutMs);
    const statusOf = (data: Buffer): number | undefined => {
      const match = /^SIP\/2\.0 (\d{3}) /.exec(data.toString('latin1'));
      return match === null ? undefined : Number(match[1]);
    };
    if (transport === 'udp') {
      const socket = createSocket('udp4');
      cleanup = () => {
        socket.close();
      };
      socket.on('error', () => {
        finish(undefined);
      });
      socket.on('message', (data) => {
        const status = statusOf(data);
        if (status !== undefined) finish(status);
      });
      socket.bind(0, LOOPBACK, () => {
        socket.send(options('udp', socket.address().port, LOOPBACK, port), port, LOOPBACK);
      });
    } else {
      const socket = connect({ host: LOOPBACK, port });
      cleanup = () => {
        socket.destroy();
      };
      socket.on('error', () => {
        finish(undefined);
      });
      socket.on('connect', () => {
        socket.write(options('tcp', socket.localPort ?? 0, LOOPBACK, port));
      });
      socket.on('data', (data) => {
        const status = statusOf(data);
        if (status !== undefined) finish(status);
      });
    }
  });
}

/** Resolves when the server answers on every transport; rejects after `timeoutMs`. */
export async function waitForSip(
  port: number,
  transports: readonly ('udp' | 'tcp')[],
  timeoutMs: number,
  alive: () => boolean = () => true,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const transport of transports) {
    await waitFor(
      async () => {
        if ((await pingOnce(transport, port, 300)) !== undefined) return true;
        if (!alive()) throw new Error(`it exited before answering SIP on ${transport} ${port}`);
        return false;
      },
      `a SIP answer on ${transport} ${LOOPBACK}:${port}`,
      { timeoutMs: Math.max(0, deadline - Date.now()), intervalMs: 100 },
    );
  }
}
