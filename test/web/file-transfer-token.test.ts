/**
 * File transfer with API tokens on a real `missive serve` started with `--file-transfer-download-token`
 * (sylk spec §8.36, docs/file-transfer.md): an upload authenticated by the sender's API token alone (no
 * sylkRTC connection at all), and downloads that need the token of the sender or of the receiver.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { aorHash } from '../../src/files/naming.js';
import { generateApiToken, openStore } from '../../src/store/index.js';
import { Cleanup } from '../interop/harness/cleanup.js';
import { MissiveProcess } from '../support/missive-process.js';
import { exchange } from './file-transfer-client.js';

const DOMAIN = 'example.test';
const ALICE = `alice@${DOMAIN}`;
const BOB = `bob@${DOMAIN}`;
const CAROL = `carol@${DOMAIN}`;

describe('missive serve: file transfer with API tokens', { timeout: 120_000 }, () => {
  const peers = new Cleanup();
  let port: number;
  const tokens = { alice: generateApiToken(), bob: generateApiToken(), carol: generateApiToken() };

  before(async () => {
    const users = ['alice', 'bob', 'carol'].map((user) => [user, 'secret'] as const);
    const missive = peers.add(
      await MissiveProcess.start({ domain: DOMAIN, users, args: ['--file-transfer-download-token'] }),
    );
    port = missive.ports.ws;
    const store = await openStore(missive.storeUri);
    try {
      await store.storageAccounts.setToken(ALICE, tokens.alice, Date.now());
      await store.storageAccounts.setToken(BOB, tokens.bob, Date.now());
      await store.storageAccounts.setToken(CAROL, tokens.carol, Date.now());
    } finally {
      await store.close();
    }
  });
  after(() => peers.run());

  test('the sender’s token authenticates an upload; another account’s does not', async () => {
    const body = Buffer.from('a file');
    const upload = (token: string) =>
      exchange(port, `/webrtcgateway/filetransfer/${ALICE}/${BOB}/k1/a.txt`, {
        method: 'POST',
        headers: { 'Content-Length': body.length, Authorization: `Apikey ${token}` },
        body,
      });
    const foreign = await upload(tokens.carol);
    assert.equal(foreign.status, 401);
    assert.match(foreign.body.toString(), /not a valid API token of alice@example\.test/);
    const own = await upload(tokens.alice);
    assert.equal(own.status, 200, own.body.toString());
  });

  test('a download needs the sender’s or the receiver’s token', async () => {
    const path = `/webrtcgateway/filetransfer/${aorHash(ALICE)}/${aorHash(BOB)}/k1/a.txt`;
    const get = (headers: Record<string, string>) => exchange(port, path, { method: 'GET', headers });
    assert.equal((await get({})).status, 401);
    assert.equal((await get({ Authorization: `Apikey ${tokens.carol}` })).status, 401);
    for (const token of [tokens.alice, tokens.bob]) {
      const answer = await get({ Authorization: `Apikey ${token}` });
      assert.equal(answer.status, 200);
      assert.equal(answer.body.toString(), 'a file');
    }
  });
});
