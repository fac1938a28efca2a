/**
 * Corrupted requests on every transport the server listens on (UDP, TCP, TLS, WebSocket): each gets a well-formed
 * response or is dropped, nothing escapes as an exception (no request handler or routing failure is logged, the
 * process does not crash), some are still answered, and afterwards the server answers OPTIONS on every transport
 * over a fresh socket. Byte flips,
 * truncations, duplicated and dropped lines, huge values and bogus Content-Lengths, from a fixed seed
 * (MUTATION_SEED to reproduce another run).
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { pino } from 'pino';
import { WebSocket } from 'ws';
import type { TransportProtocol } from '../../src/sip/transport/types.js';
import { DOMAIN, type Fixture, startFixture } from './fixture.js';
import { waitFor } from '../support/wait.js';

const SEED = Number(process.env.MUTATION_SEED ?? 4711);
const PER_TRANSPORT = 120;

function seeds(port: number): string[] {
  const common = (method: string, uri: string, extra: string[] = [], body = ''): string =>
    [
      `${method} ${uri} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${String(port)};branch=z9hG4bK${method.toLowerCase()}1;rport`,
      'Max-Forwards: 70',
      `From: <sip:alice@${DOMAIN}>;tag=m1`,
      `To: <sip:bob@${DOMAIN}>`,
      `Call-ID: mutation-${method}@127.0.0.1`,
      `CSeq: 1 ${method}`,
      `Contact: <sip:alice@127.0.0.1:${String(port)}>`,
      ...extra,
      `Content-Length: ${String(Buffer.byteLength(body))}`,
      '',
      body,
    ].join('\r\n');
  return [
    common('REGISTER', `sip:${DOMAIN}`, ['Expires: 300']),
    common('MESSAGE', `sip:bob@${DOMAIN}`, ['Content-Type: text/plain'], 'hello'),
    common('INVITE', `sip:bob@${DOMAIN}`, ['Content-Type: application/sdp'], 'v=0\r\n'),
    common('OPTIONS', `sip:${DOMAIN}`),
    common('CANCEL', `sip:bob@${DOMAIN}`),
    common('BYE', `sip:bob@127.0.0.1;lr`, ['Route: <sip:127.0.0.1;lr>']),
  ];
}

type Mutation = (bytes: Buffer) => Buffer;

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })).map(
    ([p, byte]): Mutation =>
      (b) => {
        const copy = Buffer.from(b);
        copy[p % copy.length] = byte;
        return copy;
      },
  ),
  fc.nat().map(
    (p): Mutation =>
      (b) =>
        b.subarray(0, p % b.length),
  ),
  fc.nat().map(
    (p): Mutation =>
      (b) => {
        const lines = b.toString('latin1').split('\r\n');
        const i = p % lines.length;
        return Buffer.from([...lines.slice(0, i), lines[i] ?? '', ...lines.slice(i)].join('\r\n'), 'latin1');
      },
  ),
  fc.nat().map(
    (p): Mutation =>
      (b) => {
        const lines = b.toString('latin1').split('\r\n');
        lines.splice(p % lines.length, 1);
        return Buffer.from(lines.join('\r\n'), 'latin1');
      },
  ),
  fc.tuple(fc.nat(), fc.constantFrom('x'.repeat(70_000), '\0\0\0', '\xff\xfe', ';;;,,,<<>>', '\r\n\r\n')).map(
    ([p, junk]): Mutation =>
      (b) => {
        const at = p % b.length;
        return Buffer.concat([b.subarray(0, at), Buffer.from(junk, 'latin1'), b.subarray(at)]);
      },
  ),
  fc.constantFrom('-1', '99999999999', '7', 'abc').map(
    (value): Mutation =>
      (b) =>
        Buffer.from(
          b.toString('latin1').replace(/Content-Length: \d+/, `Content-Length: ${value}`),
          'latin1',
        ),
  ),
);

function mutatedMessages(port: number, count: number, seed: number): Buffer[] {
  const base = seeds(port).map((text) => Buffer.from(text, 'latin1'));
  return fc
    .sample(fc.tuple(fc.nat(), mutationArb), { numRuns: count, seed })
    .map(([which, mutate]) => mutate(base[which % base.length] ?? Buffer.alloc(0)));
}

/**
 * Every message the server sent back must be a response. Its head is checked by its status line only: an answer
 * to a corrupted request copies that request's Via, From, To, Call-ID and CSeq as they came (RFC 3261 §8.2.6.2), broken or not.
 */
