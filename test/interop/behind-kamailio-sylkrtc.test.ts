/**
 * account-register behind a proxy (sylk spec §1.7.1): missive is not the registrar, Kamailio is (the shipped
 * deploy/kamailio/kamailio.cfg, digest against missive's subscriber table), so missive checks the HA1 a
 * sylkRTC client gave by registering upstream with it: a REGISTER through the outbound proxy with digest
 * computed from the HA1. The right HA1 is registered; a wrong one fails with Kamailio's answer (401
 * Unauthorized: the local check would have said 403 Forbidden); and when the proxy refuses for its own
 * reasons (a stand-in on Kamailio's port answering 500), even the right HA1 fails with that answer, which
 * shows the check is the proxy's and not the local table's.
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseDatagram } from '../../src/sip/parser/datagram.js';
import { MissiveProcess } from '../support/missive-process.js';
import { freePorts, LOOPBACK } from '../support/ports.js';
import { ha1, type Json, WebSocketClient } from '../support/websocket-client.js';
import { Cleanup } from './harness/cleanup.js';
import { writeDeployConfig } from './harness/deploy-config.js';
import { type KamailioProcess, startKamailio } from './harness/kamailio.js';
import { makeWorkDir, removeWorkDir } from './harness/paths.js';
import { missingPeers } from './harness/tools.js';

const DOMAIN = 'example.com';
const PASSWORD = 'secret';
const ALICE = `alice@${DOMAIN}`;

describe('sylkRTC account-register behind Kamailio: the HA1 checked by registering upstream', {
  skip: missingPeers(['kamailio']) ?? false,
  timeout: 120_000,
}, () => {
  const peers = new Cleanup();
  const workDir = makeWorkDir('behind-kamailio-sylkrtc');
  let kamailio: KamailioProcess;
  let kamailioPort: number;
  let url: string;

  /** The registration-state that ends an account-register of `account` with the HA1 of `password`. */
  const register = async (account: string, password: string): Promise<Json> => {
    const client = peers.add(await WebSocketClient.ready(url));
    assert.equal(
      (await client.request({ sylkrtc: 'account-add', account, password: ha1(account, password) })).sylkrtc,
      'ack',
    );
    assert.equal((await client.request({ sylkrtc: 'account-register', account })).sylkrtc, 'ack');
    const state = await client.received(
      `the registration of ${account}`,
      (f) => f.event === 'registration-state' && (f.state === 'registered' || f.state === 'failed'),
      45_000,
    );
    // Registered: messaging requests are allowed; failed: refused.
    const sync = await client.request({ sylkrtc: 'account-sync-conversations', account });
    assert.equal(sync.sylkrtc, state.state === 'registered' ? 'ack' : 'error', JSON.stringify(sync));
    return state;
  };

  before(async () => {
    const [kamailioFree = 0, missivePort = 0] = await freePorts(2);
    kamailioPort = kamailioFree;
    const missive = peers.add(
      await MissiveProcess.start({
        domain: DOMAIN,
        users: [
          ['alice', PASSWORD],
          ['bob', PASSWORD],
        ],
        trustedPeers: [`${LOOPBACK}/32`],
        ports: { sip: missivePort },
        args: ['--outbound-proxy', `sip:${LOOPBACK}:${String(kamailioPort)}`],
      }),
    );
    url = `ws://${LOOPBACK}:${String(missive.ports.ws)}/webrtcgateway/ws`;
    const config = writeDeployConfig(workDir, {
      LISTEN_IP: LOOPBACK,
      SIP_PORT: String(kamailioPort),
      SIP_DOMAIN: DOMAIN,
      MISSIVE_IP: LOOPBACK,
      MISSIVE_PORT: String(missivePort),
      DB_URL: `sqlite://${join(missive.dataDir, 'missive.db')}`,
    });
    kamailio = peers.add(await startKamailio({ config, port: kamailioPort }));
  });
  after(async () => {
    await peers.run();
    removeWorkDir(workDir);
  });

  test('the right HA1: Kamailio accepts the REGISTER, the account is registered', async () => {
    assert.deepEqual(await register(ALICE, PASSWORD), {
      sylkrtc: 'account-event',
      account: ALICE,
      event: 'registration-state',
      state: 'registered',
    });
  });

  test('a wrong HA1: Kamailio refuses it, the registration fails with its answer', async () => {
    const state = await register(`bob@${DOMAIN}`, 'wrong');
    assert.equal(state.state, 'failed');
    assert.equal(state.reason, '401 Unauthorized');
  });

  test('the proxy refusing for its own reasons fails even the right HA1: the check is upstream', async () => {
    await kamailio.stop();
    const proxy = createSocket('udp4');
    await new Promise<void>((resolve) => proxy.bind(kamailioPort, LOOPBACK, resolve));
    peers.add({
      stop: () =>
        new Promise<void>((resolve) =>
          proxy.close(() => {
            resolve();
          }),
        ),
    });
    const seen: string[] = [];
    proxy.on('message', (packet, from) => {
      const parsed = parseDatagram(packet);
      if (parsed.kind !== 'message' || parsed.message.kind !== 'request') return;
      const request = parsed.message;
      seen.push(request.method);
      const answer = [
        'SIP/2.0 500 Database Down',
        ...request.headers.values('Via').map((via) => `Via: ${via}`),
        `From: ${request.headers.get('From') ?? ''}`,
        `To: ${request.headers.get('To') ?? ''};tag=proxy`,
        `Call-ID: ${request.headers.get('Call-ID') ?? ''}`,
        `CSeq: ${request.headers.get('CSeq') ?? ''}`,
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
      proxy.send(answer, from.port, from.address);
    });
    const state = await register(ALICE, PASSWORD);
    assert.deepEqual([state.state, state.reason], ['failed', '500 Database Down']);
    assert.deepEqual(seen, ['REGISTER']);
  });
});
