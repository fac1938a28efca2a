// The store conformance suite on PostgreSQL (a fresh schema per test, dropped afterwards), and what only a
// server has: connection failures, which must be quick and must not leak the password.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { openStore, StoreError } from '../../src/store/index.js';
import { postgresBackend } from './backends.js';
import { runConformanceSuite } from './conformance.js';
import { freePort } from '../support/ports.js';

runConformanceSuite('PostgreSQL', postgresBackend);

describe('PostgreSQL store', () => {
  it('fails quickly when the server is unreachable, without showing the password', async () => {
    const port = await freePort();
    const started = Date.now();
    await assert.rejects(
      openStore(`postgresql://postgres:S3cret-pw@127.0.0.1:${port}/test`, { timeoutMs: 2000 }),
      (error: unknown) => {
        assert.ok(error instanceof StoreError);
        assert.ok(!error.message.includes('S3cret-pw'), error.message);
        return true;
      },
    );
    assert.ok(Date.now() - started < 5000);
  });

  it('fails within the timeout when the server accepts but never answers', async (t) => {
    const sockets = new Set<import('node:net').Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.after(() => {
      for (const socket of sockets) socket.destroy();
      server.close();
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    const started = Date.now();
    await assert.rejects(
      openStore(`postgresql://postgres@127.0.0.1:${address.port}/test`, { timeoutMs: 1000 }),
      StoreError,
    );
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 4000, `took ${elapsed} ms`);
  });
});
