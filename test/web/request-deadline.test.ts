/**
 * The web server's request deadline (src/web/http-server.ts) on the manual clock: a request whose body is
 * not in by requestTimeoutMs gets 408 and its connection closes, as Node's own deadline did; a streamed
 * body (a file upload) has no such deadline, so that an upload may take as long as it needs.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { WebServer } from '../../src/web/http-server.js';
import { ManualClock } from '../support/manual-clock.js';
import { waitFor } from '../support/wait.js';

describe('web server request deadline', () => {
  const clock = new ManualClock(0);
  let server: WebServer;
  let port: number;
  const heads: string[] = [];

  before(async () => {
    server = new WebServer({
      fetch: async (request) => {
        heads.push(new URL(request.url).pathname);
        return new Response(await request.text());
      },
      upgrades: {},
      clock,
      limits: { requestTimeoutMs: 1000 },
      streamedBody: (request) => request.url?.startsWith('/upload') === true,
    });
    port = (await server.listen('127.0.0.1', 0)).port;
  });
  after(() => server.close());

  /** Sends a head announcing 10 bytes and 3 of them; the received text as it comes. */
  const partial = async (path: string): Promise<{ socket: Socket; received: () => string }> => {
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    let text = '';
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    socket.on('error', () => undefined);
    socket.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc`);
    await waitFor(() => heads.includes(path) || undefined, `the request to ${path}`);
    return { socket, received: () => text };
  };

  test('a body not in by the deadline gets 408 and a close; a streamed one is not cut', async () => {
    const slow = await partial('/slow');
    const upload = await partial('/upload');
    clock.advance(1000);
    await waitFor(() => slow.socket.destroyed || slow.socket.readableEnded || undefined, 'the close');
    assert.match(slow.received(), /^HTTP\/1\.1 408 Request Timeout/);
    assert.equal(upload.socket.destroyed, false);
    upload.socket.write('0123456');
    await waitFor(() => upload.received().includes('abc0123456') || undefined, 'the upload’s answer');
    assert.match(upload.received(), /^HTTP\/1\.1 200/);
    upload.socket.destroy();
  });
});
