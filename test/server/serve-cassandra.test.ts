/**
 * `missive serve --store cassandra://…` on a fresh keyspace of the real node (scripts/cassandra/node.sh), with
 * nothing else behind it: subscribers, registrations, the journal and the tokens all live in the keyspace.
 * SIP agents register (digest against the keyspace's subscribers), a MESSAGE is forked to the recipient's
 * device and stored, and the history API serves it; after a restart the message is still there and the
 * recipient's binding still routes a MESSAGE without a new REGISTER; the admin API lists and removes a push
 * token in the keyspace. `missive user` manages the same
 * subscribers. And when the node stops answering, the server answers SIP with an error and stays up.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateApiToken, openStore } from '../../src/store/index.js';
import type { ConformanceBackend, StoreTarget } from '../store/backends.js';
import { cassandraBackend } from '../store/cassandra-backend.js';
import { runTypeScript } from '../store/processes.js';
import { startSilentRelay } from '../store/silent-relay.js';
import { MissiveProcess } from '../support/missive-process.js';
import { freePorts } from '../support/ports.js';
import { Agent } from '../support/sip-agent.js';
import { eventually } from '../support/wait.js';

const DOMAIN = 'cassandra.test';
const ADMIN_SECRET = 'admin-secret-of-the-cassandra-test';
/** A keyspace's first tables take seconds to create on a loaded node. */
const START_TIMEOUT_MS = 180_000;
/** A REGISTER or MESSAGE is a few lightweight transactions on the node. */
const SIP_WAIT_MS = 30_000;

interface History {
  readonly account: string;
  readonly messages: readonly { contact: string; direction: string; content: string; message_id: string }[];
}

async function history(missive: MissiveProcess, account: string, token: string): Promise<History> {
  const response = await fetch(
    `http://127.0.0.1:${String(missive.ports.ws)}/webrtcgateway/messages/history/${account}`,
    { headers: { Authorization: `Apikey ${token}` } },
  );
  assert.equal(response.status, 200, await response.clone().text());
  return (await response.json()) as History;
}

function agent(name: string, password: string, missive: MissiveProcess): Promise<Agent> {
  const server = { transport: 'udp', host: '127.0.0.1', port: missive.ports.sip } as const;
  const created = new Agent(name, DOMAIN, password, server);
  created.waitMs = SIP_WAIT_MS;
  return created.start();
}

/** alice sends bob a MESSAGE; bob's device answers 200; the status alice got. */
async function deliver(alice: Agent, bob: Agent, body: string): Promise<number> {
  const sent = alice.authenticated({ method: 'MESSAGE', uri: `sip:bob@${DOMAIN}`, body });
  const arrived = await bob.incoming('MESSAGE', SIP_WAIT_MS);
  assert.equal(arrived.message.body.toString('utf8'), body);
  await bob.answer(arrived, 200);
  return (await sent).status;
}

