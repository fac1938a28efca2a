/**
 * The sylk-pushserver gateway provider against a local HTTP server standing in for sylk-pushserver (the real
 * one is a separate Python service that cannot run here): the exact request SylkServer makes (sylk spec
 * §5.2: method, path, headers, every key of the JSON body with its type) and each answer case of sylk spec §5.3.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { PushDelivery } from '../../src/push/provider.js';
import { gatewayOutcome } from '../../src/push/sylk-pushserver/answer.js';
import { GatewayProvider } from '../../src/push/sylk-pushserver/gateway-provider.js';
import { systemClock } from '../../src/time/clock.js';
import { ManualClock } from '../support/manual-clock.js';
import { eventually } from '../support/wait.js';

interface Received {
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

const DELIVERY: PushDelivery = {
  target: {
    account: 'bob@example.com',
    appId: 'com.x',
    deviceId: 'd1',
    platform: 'ios',
    token: 'bg456',
    silent: true,
  },
  notification: {
    kind: 'message',
    callId: '0f0e0d0c-0b0a-4908-8706-050403020100',
    messageId: 'm2',
    from: 'alice@example.com',
    fromDisplayName: null,
    to: 'bob@example.com',
    badge: 1,
    contentType: 'text/plain',
    content: 'yo',
  },
};

describe('sylk-pushserver gateway provider (stand-in HTTP server)', () => {
  let server: Server;
  let url: string;
  const received: Received[] = [];
  let answer: (response: ServerResponse) => void = (response) => {
    response.writeHead(200, { 'Content-Type': 'application/json' });
    response.end('{"code": 200, "description": "OK", "data": {}}');
  };

  before(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({
          method: request.method,
          url: request.url,
          headers: request.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        answer(response);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/push`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  function provider(timeoutMs = 5_000): GatewayProvider {
    return new GatewayProvider({ url, timeoutMs, clock: systemClock });
  }

  it('POSTs exactly the sylk spec §5.2 request and a 200 is sent', async () => {
    received.length = 0;
    const outcome = await provider().send(DELIVERY);
    assert.deepEqual(outcome, { kind: 'sent' });
    assert.equal(received.length, 1);
    const [request] = received;
    assert.equal(request?.method, 'POST');
    assert.equal(request.url, '/push');
    assert.equal(request.headers['user-agent'], 'SylkServer');
    assert.equal(request.headers['content-type'], 'application/json');
    // Every key, with its type: silent the integer 0 (the device's flag is not used for messages), badge an
    // integer, from-display-name null.
    assert.deepEqual(JSON.parse(request.body), {
      platform: 'ios',
      'app-id': 'com.x',
      token: 'bg456',
      'device-id': 'd1',
      silent: 0,
      'call-id': '0f0e0d0c-0b0a-4908-8706-050403020100',
      event: 'message',
      from: 'alice@example.com',
      'from-display-name': null,
      'media-type': 'sms',
      to: 'bob@example.com',
      badge: 1,
      'content-type': 'text/plain',
      content: 'yo',
    });
  });

  it('410 with application/json and data.token: the token is gone', async () => {
    answer = (response) => {
      response.writeHead(410, { 'Content-Type': 'application/json' });
      response.end('{"code": 410, "description": "Unregistered", "data": {"token": "bg456"}}');
    };
    const outcome = await provider().send(DELIVERY);
    assert.equal(outcome.kind, 'token-gone');
  });

  it('410 that is not the gateway JSON: failed, the token stays', async () => {
    answer = (response) => {
      response.writeHead(410, { 'Content-Type': 'text/html' });
      response.end('<h1>Gone</h1>');
    };
    assert.equal((await provider().send(DELIVERY)).kind, 'failed');
  });

  it('429 with Retry-After: retry after that long', async () => {
    answer = (response) => {
      response.writeHead(429, { 'Retry-After': '7' });
      response.end();
    };
    assert.deepEqual(await provider().send(DELIVERY), { kind: 'retry', reason: 'HTTP 429', afterMs: 7_000 });
  });

  it('500: retry', async () => {
    answer = (response) => {
      response.writeHead(500);
      response.end('oops');
    };
    assert.deepEqual(await provider().send(DELIVERY), { kind: 'retry', reason: 'HTTP 500' });
  });

  it('another 4xx: failed, with data.reason and the provider error message in the reason', async () => {
    answer = (response) => {
      response.writeHead(400, { 'Content-Type': 'application/json' });
      response.end(
        JSON.stringify({
          code: 400,
          description: 'bad',
          data: { reason: 'Bad Request', body: { _content: { error: { message: 'invalid topic' } } } },
        }),
      );
    };
    assert.deepEqual(await provider().send(DELIVERY), {
      kind: 'failed',
      reason: 'HTTP 400: Bad Request: invalid topic',
    });
  });

  it('a gateway that does not answer: retry once the timeout passes (the manual clock)', async () => {
    const hung: ServerResponse[] = [];
    answer = (response) => hung.push(response);
    const clock = new ManualClock();
    const slow = new GatewayProvider({ url, timeoutMs: 10_000, clock });
    const outcome = slow.send(DELIVERY);
    await eventually(() => hung.length === 1, 'the request reached the stand-in');
    clock.advance(10_000);
    assert.deepEqual(await outcome, { kind: 'retry', reason: 'timeout' });
    for (const response of hung) response.destroy();
  });

  it('connection refused: retry', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const refused = new GatewayProvider({
      url: `http://127.0.0.1:${String(port)}/push`,
      timeoutMs: 5_000,
      clock: systemClock,
    });
    assert.deepEqual(await refused.send(DELIVERY), { kind: 'retry', reason: 'network: ECONNREFUSED' });
  });

  it('the answer reader never throws, whatever the status, headers and body', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 599 }),
        fc.option(fc.string()),
        fc.option(fc.string()),
        fc.oneof(fc.string(), fc.json()),
        (status, contentType, retryAfter, body) => {
          const outcome = gatewayOutcome({ status, contentType, retryAfter, body });
          assert.ok(['sent', 'token-gone', 'retry', 'failed'].includes(outcome.kind));
          if (outcome.kind !== 'sent') assert.ok(outcome.reason.length <= 300);
        },
      ),
    );
  });
});
