/**
 * The sender's credentials stop at `missive serve` (RFC 3261 §22.3; issue 10 point 2): bob's registered device
 * receives alice's authenticated MESSAGE and INVITE, then the ACK of the 2xx and a BYE (which carry the same
 * credentials, RFC 3261 §22.1), without a Proxy-Authorization or Authorization for the server's realm, from which bob
 * could otherwise guess alice's password offline; credentials for another realm (a proxy further on) are still
 * there. The same for a MESSAGE that leaves for another domain. Over UDP from several source addresses.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { getCredentials } from '../../src/sip/headers/auth.js';
import { getTo } from '../../src/sip/headers/name-addr.js';
import type { SipMessage, SipRequest, SipResponse } from '../../src/sip/message/message.js';
import { digestAuthorization } from '../sip/auth/digest-client.js';
import { MissiveProcess } from '../support/missive-process.js';
import { Cleanup } from './harness/cleanup.js';
import { LOOPBACK } from '../support/ports.js';
import { Agent } from '../support/sip-agent.js';
import { callIdOf, cseqOf, fromTagOf, isRequestOf } from '../support/sip-fields.js';

const DOMAIN = 'example.test';
const PASSWORD = 'secret';
const OTHER_REALM = 'other.example';
/** Credentials for a proxy further on: not the server's to remove. */
const FOREIGN = [
  'Proxy-Authorization',
  digestAuthorization({
    username: 'alice-there',
    realm: OTHER_REALM,
    password: 'elsewhere',
    nonce: 'bm9uY2UtZnJvbS1lbHNld2hlcmU',
    method: 'INVITE',
    uri: `sip:bob@${DOMAIN}`,
  }),
] as const;

/** The realms of the credentials a message carries, per header. */
function realms(message: SipMessage): { proxy: (string | undefined)[]; www: (string | undefined)[] } {
  const realmOf = (name: 'Authorization' | 'Proxy-Authorization') =>
    getCredentials(message.headers, name).map((c) =>
      c.scheme === 'digest' ? c.params.get('realm') : 'basic',
    );
  return { proxy: realmOf('Proxy-Authorization'), www: realmOf('Authorization') };
}

describe('missive: credentials are consumed, not forwarded', () => {
  const peers = new Cleanup();
  let missive: MissiveProcess;
  let alice: Agent;
  let bob: Agent;
  /** A user agent of another domain, reached through missive. */
  let carol: Agent;

  before(async () => {
    missive = peers.add(
      await MissiveProcess.start({
        domain: DOMAIN,
        users: [
          ['alice', PASSWORD],
          ['bob', PASSWORD],
        ],
      }),
    );
    const server = { host: LOOPBACK, port: missive.ports.sip };
    alice = peers.add(await Agent.overUdp('alice', PASSWORD, server, DOMAIN, '127.0.0.3'));
    bob = peers.add(await Agent.overUdp('bob', PASSWORD, server, DOMAIN, '127.0.0.2'));
    assert.equal((await bob.register()).status, 200);
    bob.answering('MESSAGE');
    carol = peers.add(await Agent.overUdp('carol', '', server, 'elsewhere.example', '127.0.0.4'));
    carol.answering('MESSAGE');
  });
  after(() => peers.run());

  test('an authenticated MESSAGE reaches bob without the credentials for the server realm', async () => {
    const sent = await alice.withCredentials(
      { method: 'MESSAGE', uri: `sip:bob@${DOMAIN}`, body: 'hello bob' },
      [FOREIGN],
    );
    assert.ok('request' in sent, 'the MESSAGE without credentials is challenged');
    assert.equal((await alice.response(sent.request)).status, 200);
    const received = await bob.waitFor(isRequestOf('MESSAGE', callIdOf(sent.request)), 'the MESSAGE');
    assert.deepEqual(realms(received), { proxy: [OTHER_REALM], www: [] });
    assert.deepEqual(realms(sent.request), { proxy: [DOMAIN, OTHER_REALM], www: [] }, 'alice did send both');
  });

  test('a MESSAGE to another domain leaves without the credentials for the server realm', async () => {
    const response = await alice.authenticated(
      { method: 'MESSAGE', uri: `sip:carol@127.0.0.4:${String(carol.port)}`, body: 'hello carol' },
      [FOREIGN],
    );
    assert.equal(response.status, 200);
    const received = await carol.waitFor(isRequestOf('MESSAGE', callIdOf(response)), 'the MESSAGE');
    assert.deepEqual(realms(received), { proxy: [OTHER_REALM], www: [] });
  });

  test('an INVITE, the ACK of its 2xx and a BYE reach bob without the credentials for the server realm', async () => {
    const uri = `sip:bob@${DOMAIN}`;
    const challenged = await alice.withCredentials({ method: 'INVITE', uri }, [FOREIGN]);
    assert.ok('credentials' in challenged, 'the INVITE without credentials is challenged');
    const { request: sent, credentials } = challenged;
    const callId = callIdOf(sent);
    const invite = (await bob.waitFor(isRequestOf('INVITE', callId), 'the INVITE')) as SipRequest;
    assert.deepEqual(realms(invite), { proxy: [OTHER_REALM], www: [] });

    // A 2xx with bob's Contact and the Record-Route copied.
    await bob.answer(invite, 200, 'bob-call');
    const ok = await alice.response(sent);
    assert.equal(ok.status, 200);
    const dialog = dialogOf(ok);
    // RFC 3261 §22.1: the ACK of a 2xx carries the INVITE's credentials; a BYE may carry them too.
    const cseq = cseqOf(sent);
    await alice.issue({
      method: 'ACK',
      uri: dialog.remoteTarget,
      to: `<${uri}>`,
      toTag: dialog.toTag,
      fromTag: fromTagOf(sent),
      callId,
      cseq,
      extra: [...dialog.routes, credentials, FOREIGN],
    });
    const ack = await bob.waitFor(isRequestOf('ACK', callId), 'the ACK');
    assert.deepEqual(realms(ack), { proxy: [OTHER_REALM], www: [] });

    const bye = await alice.issue({
      method: 'BYE',
      uri: dialog.remoteTarget,
      to: `<${uri}>`,
      toTag: dialog.toTag,
      fromTag: fromTagOf(sent),
      callId,
      cseq: cseq + 1,
      extra: [...dialog.routes, credentials, ['Authorization', credentials[1]]],
    });
    const byeReceived = (await bob.waitFor(isRequestOf('BYE', callId), 'the BYE')) as SipRequest;
    assert.deepEqual(realms(byeReceived), { proxy: [], www: [] });
    await bob.answer(byeReceived, 200);
    assert.equal((await alice.response(bye)).status, 200);
  });
});

/** What alice needs of the dialog the 2xx made: bob's Contact, To tag and the route set (RFC 3261 §12.1.2). */
function dialogOf(ok: SipResponse): {
  remoteTarget: string;
  toTag: string;
  routes: (readonly [string, string])[];
} {
  const contact = /<([^>]+)>/.exec(ok.headers.get('Contact') ?? '')?.[1];
  const toTag = getTo(ok.headers)?.tag;
  assert.ok(contact !== undefined && toTag !== undefined, 'the 2xx has a Contact and a To tag');
  const routes = ok.headers
    .values('Record-Route')
    .reverse()
    .map((route) => ['Route', route] as const);
  assert.ok(routes.length > 0, 'the proxy record-routes the INVITE');
  return { remoteTarget: contact, toTag, routes };
}