describe('missive serve on a Cassandra keyspace alone', { timeout: 900_000 }, () => {
  let backend: ConformanceBackend;
  before(async () => {
    backend = await cassandraBackend();
  });
  after(async () => {
    await backend.close();
  });

  it('registers, stores a MESSAGE, serves it over the history API, and keeps both across a restart', async (t) => {
    const target = await backend.fresh();
    let missive = await MissiveProcess.start({
      domain: DOMAIN,
      users: [
        ['alice', 'alice-pw'],
        ['bob', 'bob-pw'],
      ],
      store: target.uri,
      startTimeoutMs: START_TIMEOUT_MS,
    });
    t.after(() => missive.stop());
    const alice = await agent('alice', 'alice-pw', missive);
    const bob = await agent('bob', 'bob-pw', missive);
    t.after(() => Promise.all([alice.stop(), bob.stop()]));

    assert.equal((await alice.register()).status, 200);
    assert.equal((await bob.register()).status, 200);
    assert.equal(await deliver(alice, bob, 'stored in Cassandra'), 200);

    // The binding is a row of the keyspace's own location table, which another process reads.
    const store = await openStore(target.uri);
    t.after(() => store.close());
    const bindings = await store.locations.lookup(`bob@${DOMAIN}`, Date.now());
    assert.deepEqual(
      bindings.map((binding) => binding.source.port),
      [bob.port],
    );
    const token = generateApiToken();
    await store.storageAccounts.setToken(`bob@${DOMAIN}`, token, Date.now());
    const before = await history(missive, `bob@${DOMAIN}`, token);
    const stored = before.messages.filter((m) => m.contact === `alice@${DOMAIN}`);
    assert.deepEqual(
      stored.map((m) => [m.direction, m.content]),
      [['incoming', 'stored in Cassandra']],
    );

    await store.pushTokens.upsert({
      account: `bob@${DOMAIN}`,
      appId: 'com.agprojects.sylk',
      deviceId: 'phone',
      token: 'fcm-token-1',
      platform: 'android',
      silent: false,
      updatedAt: Date.now(),
    });

    // A clean restart on the same keyspace (with the admin API this time): the message and bob's
    // registration are still there.
    await missive.shutdown();
    const [adminPort] = (await freePorts(1)) as [number];
    missive = await MissiveProcess.start({
      domain: DOMAIN,
      users: [],
      dataDir: missive.dataDir,
      store: target.uri,
      startTimeoutMs: START_TIMEOUT_MS,
      args: ['--admin-port', String(adminPort)],
      env: { MISSIVE_ADMIN_SECRET: ADMIN_SECRET },
    });
    const afterRestart = await history(missive, `bob@${DOMAIN}`, token);
    assert.deepEqual(
      afterRestart.messages.filter((m) => m.contact === `alice@${DOMAIN}`).map((m) => m.message_id),
      stored.map((m) => m.message_id),
    );
    const restarted = await agent('alice', 'alice-pw', missive);
    t.after(() => restarted.stop());
    assert.equal(await deliver(restarted, bob, 'after the restart'), 200);

    // The admin API lists and removes bob's push token in the keyspace.
    await eventually(
      () => missive.output.includes('"msg":"admin API listening"'),
      () => `the admin API:\n${missive.output.slice(-2000)}`,
      { timeoutMs: 60_000 },
    );
    const admin = `http://127.0.0.1:${String(adminPort)}/tokens/bob@${DOMAIN}`;
    const headers = { Authorization: ADMIN_SECRET };
    const listed = (await (await fetch(admin, { headers })).json()) as {
      tokens: Record<string, { token: string }>;
    };
    assert.deepEqual(Object.keys(listed.tokens), ['com.agprojects.sylk-phone']);
    const removed = await fetch(`${admin}/fcm-token-1`, { method: 'DELETE', headers });
    assert.deepEqual(await removed.json(), { success: true });
    assert.deepEqual(await store.pushTokens.list(`bob@${DOMAIN}`), []);
  });

  it('missive user add, list and remove work on the keyspace', async () => {
    const target = await backend.fresh();
    const user = (args: readonly string[]) =>
      runTypeScript('src/cli/main.ts', ['user', ...args, '--store', target.uri], { timeoutMs: 180_000 });
    const added = await user(['add', 'carol@Cassandra.test', '--password', 'carol-pw']);
    assert.equal(added.code, 0, added.stderr);
    assert.equal(added.stdout, `added carol@${DOMAIN}\n`);
    const listed = await user(['list']);
    assert.deepEqual([listed.code, listed.stdout], [0, `carol@${DOMAIN}\n`]);
    const again = await user(['add', `carol@${DOMAIN}`, '--password', 'other']);
    assert.notEqual(again.code, 0);
    const removed = await user(['remove', `carol@${DOMAIN}`]);
    assert.equal(removed.code, 0, removed.stderr);
    const store = await openStore(target.uri);
    try {
      assert.deepEqual(await store.subscribers.list(), []);
    } finally {
      await store.close();
    }
  });

  it('when the node stops answering, SIP requests get an error response and the server stays up', async (t) => {
    const target: StoreTarget = await backend.fresh();
    // The keyspace made directly; the server reaches the node through a relay that then goes silent.
    const direct = await openStore(target.uri);
    await direct.subscribers.add('alice', DOMAIN, 'alice-pw');
    await direct.subscribers.add('bob', DOMAIN, 'bob-pw');
    await direct.close();
    const relay = await startSilentRelay();
    t.after(() => relay.stop());
    const keyspace = target.table('x').split('.')[0] ?? '';
    const missive = await MissiveProcess.start({
      domain: DOMAIN,
      users: [],
      store: `cassandra://127.0.0.1:${String(relay.port)}/${keyspace}`,
      startTimeoutMs: START_TIMEOUT_MS,
    });
    t.after(() => missive.stop());
    let exited = false;
    void missive.exited().then(() => {
      exited = true;
    });
    const alice = await agent('alice', 'alice-pw', missive);
    const bob = await agent('bob', 'bob-pw', missive);
    t.after(() => Promise.all([alice.stop(), bob.stop()]));
    assert.equal((await bob.register()).status, 200);

    relay.silence();
    const register = await alice.register();
    assert.ok(register.status >= 500, `REGISTER: ${String(register.status)} ${register.reason}`);
    const message = await alice.authenticated({ method: 'MESSAGE', uri: `sip:bob@${DOMAIN}`, body: 'x' });
    assert.ok(message.status >= 500, `MESSAGE: ${String(message.status)} ${message.reason}`);
    // Still running, still answering what needs no store: the answer comes after both failures.
    await alice.roundTrip();
    assert.equal(exited, false, missive.output.slice(-4000));
  });
});