function assertResponses(packets: readonly Buffer[]): void {
  for (const packet of packets) {
    const text = packet.toString('latin1');
    if (/^(\r\n)*$/.test(text)) continue;
    assert.match(text, /^SIP\/2\.0 [1-6]\d\d [^\r\n]*\r\n/, `not a response: ${text.slice(0, 80)}`);
  }
}

/** Splits what a stream carried into messages by Content-Length (the server's own output is well framed). */
function splitStream(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let rest = bytes;
  for (;;) {
    const end = rest.indexOf('\r\n\r\n');
    if (end === -1) return out;
    const length = Number(
      /content-length:\s*(\d+)/i.exec(rest.subarray(0, end).toString('latin1'))?.[1] ?? 0,
    );
    out.push(rest.subarray(0, end + 4 + length));
    rest = rest.subarray(end + 4 + length);
  }
}

function options(transport: TransportProtocol, callId: string): Buffer {
  return Buffer.from(
    [
      `OPTIONS sip:${DOMAIN} SIP/2.0`,
      `Via: SIP/2.0/${transport.toUpperCase()} 127.0.0.1:5060;branch=z9hG4bK${callId};rport`,
      'Max-Forwards: 70',
      `From: <sip:alice@${DOMAIN}>;tag=after`,
      `To: <sip:${DOMAIN}>`,
      `Call-ID: ${callId}`,
      'CSeq: 1 OPTIONS',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
    'latin1',
  );
}

/** The first status line received after sending `message` on a fresh socket of `transport`. */
function firstStatus(transport: TransportProtocol, port: number, message: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      finish();
      reject(new Error(`no answer over ${transport} within 3 s`));
    }, 3000);
    const onData = (data: Buffer): void => {
      finish();
      resolve(/^SIP\/2\.0 \d{3}/.exec(data.toString('latin1'))?.[0] ?? data.toString('latin1').slice(0, 40));
    };
    let finish = (): void => {
      clearTimeout(timer);
    };
    if (transport === 'udp') {
      const socket = createSocket('udp4');
      finish = () => {
        clearTimeout(timer);
        socket.close();
      };
      socket.on('message', onData);
      socket.send(message, port, '127.0.0.1');
    } else if (transport === 'ws') {
      const socket = new WebSocket(`ws://127.0.0.1:${String(port)}`, 'sip');
      finish = () => {
        clearTimeout(timer);
        socket.terminate();
      };
      socket.on('open', () => {
        socket.send(message);
      });
      socket.on('message', onData);
      socket.on('error', reject);
    } else {
      const socket =
        transport === 'tcp'
          ? connect(port, '127.0.0.1', () => socket.write(message))
          : tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false }, () => socket.write(message));
      finish = () => {
        clearTimeout(timer);
        socket.destroy();
      };
      socket.on('data', onData);
      socket.on('error', reject);
    }
  });
}

/**
 * Sends an OPTIONS after the corrupted input over the same socket and waits for its answer among `seen()`: the
 * server has read everything sent before it (one socket, in order), so the answers it was going to give are in.
 */
async function answeredAfter(
  transport: TransportProtocol,
  send: (bytes: Buffer) => void,
  seen: () => readonly Buffer[],
): Promise<void> {
  const callId = `last-${transport}-${String(SEED)}`;
  send(options(transport, callId));
  await waitFor(
    () => seen().some((bytes) => bytes.toString('latin1').includes(`\r\nCall-ID: ${callId}\r\n`)),
    `the answer to an OPTIONS sent after the corrupted input over ${transport}`,
    { timeoutMs: 10_000 },
  );
}

