/**
 * Kamailio's dispatcher (deploy/kamailio/dispatcher.cfg) in front of two `missive serve` instances on one
 * PostgreSQL database (issue 16, docs/scaling.md). The devices (UDP agents on 127.0.0.1) know Kamailio only;
 * instance A is on 127.0.0.2, B on 127.0.0.3. A device registered through one instance and a device
 * registered through the other exchange messages; then A is killed (-9): Kamailio sends the devices'
 * requests to B, their registrations (through Kamailio's Path) still reach them, they register again on B,
 * and no message is lost: each sent is received and stored.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { SipRequest } from '../../src/sip/message/message.js';
import { openStore, type Store } from '../../src/store/index.js';
import { type FreshDatabase, freshDatabase, instanceOptions } from '../support/cluster-instances.js';
import { MissiveProcess } from '../support/missive-process.js';
import { freePorts, LOOPBACK } from '../support/ports.js';
import { Agent } from '../support/sip-agent.js';
import { eventually, waitFor } from '../support/wait.js';
import { Cleanup } from './harness/cleanup.js';
import { writeDeployConfig } from './harness/deploy-config.js';
import { type KamailioProcess, startKamailio } from './harness/kamailio.js';
import { makeWorkDir, REPO_ROOT, removeWorkDir } from './harness/paths.js';
import { missingPeers } from './harness/tools.js';

const DOMAIN = 'example.test';
const PASSWORD = 'secret';
const HOST_A = '127.0.0.2';
const HOST_B = '127.0.0.3';
/** Registrations tried per user to get one on each instance (the hash of a fresh Call-ID picks it). */
const PLACEMENT_TRIES = 16;

const bodyOf = (request: SipRequest): string => request.body.toString('utf8');

function cpim(from: string, to: string, messageId: string, content: string): string {
  return [
    `From: <sip:${from}@${DOMAIN}>`,
    `To: <sip:${to}@${DOMAIN}>`,
    'DateTime: 2026-12-07T10:00:00.000Z',
    'NS: imdn <urn:ietf:params:imdn>',
    `imdn.Message-ID: ${messageId}`,
    '',
    'Content-Type: text/plain',
    '',
    content,
  ].join('\r\n');
}

