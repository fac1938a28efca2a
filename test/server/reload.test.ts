/**
 * SIGHUP in a real `missive serve` applies a changed configuration file without a restart: a domain added is
 * served (a REGISTER for it succeeds), a trusted peer added sends without digest authentication, a new
 * message size limit applies to the next MESSAGE, and a setting that needs a restart is named in the log.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openStore } from '../../src/store/index.js';
import { MissiveProcess } from '../support/missive-process.js';
import { Agent } from '../support/sip-agent.js';
import { eventually } from '../support/wait.js';

const FIRST = 'first.test';
const ADDED = 'added.test';

describe('SIGHUP reloads the configuration file', () => {
  let dir: string;
  let missive: MissiveProcess;
  let config: string;

  const reloadWith = async (text: string): Promise<void> => {
    await writeFile(config, text);
    const count = (missive.output.match(/configuration reloaded/g) ?? []).length;
    missive.signal('SIGHUP');
    await eventually(
      () => (missive.output.match(/configuration reloaded/g) ?? []).length === count + 1,
      'the reload logged',
    );
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'missive-reload-'));
    const dataDir = join(dir, 'data');
    await mkdir(dataDir);
    const store = await openStore(`sqlite://${join(dataDir, 'missive.db')}`);
    await store.subscribers.add('alice', FIRST, 'alice-secret');
    await store.subscribers.add('carol', ADDED, 'carol-secret');
    await store.close();
    config = join(dir, 'missive.ini');
    await writeFile(config, `[General]\ndomain = ${FIRST}\n`);
    missive = await MissiveProcess.start({
      domain: FIRST,
      domainOption: false,
      users: [],
      dataDir,
      args: ['--config', config],
    });
  });
  after(async () => {
    await missive.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves a domain added to the file, trusts a peer added to it, and applies a new message limit', async () => {
    const server = { transport: 'udp' as const, host: '127.0.0.1', port: missive.ports.sip };
    const alice = await new Agent('alice', FIRST, 'alice-secret', server).start();
    const carol = await new Agent('carol', ADDED, 'carol-secret', server).start();
    try {
      const message = () => alice.request({ method: 'MESSAGE', uri: `sip:alice@${FIRST}`, body: 'hello' });
      assert.equal((await alice.transact(message())).status, 407, 'not trusted yet: challenged');
      await reloadWith(
        `[General]\ndomain = ${FIRST}, ${ADDED}\n[SIP]\ntrusted_peer = 127.0.0.1/32\nmax_transactions = 5000\n`,
      );
      assert.match(
        missive.output,
        /"changed":\["\[General\] domain","\[SIP\] trusted_peer"\]/,
        'the log names what changed',
      );
      assert.match(
        missive.output,
        /"settings":\["\[SIP\] max_transactions"\],"msg":"SIGHUP: these changed settings need a restart/,
      );
      assert.equal((await carol.register()).status, 200, 'the added domain is served');
      assert.notEqual((await alice.transact(message())).status, 407, 'the added peer is trusted');
      const large = () =>
        alice.request({ method: 'MESSAGE', uri: `sip:alice@${FIRST}`, body: 'x'.repeat(1100) });
      assert.equal((await alice.transact(large())).status, 200, 'within the default limit');
      await reloadWith(
        `[General]\ndomain = ${FIRST}, ${ADDED}\n[SIP]\ntrusted_peer = 127.0.0.1/32\n[Messaging]\nmax_message_bytes = 1024\n`,
      );
      assert.equal((await alice.transact(large())).status, 413, 'the reloaded message limit applies');
    } finally {
      await alice.stop();
      await carol.stop();
    }
  });
});
