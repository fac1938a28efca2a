// Sylk spec §9 test 54 and the intended DELETE of sylk spec §4.5, over real HTTP on the admin listener, SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openStore, type Store } from '../../src/store/index.js';
import { AdminService } from '../../src/web/admin-service.js';
import type { ConformanceBackend } from '../store/backends.js';
import { BOB } from '../store/journal-entries.js';
import { BACKENDS, request, T0 } from './harness.js';

const SECRET = 'admin secret 1';

for (const { name, make } of BACKENDS) {
  describe(`admin API (${name})`, () => {
    let backend: ConformanceBackend;
    let store: Store;
    let secured: AdminService;
    let securedBase: string;

    before(async () => {
      backend = await make();
      store = await openStore((await backend.fresh()).uri);
      await store.pushTokens.upsert({
        account: BOB,
        appId: 'com.x',
        deviceId: 'd1',
        token: 'voip123',
        backgroundToken: 'bg456',
        platform: 'ios',
        silent: true,
        userAgent: 'Sylk/1.0',
        updatedAt: T0,
      });
      await store.pushTokens.upsert({
        account: BOB,
        appId: 'com.x',
        deviceId: 'd2',
        token: 'fcm789',
        platform: 'android',
        silent: false,
        updatedAt: T0,
      });
      secured = new AdminService({ pushTokens: store.pushTokens, port: 0, secret: SECRET });
      securedBase = `http://127.0.0.1:${String((await secured.start()).port)}`;
    });
    after(async () => {
      await secured.stop();
      await store.close();
      await backend.close();
    });

    test('54: a wrong or missing Authorization is 403 Authentication error', async () => {
      for (const headers of [{}, { Authorization: 'wrong' }, { Authorization: `Apikey ${SECRET}` }]) {
        const reply = await request(`${securedBase}/tokens/${BOB}`, { headers });
        assert.deepEqual([reply.status, reply.body], [403, 'Authentication error']);
      }
      const deletion = await request(`${securedBase}/tokens/${BOB}/voip123`, { method: 'DELETE' });
      assert.equal(deletion.status, 403);
      assert.equal((await store.pushTokens.list(BOB)).length, 2);
    });

    test('54: with the secret, the tokens keyed app-device', async () => {
      const reply = await request(`${securedBase}/tokens/${BOB}`, { headers: { Authorization: SECRET } });
      assert.equal(reply.status, 200);
      assert.equal(reply.headers.get('content-type'), 'application/json');
      assert.deepEqual(JSON.parse(reply.body), {
        tokens: {
          'com.x-d1': {
            device_id: 'd1',
            token: 'voip123',
            platform: 'ios',
            silent: '1',
            app_id: 'com.x',
            background_token: 'bg456',
            user_agent: 'Sylk/1.0',
          },
          'com.x-d2': {
            device_id: 'd2',
            token: 'fcm789',
            platform: 'android',
            silent: '0',
            app_id: 'com.x',
            background_token: null,
          },
        },
      });
      const none = await request(`${securedBase}/tokens/nobody@example.com`, {
        headers: { Authorization: SECRET },
      });
      assert.deepEqual(JSON.parse(none.body), { tokens: {} });
    });

    test('there is no unauthenticated admin API (sylk spec §8.38): an empty secret is refused', () => {
      assert.throws(
        () => new AdminService({ pushTokens: store.pushTokens, port: 0, secret: '' }),
        RangeError,
      );
    });

    test('DELETE removes by token (sylk spec §8.28), 404 when none matches', async () => {
      const auth = { headers: { Authorization: SECRET } };
      const removed = await request(`${securedBase}/tokens/${BOB}/voip123`, { method: 'DELETE', ...auth });
      assert.deepEqual([removed.status, JSON.parse(removed.body)], [200, { success: true }]);
      assert.deepEqual(
        (await store.pushTokens.list(BOB)).map((t) => t.deviceId),
        ['d2'],
      );
      const again = await request(`${securedBase}/tokens/${BOB}/voip123`, { method: 'DELETE', ...auth });
      assert.equal(again.status, 404);
      const bad = await request(`${securedBase}/tokens/not%20an%20account`, auth);
      assert.equal(bad.status, 400);
    });
  });
}