describe('Kamailio’s dispatcher in front of two instances (deploy/kamailio/dispatcher.cfg)', {
  skip: missingPeers(['kamailio']) ?? false,
  timeout: 240_000,
}, () => {
  const peers = new Cleanup();
  const workDir = makeWorkDir('cluster-dispatcher');
  let database: FreshDatabase;
  let store: Store;
  let a: MissiveProcess;
  let kamailio: KamailioProcess;
  let alice: Agent;
  let bob: Agent;

  const holderOf = async (user: string, device: Agent): Promise<string | undefined> => {
    const bindings = await store.locations.lookup(`${user}@${DOMAIN}`, Date.now());
    const port = `:${String(device.port)}`;
    return bindings.find((binding) => binding.contact.endsWith(port) || binding.contact.includes(`${port};`))
      ?.holder;
  };

  /** A device of `user` registered through Kamailio on instance `id`. */
  const deviceOn = async (user: string, id: string): Promise<Agent> => {
    for (let i = 0; i < PLACEMENT_TRIES; i++) {
      const device = peers.add(
        await Agent.device(user, PASSWORD, { host: LOOPBACK, port: kamailio.port }, DOMAIN),
      );
      const answer = await device.register();
      assert.equal(answer.status, 200, `REGISTER through Kamailio: ${String(answer.status)}`);
      if ((await holderOf(user, device)) === id) return device;
    }
    throw new Error(
      `no registration of ${user} landed on instance ${id} in ${String(PLACEMENT_TRIES)} tries`,
    );
  };

  const received = (device: Agent, text: string, what: string): Promise<SipRequest> =>
    waitFor(() => device.received.find((r) => bodyOf(r).includes(text)), what, { timeoutMs: 30_000 });

  before(async () => {
    database = await freshDatabase();
    store = await openStore(database.uri);
    for (const user of ['alice', 'bob']) await store.subscribers.add(user, DOMAIN, PASSWORD);
    const instance = (id: string, host: string) =>
      instanceOptions({
        id,
        host,
        storeUri: database.uri,
        domain: DOMAIN,
        // Each other, not Kamailio: the instances authenticate the devices themselves.
        trustedPeers: [`${HOST_A}/32`, `${HOST_B}/32`],
        heartbeat: 1,
        deadAfter: 15,
      });
    a = await MissiveProcess.start(instance('a', HOST_A));
    const b = peers.add(await MissiveProcess.start(instance('b', HOST_B)));
    const [kamailioPort = 0] = await freePorts(1);
    const list = join(workDir, 'dispatcher.list');
    writeFileSync(list, `1 sip:${HOST_A}:${String(a.ports.sip)}\n1 sip:${HOST_B}:${String(b.ports.sip)}\n`);
    const config = writeDeployConfig(
      workDir,
      { LISTEN_IP: LOOPBACK, SIP_PORT: String(kamailioPort), SIP_DOMAIN: DOMAIN, DISPATCHER_LIST: list },
      join(REPO_ROOT, 'deploy', 'kamailio', 'dispatcher.cfg'),
    );
    kamailio = peers.add(await startKamailio({ config, port: kamailioPort }));
    alice = await deviceOn('alice', 'a');
    bob = await deviceOn('bob', 'b');
  });
  after(async () => {
    await peers.run();
    await a.stop();
    await store.close();
    await database.drop();
    removeWorkDir(workDir);
  });

  test('a device on instance A and a device on instance B exchange messages', async () => {
    const toBob = await alice.message({
      to: 'bob',
      contentType: 'message/cpim',
      body: cpim('alice', 'bob', 'd-1', 'alice to bob'),
    });
    assert.equal(toBob.status, 200);
    await received(bob, 'alice to bob', 'alice’s message at bob');
    const toAlice = await bob.message({
      to: 'alice',
      contentType: 'message/cpim',
      body: cpim('bob', 'alice', 'd-2', 'bob to alice'),
    });
    assert.equal(toAlice.status, 200);
    await received(alice, 'bob to alice', 'bob’s message at alice');
  });

  test('A is killed: the devices’ requests go to B, they register again there, and no message is lost', async () => {
    await a.kill();
    // Kamailio's probes (every 2 s, each unanswered after its 4 s fr_timer) mark A down; until then a request
    // whose Call-ID hashes to A waits those 4 s before going to B, longer than a device here waits for an
    // answer. The event route logs the mark.
    await eventually(
      () =>
        readFileSync(kamailio.logFile, 'utf8').includes(
          `instance sip:${HOST_A}:${String(a.ports.sip)} is down`,
        ),
      'Kamailio marks instance A down',
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    // alice's registration came through Kamailio's Path: B still reaches her through Kamailio.
    const meanwhile = await bob.message({
      to: 'alice',
      contentType: 'message/cpim',
      body: cpim('bob', 'alice', 'd-3', 'while A is down'),
    });
    assert.equal(meanwhile.status, 200);
    await received(alice, 'while A is down', 'the message sent while A was down, at alice');
    // alice registers again: Kamailio has marked A down, B takes it.
    assert.equal((await alice.register()).status, 200);
    await eventually(async () => (await holderOf('alice', alice)) === 'b', 'alice’s binding held by B', {
      timeoutMs: 30_000,
      intervalMs: 200,
    });
    const fromAlice = await alice.message({
      to: 'bob',
      contentType: 'message/cpim',
      body: cpim('alice', 'bob', 'd-4', 'alice again'),
    });
    assert.equal(fromAlice.status, 200);
    await received(bob, 'alice again', 'alice’s message after the failover, at bob');
    // Every message is in both journals.
    for (const account of [`alice@${DOMAIN}`, `bob@${DOMAIN}`]) {
      const ids = (await store.journal.after(account, undefined, 100)).entries.map((entry) =>
        JSON.stringify(entry),
      );
      for (const id of ['d-1', 'd-2', 'd-3', 'd-4'])
        assert.ok(
          ids.some((entry) => entry.includes(id)),
          `${id} in ${account}'s journal`,
        );
    }
  });
});
