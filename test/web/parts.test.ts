// The pure parts of the web port: the Apikey header, account paths, timestamps as clients see them, the
// journal API's query parameters; and the server's limits and a fetch handler that fails, over real HTTP.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { describe, test } from 'node:test';
import { accountOfPath } from '../../src/web/account.js';
import { apiKeyOf } from '../../src/web/api-key.js';
import { WebServer } from '../../src/web/http-server.js';
import { parsePageRequest } from '../../src/web/journal-routes.js';
import { renderTimestamp } from '../../src/messaging/sync-page.js';
import { WebSocketClient } from '../support/websocket-client.js';
import { request } from './harness.js';
import { eventually } from '../support/wait.js';

describe('Apikey header', () => {
  test('exactly two whitespace-separated parts, the scheme exactly Apikey', () => {
    assert.equal(apiKeyOf('Apikey abc'), 'abc');
    assert.equal(apiKeyOf('  Apikey\t\tabc \n'), 'abc');
    for (const value of [undefined, '', 'Apikey', 'apikey abc', 'Bearer abc', 'Apikey a b', 'Apikeyabc']) {
      assert.equal(apiKeyOf(value), undefined, String(value));
    }
  });
});

describe('account in a path', () => {
  test('scheme dropped, domain lower-cased, user case kept; non-AORs refused', () => {
    assert.equal(accountOfPath('alice@Example.COM'), 'alice@example.com');
    assert.equal(accountOfPath('sips:Alice@example.com'), 'Alice@example.com');
    for (const value of [
      '',
      'alice',
      'alice@',
      '@example.com',
      'a b@example.com',
      `${'a'.repeat(300)}@x.org`,
    ]) {
      assert.equal(accountOfPath(value), undefined, value);
    }
  });
});

describe('timestamps as clients see them (sylk spec §3.2)', () => {
  test("Python's isoformat: microseconds only when non-zero, offsets kept, naive stays naive", () => {
    const cases: [string, string][] = [
      ['2024-05-01T10:00:00Z', '2024-05-01T10:00:00+00:00'],
      ['2024-05-01T10:00:00.000Z', '2024-05-01T10:00:00+00:00'],
      ['2024-05-01T10:00:00.5+02:00', '2024-05-01T10:00:00.500000+02:00'],
      ['2024-05-01T10:00:00.1234567-05:30', '2024-05-01T10:00:00.123456-05:30'],
      ['2024-05-01T10:00:00', '2024-05-01T10:00:00'],
      ['not a time', 'not a time'],
    ];
    for (const [stored, shown] of cases) assert.equal(renderTimestamp(stored), shown, stored);
  });
});

function assertProblem(query: Record<string, string[]>, pattern: RegExp): void {
  const problem = parsePageRequest(query);
  assert.equal(typeof problem, 'string', JSON.stringify(query));
  assert.match(problem as string, pattern);
}

describe('journal API parameters', () => {
  test('defaults, bounds and conflicts', () => {
    assert.deepEqual(parsePageRequest({}), { kind: 'latest', limit: 100 });
    assert.deepEqual(parsePageRequest({ after: ['j0'], limit: ['5000'] }), {
      kind: 'after',
      cursor: 'j0',
      limit: 5000,
    });
    assert.deepEqual(parsePageRequest({ before: ['jz'] }), { kind: 'before', cursor: 'jz', limit: 100 });
    assertProblem({ after: ['j00'] }, /not a journal cursor/);
    assertProblem({ limit: ['1e3'] }, /limit must be/);
    assertProblem({ limit: ['100000'] }, /limit must be/);
  });
});

describe('web server limits', () => {
  test('a head larger than the limit is 431; a failing handler is 500, the server keeps serving', async () => {
    let fail = true;
    const server = new WebServer({
      fetch: () => {
        if (fail) return Promise.reject(new Error('boom'));
        return new Response('fine');
      },
      upgrades: {},
      limits: { maxHeaderBytes: 1024 },
    });
    const { port } = await server.listen('127.0.0.1', 0);
    try {
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => {
          socket.write(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(4096)}\r\n\r\n`);
        });
        let data = '';
        socket.setEncoding('utf8').on('data', (chunk: string) => (data += chunk));
        socket.on('close', () => {
          resolve(data);
        });
        socket.on('error', reject);
      });
      assert.match(answer, /^HTTP\/1\.1 431 /);
      const failed = await request(`http://127.0.0.1:${String(port)}/`);
      assert.equal(failed.status, 500);
      fail = false;
      const served = await request(`http://127.0.0.1:${String(port)}/`);
      assert.deepEqual([served.status, served.body], [200, 'fine']);
    } finally {
      await server.close();
    }
  });
});

describe('upgrade routing', () => {
  test('sylkRTC-2 on /webrtcgateway/ws goes to the WebSocket API once there is one', async () => {
    const { WebSocketServer } = await import('ws');
    const api = new WebSocketServer({
      noServer: true,
      handleProtocols: (protocols) => (protocols.has('sylkRTC-2') ? 'sylkRTC-2' : false),
    });
    const server = new WebServer({
      fetch: () => new Response('unused'),
      upgrades: {
        api: {
          handleUpgrade(request, socket, head) {
            api.handleUpgrade(request, socket, head, (webSocket) => {
              webSocket.send('{"sylkrtc": "ready-event"}');
            });
            return true;
          },
        },
      },
    });
    const { port } = await server.listen('127.0.0.1', 0);
    try {
      const peer = await WebSocketClient.sip(`ws://127.0.0.1:${String(port)}/webrtcgateway/ws`, {}, [
        'sylkRTC-2',
      ]);
      assert.equal(peer.protocol, 'sylkRTC-2');
      await eventually(() => peer.rawFrames.length > 0, 'the ready event');
      assert.equal(peer.rawFrames[0]?.data.toString(), '{"sylkrtc": "ready-event"}');
      peer.terminate();
      // Without a SIP transport, a sip upgrade elsewhere is refused.
      assert.equal(await WebSocketClient.refusal(`ws://127.0.0.1:${String(port)}/`, ['sip']), 400);
    } finally {
      await server.close();
      api.close();
    }
  });
});
