/**
 * missive behind Kamailio, with the shipped deploy/kamailio/kamailio.cfg: Kamailio (Debian 5.6) is the
 * registrar and proxy and authenticates against missive's own subscriber table (auth_db on the SQLite store);
 * missive is its application server (trusted peer, outbound proxy = Kamailio). sipp plays the devices:
 * bob's phone, and alice's two devices, one of which sends. Checks that a MESSAGE is delivered to the
 * recipient's device, replicated to the sender's other device (and not back to the sending one), stored in
 * both journals by missive, synced over the history API, and stored for a recipient with no device online;
 * and that a replica's 200 does not answer the sender before missive has stored the MESSAGE.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openStore } from '../../src/store/index.js';
import { generateApiToken } from '../../src/store/storage-accounts/api-token.js';
import type { JournalEntry } from '../../src/store/journal/types.js';
import { MissiveProcess } from '../support/missive-process.js';
import { Agent } from '../support/sip-agent.js';
import { isFor } from '../support/sip-fields.js';
import { Cleanup } from './harness/cleanup.js';
import { writeDeployConfig } from './harness/deploy-config.js';
import { type KamailioProcess, startKamailio } from './harness/kamailio.js';
import { makeWorkDir, removeWorkDir } from './harness/paths.js';
import { freePorts, LOOPBACK } from '../support/ports.js';
import { EVENT_WAIT_MS, waitFor } from '../support/wait.js';
import {
  describeSipp,
  registerWithSipp,
  runSipp,
  type SippUas,
  sippSucceeded,
  startSippUas,
} from './harness/sipp.js';
import { missingPeers } from './harness/tools.js';

const DOMAIN = 'example.com';
const PASSWORD = 'secret';
const MESSAGES = 5;

describe('missive behind Kamailio (deploy/kamailio/kamailio.cfg)', {
  skip: missingPeers(['kamailio', 'sipp']) ?? false,
  timeout: 120_000,
}, () => {
  const peers = new Cleanup();
  let missive: MissiveProcess;
  let kamailio: KamailioProcess;
  let bobPhone: SippUas;
  let aliceTablet: SippUas;
  let alicePhonePort: number;
  const workDir = makeWorkDir('behind-kamailio');

  async function journal(account: string): Promise<readonly JournalEntry[]> {
    const store = await openStore(`sqlite://${join(missive.dataDir, 'missive.db')}`);
    try {
      return (await store.journal.after(account, undefined, 1000)).entries;
    } finally {
      await store.close();
    }
  }

  before(async () => {
    const [kamailioPort = 0, missivePort = 0] = await freePorts(2);
    missive = peers.add(
      await MissiveProcess.start({
        domain: DOMAIN,
        users: [
          ['alice', PASSWORD],
          ['bob', PASSWORD],
          ['carol', PASSWORD],
        ],
        trustedPeers: [`${LOOPBACK}/32`],
        ports: { sip: missivePort },
        args: ['--outbound-proxy', `sip:${LOOPBACK}:${String(kamailioPort)}`],
      }),
    );
    const config = writeDeployConfig(workDir, {
      LISTEN_IP: LOOPBACK,
      SIP_PORT: String(kamailioPort),
      SIP_DOMAIN: DOMAIN,
      MISSIVE_IP: LOOPBACK,
      MISSIVE_PORT: String(missivePort),
      DB_URL: `sqlite://${join(missive.dataDir, 'missive.db')}`,
    });
    kamailio = peers.add(await startKamailio({ config, port: kamailioPort }));
    // The devices' ports are taken just before sipp binds them: taken before missive's start (seconds on a
    // loaded machine), one went to a test of another suite running beside this one meanwhile.
    const [bobPort = 0, tabletPort = 0, phonePort = 0] = await freePorts(3);
    alicePhonePort = phonePort;
    for (const [user, port] of [
      ['bob', bobPort],
      ['alice', tabletPort],
      ['alice', phonePort],
    ] as const) {
      const registered = await registerWithSipp({
        registrar: kamailio.address,
        user,
        domain: DOMAIN,
        password: PASSWORD,
        contactPort: port,
      });
      assert.ok(sippSucceeded(registered, 1), `${user}: ${describeSipp(registered)}`);
    }
    bobPhone = peers.add(await startSippUas({ scenario: 'message-uas', localPort: bobPort }));
    aliceTablet = peers.add(await startSippUas({ scenario: 'message-uas-replica', localPort: tabletPort }));
  });
  after(async () => {
    await peers.run();
    removeWorkDir(workDir);
  });

  test('a MESSAGE reaches the recipient, a replica the sender’s other device, and missive stores both copies', async () => {
    const sent = await runSipp({
      scenario: 'message-uac-auth',
      target: kamailio.address,
      localPort: alicePhonePort,
      service: 'bob',
      from: 'alice',
      domain: DOMAIN,
      auth: { username: 'alice', password: PASSWORD },
      count: MESSAGES,
      rate: 20,
    });
    // Kamailio challenged with digest (407) from missive's subscriber table, and the sending phone, though
    // registered, got no replica: sipp counts any unexpected MESSAGE as a failure.
    assert.ok(sippSucceeded(sent, MESSAGES), describeSipp(sent));
    assert.equal(sent.counts.get('2_407_Recv'), MESSAGES, describeSipp(sent));
    await bobPhone.waitForCalls(MESSAGES, EVENT_WAIT_MS);
    // message-uas-replica fails any MESSAGE without `X-Replicated-Message: yes`.
    await aliceTablet.waitForCalls(MESSAGES, EVENT_WAIT_MS);
    assert.equal(aliceTablet.stats()?.failed ?? 0, 0, 'every replica carried X-Replicated-Message');

    // Kamailio's fork to missive runs beside the one to bob's phone, whose 200 can end the transaction first:
    // the journal is waited for (a positive sign), not read at once.
    const conversation = async (account: string, contact: string): Promise<JournalEntry[]> =>
      (await journal(account)).filter((entry) => entry.contact === contact);
    await waitFor(
      async () => (await conversation(`bob@${DOMAIN}`, `alice@${DOMAIN}`)).length >= MESSAGES,
      'bob’s journal to hold the MESSAGEs',
      { timeoutMs: EVENT_WAIT_MS, intervalMs: 200 },
    );
    await waitFor(
      async () => (await conversation(`alice@${DOMAIN}`, `bob@${DOMAIN}`)).length >= MESSAGES,
      'alice’s journal to hold the outgoing copies',
      { timeoutMs: EVENT_WAIT_MS, intervalMs: 200 },
    );
    const incoming = await conversation(`bob@${DOMAIN}`, `alice@${DOMAIN}`);
    assert.equal(incoming.length, MESSAGES, 'bob’s journal: one incoming entry per MESSAGE');
    for (const entry of incoming) {
      assert.equal(entry.direction, 'incoming');
      assert.equal(entry.state, 'received');
      // sipp ends the body with a CRLF, which is content like the rest.
      assert.match(entry.content, /^sipp message \d+\r\n$/);
    }
    const outgoing = await conversation(`alice@${DOMAIN}`, `bob@${DOMAIN}`);
    assert.equal(outgoing.length, MESSAGES, 'alice’s journal: the outgoing copy (X-Sylk-From-Sip)');
    for (const entry of outgoing) {
      assert.equal(entry.direction, 'outgoing');
      assert.equal(entry.state, 'accepted');
    }
    assert.deepEqual(
      outgoing.map((entry) => entry.messageId).sort(),
      incoming.map((entry) => entry.messageId).sort(),
      'both copies have the same message id',
    );
  });

  test('synced: another device of bob reads them over the history API', async () => {
    const token = generateApiToken();
    const store = await openStore(`sqlite://${join(missive.dataDir, 'missive.db')}`);
    try {
      await store.storageAccounts.setToken(`bob@${DOMAIN}`, token, Date.now());
    } finally {
      await store.close();
    }
    const response = await fetch(
      `http://${LOOPBACK}:${String(missive.ports.ws)}/webrtcgateway/messages/history/bob@${DOMAIN}`,
      { headers: { Authorization: `Apikey ${token}` } },
    );
    assert.equal(response.status, 200);
    const history = (await response.json()) as {
      account: string;
      messages: { contact: string; direction: string; content: string }[];
    };
    assert.equal(history.account, `bob@${DOMAIN}`);
    const fromAlice = history.messages.filter((message) => message.contact === `alice@${DOMAIN}`);
    assert.equal(fromAlice.length, MESSAGES);
    assert.ok(fromAlice.every((message) => message.direction === 'incoming'));
  });

  test('a recipient with no device online: missive stores the MESSAGE and the sender gets 200', async () => {
    const sent = await runSipp({
      scenario: 'message-uac-auth',
      target: kamailio.address,
      service: 'carol',
      from: 'bob',
      domain: DOMAIN,
      auth: { username: 'bob', password: PASSWORD },
      count: 2,
      rate: 10,
    });
    assert.ok(sippSucceeded(sent, 2), describeSipp(sent));
    const stored = (await journal(`carol@${DOMAIN}`)).filter((entry) => entry.contact === `bob@${DOMAIN}`);
    assert.equal(stored.length, 2, 'waiting in carol’s journal for her devices to sync');
  });

  test('a replica’s 200 does not answer the sender: the 200 comes once missive has stored the MESSAGE', async (t) => {
    // bob writes from a phone to carol, who has no device online: only missive can answer for her. bob's
    // tablet gets a replica and answers it at once.
    const server = { host: LOOPBACK, port: kamailio.port };
    const bobTablet = await Agent.device('bob', PASSWORD, server, DOMAIN);
    const bobSender = await Agent.overUdp('bob', PASSWORD, server, DOMAIN);
    t.after(async () => {
      await bobTablet.register(0);
      await Promise.all([bobTablet.stop(), bobSender.stop()]);
    });
    assert.equal((await bobTablet.register()).status, 200);
    const pid = missive.pid;
    assert.ok(pid !== undefined);
    process.kill(pid, 'SIGSTOP');
    let stopped = true;
    t.after(() => {
      if (stopped) process.kill(pid, 'SIGCONT');
    });
    const sent = await bobSender.withCredentials({
      method: 'MESSAGE',
      uri: `sip:carol@${DOMAIN}`,
      body: 'stored before the 200',
      contentType: 'text/plain',
    });
    assert.ok('request' in sent, 'Kamailio challenged the MESSAGE');
    const replica = await bobTablet.receivedAt(0, EVENT_WAIT_MS);
    assert.equal(replica.headers.get('X-Replicated-Message'), 'yes');
    assert.equal(replica.body.toString('utf8'), 'stored before the 200');
    // The tablet has answered 200. An OPTIONS round trip through the same Kamailio from the sender: had the
    // replica been a branch of the MESSAGE's fork, its 200 would have reached the sender by now.
    await bobSender.roundTrip();
    assert.ok(
      !bobSender.has(
        (message) => message.kind === 'response' && message.status >= 200 && isFor(message, sent.request),
      ),
      'no final response while missive is stopped',
    );
    process.kill(pid, 'SIGCONT');
    stopped = false;
    assert.equal((await bobSender.response(sent.request)).status, 200);
    // missive answered after its commit: the journal holds the MESSAGE now, without waiting.
    const stored = (await journal(`carol@${DOMAIN}`)).filter(
      (entry) => entry.content === 'stored before the 200',
    );
    assert.equal(stored.length, 1, 'in carol’s journal when the sender got 200');
  });
});
