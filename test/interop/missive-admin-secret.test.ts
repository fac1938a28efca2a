/**
 * `missive serve --admin-port` without MISSIVE_ADMIN_SECRET no longer serves the admin API unauthenticated:
 * it makes a secret in `<data dir>/admin-secret` (mode 0600), says where it is (never what it is), and
 * keeps it across a restart. A request without it gets the spec's 403 `Authentication error` (sylk spec §4.5,
 * §9 case 54); the raw secret as the `Authorization` value works. MISSIVE_ADMIN_SECRET still overrides.
 */
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { MissiveProcess } from '../support/missive-process.js';
import { eventually } from '../support/wait.js';
import { Cleanup } from './harness/cleanup.js';
import { freePort, LOOPBACK } from '../support/ports.js';

const DOMAIN = 'example.test';
const ACCOUNT = `alice@${DOMAIN}`;

async function startWithAdmin(
  env: Record<string, string | undefined>,
  dataDir?: string,
): Promise<{ missive: MissiveProcess; base: string }> {
  const port = await freePort();
  const missive = await MissiveProcess.start({
    domain: DOMAIN,
    users: [['alice', 'secret']],
    args: ['--admin-port', String(port)],
    env,
    ...(dataDir === undefined ? {} : { dataDir }),
  });
  // The admin listener starts after the SIP ones that MissiveProcess waits for.
  await eventually(
    () => missive.output.includes('"msg":"admin API listening"'),
    () => `the admin API:\n${missive.output.slice(-2000)}`,
    { timeoutMs: 20_000 },
  );
  return { missive, base: `http://${LOOPBACK}:${String(port)}` };
}

async function tokens(base: string, authorization?: string): Promise<{ status: number; body: string }> {
  const headers: Record<string, string> = authorization === undefined ? {} : { Authorization: authorization };
  const response = await fetch(`${base}/tokens/${ACCOUNT}`, { headers });
  return { status: response.status, body: await response.text() };
}

describe('missive: the admin API secret', () => {
  const peers = new Cleanup();
  after(() => peers.run());

  test('without MISSIVE_ADMIN_SECRET: a generated secret in a 0600 file, required, kept across a restart', async () => {
    const { missive, base } = await startWithAdmin({ MISSIVE_ADMIN_SECRET: undefined });
    peers.add(missive);
    assert.deepEqual(await tokens(base), { status: 403, body: 'Authentication error' });
    assert.equal((await tokens(base, 'guess')).status, 403);

    const file = join(missive.dataDir, 'admin-secret');
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    const secret = (await readFile(file, 'utf8')).trim();
    assert.ok(secret.length >= 32, 'a long secret');
    assert.deepEqual(await tokens(base, secret), { status: 200, body: '{"tokens":{}}' });
    assert.ok(missive.output.includes(file), 'the banner and the log say where the secret is');
    assert.ok(!missive.output.includes(secret), 'and never what it is');

    // kill -9 keeps the data directory; the next start on it finds the same secret.
    await missive.kill();
    const restarted = await startWithAdmin({ MISSIVE_ADMIN_SECRET: undefined }, missive.dataDir);
    peers.add(restarted.missive);
    assert.equal((await readFile(file, 'utf8')).trim(), secret);
    assert.equal((await tokens(restarted.base)).status, 403);
    assert.equal((await tokens(restarted.base, secret)).status, 200);
  });

  test('MISSIVE_ADMIN_SECRET overrides: that secret works, nothing else does, no file is made', async () => {
    const { missive, base } = await startWithAdmin({ MISSIVE_ADMIN_SECRET: 'operator secret' });
    peers.add(missive);
    assert.equal((await tokens(base)).status, 403);
    assert.equal((await tokens(base, 'operator secret')).status, 200);
    await assert.rejects(stat(join(missive.dataDir, 'admin-secret')), { code: 'ENOENT' });
    assert.ok(
      missive.output.includes('$MISSIVE_ADMIN_SECRET'),
      'the banner says where the secret comes from',
    );
  });
});
