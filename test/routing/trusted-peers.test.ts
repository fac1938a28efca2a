/** Trusted peers: requests from a listed source are taken without digest authentication; others still are not. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TrustedPeers } from '../../src/routing/trusted-peers.js';
import { DOMAIN, startFixture } from './fixture.js';

describe('TrustedPeers', () => {
  test('matches addresses and CIDR blocks of both families', () => {
    const peers = new TrustedPeers(['192.0.2.0/24', '198.51.100.7', '2001:db8::/32']);
    assert.equal(peers.has('192.0.2.200'), true);
    assert.equal(peers.has('192.0.3.1'), false);
    assert.equal(peers.has('198.51.100.7'), true);
    assert.equal(peers.has('198.51.100.8'), false);
    assert.equal(peers.has('2001:db8::1'), true);
    assert.equal(peers.has('2001:db9::1'), false);
    assert.equal(new TrustedPeers([]).has('127.0.0.1'), false);
  });

  test('refuses what is not an address or block', () => {
    for (const bad of ['any', '10.0.0.0/33', '10.0.0.1/8/1', '::1/129', '']) {
      assert.throws(() => new TrustedPeers([bad]), TypeError, bad);
    }
  });
});

describe('a proxy that trusts 127.0.0.1', () => {
  test('registers and routes a MESSAGE without a challenge', async () => {
    const fixture = await startFixture({ trustedPeers: ['127.0.0.1'] });
    try {
      const bob = await fixture.agent('bob');
      const registered = await bob.transact(
        bob.request({
          method: 'REGISTER',
          uri: `sip:${DOMAIN}`,
          to: `<${bob.aor}>`,
          extra: [['Expires', '60']],
        }),
      );
      assert.equal(registered.status, 200);
      const alice = await fixture.agent('alice');
      const sending = alice.transact(
        alice.request({ method: 'MESSAGE', uri: `sip:bob@${DOMAIN}`, body: 'trusted' }),
      );
      const received = await bob.incoming('MESSAGE');
      await bob.answer(received, 200);
      assert.equal((await sending).status, 200);
    } finally {
      await fixture.close();
    }
  });
});