describe('server under corrupted input', () => {
  let fixture: Fixture;
  /** Error-level log lines: a request handler or the routing policy failed on some input. */
  const failures: string[] = [];
  before(async () => {
    const logger = pino(
      { level: 'error' },
      {
        write: (line: string) => {
          failures.push(line);
        },
      },
    );
    fixture = await startFixture({ logger });
  });
  after(async () => {
    await fixture.close();
  });

  let checks = 0;
  async function stillServes(): Promise<void> {
    assert.deepEqual(failures, [], 'no request made the server fail');
    for (const transport of ['udp', 'tcp', 'tls', 'ws'] as const) {
      const port = fixture.ports.get(transport) ?? 0;
      const status = await firstStatus(transport, port, options(transport, `after-${String(++checks)}`));
      assert.equal(status, 'SIP/2.0 200', `OPTIONS over ${transport} after the corrupted input`);
    }
  }

  test('UDP', async () => {
    const port = fixture.ports.get('udp') ?? 0;
    const socket = createSocket('udp4');
    const received: Buffer[] = [];
    socket.on('message', (packet) => received.push(packet));
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    for (const message of mutatedMessages(socket.address().port, PER_TRANSPORT, SEED)) {
      socket.send(message.subarray(0, 65_000), port, '127.0.0.1');
    }
    await answeredAfter(
      'udp',
      (bytes) => {
        socket.send(bytes, port, '127.0.0.1');
      },
      () => received,
    );
    socket.close();
    assert.ok(received.length > 0, 'some corrupted requests are still answerable');
    assertResponses(received);
    await stillServes();
  });

  for (const transport of ['tcp', 'tls'] as const) {
    test(transport.toUpperCase(), async () => {
      const port = fixture.ports.get(transport) ?? 0;
      // Each connection gets 600 ms from the moment its request is written: 120 TLS handshakes at once take
      // longer than that on a loaded machine. A connection that never opens gives up after 10 s.
      const open = (message: Buffer, onData: (chunk: Buffer) => void, onWritten: () => void): Socket => {
        const write = (): void => {
          socket.write(message);
          onWritten();
        };
        const socket =
          transport === 'tcp'
            ? connect(port, '127.0.0.1', write)
            : tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false }, write);
        socket.on('data', onData);
        return socket;
      };
      const outputs = await Promise.all(
        mutatedMessages(5060, PER_TRANSPORT, SEED + (transport === 'tcp' ? 1 : 3)).map(
          (message) =>
            new Promise<Buffer>((resolve) => {
              const chunks: Buffer[] = [];
              const done = (): void => {
                clearTimeout(cap);
                socket.destroy();
                resolve(Buffer.concat(chunks));
              };
              const cap = setTimeout(done, 10_000);
              const socket = open(
                message,
                (chunk) => chunks.push(chunk),
                () => setTimeout(done, 600),
              );
              socket.on('error', () => undefined);
            }),
        ),
      );
      const responses = outputs.flatMap(splitStream);
      assert.ok(responses.length > 0, 'some corrupted requests are still answerable');
      assertResponses(responses);
      await stillServes();
    });
  }

  test('WebSocket', async () => {
    const socket = new WebSocket(`ws://127.0.0.1:${String(fixture.ports.get('ws'))}`, 'sip');
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const frames: Buffer[] = [];
    socket.on('message', (data: Buffer) => frames.push(data));
    socket.on('error', () => undefined);
    for (const message of mutatedMessages(5060, PER_TRANSPORT, SEED + 2)) {
      if (message.length < 60_000) socket.send(message);
    }
    await answeredAfter(
      'ws',
      (bytes) => {
        socket.send(bytes);
      },
      () => frames,
    );
    socket.close();
    assert.ok(frames.length > 0, 'some corrupted requests are still answerable');
    assertResponses(frames);
    await stillServes();
  });
});
