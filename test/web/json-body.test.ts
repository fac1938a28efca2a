// streamJson over real HTTP: the body is the head, the chunks joined by commas and the tail, with its exact
// Content-Length, also for a reader slower than the server (back-pressure); a client that goes away in the
// middle of a body costs the server nothing but that response.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Hono } from 'hono';
import { WebServer } from '../../src/web/http-server.js';
import { streamJson } from '../../src/web/json-body.js';

const CHUNKS = 24;
const CHUNK_BYTES = 512 * 1024;

function chunks(): Buffer[] {
  return Array.from({ length: CHUNKS }, (_, i) =>
    Buffer.from(JSON.stringify('abc'[i % 3]?.repeat(CHUNK_BYTES))),
  );
}

function expected(): string {
  return `{"items":[${chunks().map(String).join(',')}]}`;
}

describe('streamJson', () => {
  let server: WebServer;
  let base: string;
  let port: number;

  before(async () => {
    const app = new Hono();
    app.get('/big', (c) => streamJson(c, '{"items":[', chunks(), ']}'));
    app.get('/empty', (c) => streamJson(c, '{"items":[', [], ']}'));
    server = new WebServer({ fetch: (request) => app.fetch(request), upgrades: {} });
    port = (await server.listen('127.0.0.1', 0)).port;
    base = `http://127.0.0.1:${String(port)}`;
  });
  after(() => server.close());

  test('head, chunks joined by commas, tail; exact Content-Length; valid JSON', async () => {
    const response = await fetch(`${base}/big`);
    const body = await response.text();
    assert.equal(response.headers.get('content-type'), 'application/json');
    assert.equal(response.headers.get('content-length'), String(Buffer.byteLength(body)));
    assert.equal(body, expected());
    assert.equal((JSON.parse(body) as { items: string[] }).items.length, CHUNKS);
    const empty = await fetch(`${base}/empty`);
    assert.deepEqual([empty.headers.get('content-length'), await empty.text()], ['12', '{"items":[]}']);
  });

  test('a reader that pauses between reads gets the same body', async () => {
    const response = await fetch(`${base}/big`);
    assert.ok(response.body !== null);
    const parts: Buffer[] = [];
    for await (const value of response.body as AsyncIterable<Uint8Array>) {
      parts.push(Buffer.from(value));
      if (parts.length % 8 === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(Buffer.concat(parts).toString('utf8'), expected());
  });

  test('a client that disconnects in the middle of a body: the server serves the next request', async () => {
    await new Promise<void>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write('GET /big HTTP/1.1\r\nHost: x\r\n\r\n');
      });
      let received = 0;
      socket.on('data', (data: Buffer) => {
        received += data.length;
        if (received > CHUNK_BYTES) {
          socket.destroy();
          resolve();
        }
      });
      socket.on('error', reject);
    });
    const response = await fetch(`${base}/big`);
    assert.equal(await response.text(), expected());
  });
});
