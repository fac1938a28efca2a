/**
 * SIGHUP reloads the push settings of a running `missive serve`: a new gateway URL and content mode apply to
 * the next message, and credentials that cannot be used refuse the reload while the running providers go on.
 * Two local HTTP servers stand in for sylk-pushserver gateways (push-stand-in.ts).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Cleanup } from '../interop/harness/cleanup.js';
import { MissiveProcess } from '../support/missive-process.js';
import { LOOPBACK } from '../support/ports.js';
import { Agent } from '../support/sip-agent.js';
import { eventually, waitFor } from '../support/wait.js';
import { WebSocketClient } from '../support/websocket-client.js';
import { PushStandIn } from './push-stand-in.js';

const DOMAIN = 'example.test';
const PASSWORD = 'secret';
const BOB = `bob@${DOMAIN}`;

describe('missive serve: SIGHUP reloads the push settings', { timeout: 120_000 }, () => {
  const peers = new Cleanup();
  const first = new PushStandIn();
  const second = new PushStandIn();
  let dir: string;
  let config: string;
  let missive: MissiveProcess;
  let alice: Agent;

  const reloadWith = async (text: string, logged: RegExp): Promise<void> => {
    await writeFile(config, text);
    const count = (missive.output.match(new RegExp(logged, 'g')) ?? []).length;
    missive.signal('SIGHUP');
    await eventually(
      () => (missive.output.match(new RegExp(logged, 'g')) ?? []).length === count + 1,
      `the reload logged (${logged.source})`,
    );
  };

  const send = async (text: string): Promise<void> => {
    const response = await alice.authenticated({ method: 'MESSAGE', uri: `sip:${BOB}`, body: text });
    assert.equal(response.status, 200);
  };

  before(async () => {
    await first.start();
    await second.start();
    peers.add(first);
    peers.add(second);
    dir = await mkdtemp(join(tmpdir(), 'missive-push-reload-'));
    config = join(dir, 'missive.ini');
    await writeFile(config, `[Push]\npush_url = ${first.url}\n`);
    const users = ['alice', 'bob'].map((user) => [user, PASSWORD] as const);
    missive = peers.add(await MissiveProcess.start({ domain: DOMAIN, users, args: ['--config', config] }));
    const bob = peers.add(
      await WebSocketClient.ready(`ws://${LOOPBACK}:${String(missive.ports.ws)}/webrtcgateway/ws`),
    );
    await bob.register(BOB, PASSWORD);
    const stored = await bob.request({
      sylkrtc: 'account-devicetoken',
      account: BOB,
      token: 'tok-1',
      platform: 'android',
      device: 'd1',
      silent: false,
      app: 'com.x',
    });
    assert.equal(stored.sylkrtc, 'ack');
    alice = peers.add(
      await new Agent('alice', DOMAIN, PASSWORD, {
        transport: 'udp',
        host: '127.0.0.1',
        port: missive.ports.sip,
      }).start(),
    );
  });
  after(async () => {
    await peers.run();
    await rm(dir, { recursive: true, force: true });
  });

  test('a new gateway and content mode apply to the next message; unusable credentials keep the running ones', async () => {
    await send('one');
    const [one] = await waitFor(() => first.for('tok-1').length > 0 && first.for('tok-1'), 'the first push');
    assert.equal(one?.json?.content, 'one');

    await reloadWith(`[Push]\npush_url = ${second.url}\npush_content = minimal\n`, /configuration reloaded/);
    await send('two');
    const [two] = await waitFor(
      () => second.for('tok-1').length > 0 && second.for('tok-1'),
      'the push after the reload',
    );
    assert.ok(two?.json !== undefined);
    assert.equal(two.json.from, `alice@${DOMAIN}`);
    assert.equal('content' in two.json, false, 'minimal: no content');
    // Each push goes to one provider: the second one reached the new gateway, so the old one got no other.
    assert.equal(first.for('tok-1').length, 1);

    await reloadWith(
      `[Push]\npush_url = ${first.url}\npush_apps = com.x:apns\napns_key_file = ${join(dir, 'missing.p8')}\napns_key_id = ABC123DEFG\napns_team_id = TEAM123456\n`,
      /the new configuration is refused/,
    );
    assert.match(missive.output, /\[Push\] apns_key_file/);
    await send('three');
    await waitFor(
      () => second.for('tok-1').length === 2,
      'the third push, still through the running gateway',
    );
    assert.equal(first.for('tok-1').length, 1);
  });
});
