/**
 * The standalone proxy end to end over real sockets: registration, authenticated MESSAGE forking, answers for
 * unknown and offline users, INVITE dialogs through Record-Route, CANCEL, OPTIONS and unsupported methods.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { getNameAddrs } from '../../src/sip/headers/name-addr.js';
import { getVias } from '../../src/sip/headers/via.js';
import { SipRequest, type SipResponse } from '../../src/sip/message/message.js';
import { DOMAIN, fixtureFor } from './fixture.js';
import { waitFor } from '../support/wait.js';

describe('standalone proxy', () => {
  test('OPTIONS for the server is answered with what it allows', async (t) => {
    const fixture = await fixtureFor(t);
    const alice = await fixture.agent('alice');
    const response = await alice.transact(alice.request({ method: 'OPTIONS', uri: `sip:${DOMAIN}` }));
    assert.equal(response.status, 200);
    assert.match(response.headers.get('Allow') ?? '', /MESSAGE/);
  });

  test('Max-Forwards 0 gets 483 and goes no further; 1 still goes, with 0 (RFC 3261 §16.3 step 3)', async (t) => {
    const fixture = await fixtureFor(t);
    const alice = await fixture.agent('alice');
    const bob = await fixture.agent('bob');
    const remote = await fixture.agent('dave');
    assert.equal((await bob.register()).status, 200);
    // Checked before authentication: an unauthenticated request would otherwise get 407.
    for (const method of ['MESSAGE', 'INVITE']) {
      const exhausted = await alice.transact(
        alice.request({ method, uri: `sip:bob@${DOMAIN}`, body: 'x', maxForwards: 0 }),
      );
      assert.equal(exhausted.status, 483, `${method} to a local user`);
      if (method === 'INVITE') await alice.send(ackFor(exhausted, alice.sent.at(-1)));
    }
    const remoteUri = `sip:dave@127.0.0.1:${String(remote.port)}`;
    const toRemote = await alice.transact(
      alice.request({ method: 'MESSAGE', uri: remoteUri, body: 'x', maxForwards: 0 }),
    );
    assert.equal(toRemote.status, 483, 'to another domain');
    const remoteOptions = await alice.transact(
      alice.request({ method: 'OPTIONS', uri: remoteUri, maxForwards: 0 }),
    );
    assert.equal(remoteOptions.status, 483, 'an OPTIONS for another domain is not ours to answer');

    // The boundary: with 1 left the request is forwarded, and arrives with 0.
    const sending = alice.authenticated({
      method: 'MESSAGE',
      uri: `sip:bob@${DOMAIN}`,
      body: 'last hop',
      maxForwards: 1,
    });
    const atBob = await bob.incoming('MESSAGE');
    assert.deepEqual(atBob.message.headers.getAll('Max-Forwards'), ['0']);
    assert.equal(
      atBob.message.body.toString(),
      'last hop',
      'the first request bob receives is the last one sent',
    );
    await bob.answer(atBob, 200);
    assert.equal((await sending).status, 200);
  });

  test('an OPTIONS for our domain with Max-Forwards 0 is answered by the server itself (RFC 3261 §16.3 step 3, §11)', async (t) => {
    const fixture = await fixtureFor(t);
    const alice = await fixture.agent('alice');
    const bob = await fixture.agent('bob');
    assert.equal((await bob.register()).status, 200);
    for (const uri of [`sip:${DOMAIN}`, `sip:bob@${DOMAIN}`]) {
      const request = alice.request({ method: 'OPTIONS', uri, maxForwards: 0 });
      // A Proxy-Require the proxy does not support would get 420 once past the Max-Forwards check.
      request.headers.add('Proxy-Require', 'x-unknown');
      const response = await alice.transact(request);
      assert.equal(response.status, 200, `OPTIONS ${uri}: no 483, no 407, no 420, not forwarded`);
      assert.match(response.headers.get('Allow') ?? '', /MESSAGE/);
      assert.match(response.headers.get('Supported') ?? '', /outbound/);
      assert.doesNotMatch(response.headers.get('To') ?? '', /tag=uas/, "not bob's answer");
    }
  });

  test('an unknown method gets 501, a known one not served outside a dialog 405 with Allow', async (t) => {
    const fixture = await fixtureFor(t);
    const alice = await fixture.agent('alice');
    const unknown = await alice.transact(alice.request({ method: 'FROB', uri: `sip:bob@${DOMAIN}` }));
    assert.equal(unknown.status, 501);
    const publish = await alice.transact(alice.request({ method: 'PUBLISH', uri: `sip:bob@${DOMAIN}` }));
    assert.equal(publish.status, 405);
    assert.match(publish.headers.get('Allow') ?? '', /INVITE/);
  });

  test('a request of a dialog the proxy is not on gets 481 (RFC 3261 §12.2.2), not 405 or 404', async (t) => {
    const fixture = await fixtureFor(t);
    const alice = await fixture.agent('alice');
    const inDialog = { to: `<sip:bob@${DOMAIN}>;tag=gone`, uri: `sip:bob@${DOMAIN}` };
    for (const method of ['BYE', 'INFO', 'UPDATE', 'INVITE', 'MESSAGE']) {
      const response = await alice.transact(alice.request({ method, ...inDialog }));
      assert.equal(response.status, 481, `${method} with a To tag and no Route`);
      if (method === 'INVITE') await alice.send(ackFor(response, alice.sent.at(-1)));
    }
    for (const method of ['BYE', 'INFO', 'UPDATE']) {
      const response = await alice.transact(alice.request({ method, uri: `sip:bob@${DOMAIN}` }));
      assert.equal(response.status, 481, `${method} without a To tag`);
    }
    const register = await alice.transact(alice.request({ method: 'REGISTER', ...inDialog }));
    assert.equal(register.status, 404, 'REGISTER is no dialog request');
  });

  test('a MESSAGE is challenged (407), then forked to every registered device of the recipient', async (t) => {
    const fixture = await fixtureFor(t);
    const alice = await fixture.agent('alice');
    const bobPhone = await fixture.agent('bob');
    const bobDesk = await fixture.agent('bob', 'tcp');
    assert.equal((await bobPhone.register()).status, 200);
    assert.equal((await bobDesk.register()).status, 200);

    const first = await alice.transact(
      alice.request({ method: 'MESSAGE', uri: `sip:bob@${DOMAIN}`, body: 'hi' }),
    );
    assert.equal(first.status, 407);

    const sending = alice.authenticated({ method: 'MESSAGE', uri: `sip:bob@${DOMAIN}`, body: 'hello bob' });
    const [atPhone, atDesk] = await Promise.all([bobPhone.incoming('MESSAGE'), bobDesk.incoming('MESSAGE')]);
    for (const received of [atPhone, atDesk]) {
      assert.equal(received.message.body.toString(), 'hello bob');
      assert.equal(received.message.headers.get('Max-Forwards'), '69');
      assert.equal(getVias(received.message.headers)?.length, 2, 'our Via above alice’s');
    }
    assert.equal(String(atDesk.message.uri), `sip:bob@127.0.0.1:${String(bobDesk.port)};transport=tcp`);
    await bobDesk.answer(atDesk, 200);
    assert.equal((await sending).status, 200);
    await bobPhone.answer(atPhone, 200);
  });

  test('the best failure is forwarded when every device fails', async (t) => {
    const fixture = await fixtureFor(t);
    const alice = await fixture.agent('alice');
    const carolA = await fixture.agent('carol');
    const carolB = await fixture.agent('carol');
    await carolA.register();
    await carolB.register();
    const sending = alice.authenticated({ method: 'MESSAGE', uri: `sip:carol@${DOMAIN}`, body: 'x' });
    const [a, b] = await Promise.all([carolA.incoming('MESSAGE'), carolB.incoming('MESSAGE')]);
    await carolA.answer(a, 486);
    await carolB.answer(b, 603);
    assert.equal((await sending).status, 603, 'a 6xx wins (RFC 3261 §16.7 step 6)');
  });

  test('unknown users get 404 and users without a device 480', async (t) => {
    const fixture = await fixtureFor(t);
    const alice = await fixture.agent('alice');
    const unknown = await alice.authenticated({ method: 'MESSAGE', uri: `sip:nobody@${DOMAIN}`, body: 'x' });
    assert.equal(unknown.status, 404);
    const offline = await alice.authenticated({ method: 'MESSAGE', uri: `sip:carol@${DOMAIN}`, body: 'x' });
    assert.equal(offline.status, 480);
  });

  test('a sender from another domain, or whose From is not its account, is refused', async (t) => {
    const fixture = await fixtureFor(t);
    const alice = await fixture.agent('alice');
    const forged = alice.request({ method: 'MESSAGE', uri: `sip:bob@${DOMAIN}`, body: 'x' });
    forged.headers.set('From', '<sip:mallory@elsewhere.test>;tag=1');
    assert.equal((await alice.transact(forged)).status, 403);
    const asBob = alice.request({ method: 'MESSAGE', uri: `sip:carol@${DOMAIN}`, body: 'x' });
    asBob.headers.set('From', `<sip:bob@${DOMAIN}>;tag=2`);
    const challenge = await alice.transact(asBob);
    assert.equal(challenge.status, 407);
    // alice's credentials for a request that claims to be from bob.
    const { digestAuthorization, firstNonce } = await import('../sip/auth/digest-client.js');
    const retry = alice.request({ method: 'MESSAGE', uri: `sip:carol@${DOMAIN}`, body: 'x' });
    retry.headers.set('From', `<sip:bob@${DOMAIN}>;tag=3`);
    retry.headers.add(
      'Proxy-Authorization',
      digestAuthorization({
        username: 'alice',
        realm: DOMAIN,
        password: 'secret',
        nonce: firstNonce(challenge),
        method: 'MESSAGE',
        uri: `sip:carol@${DOMAIN}`,
      }),
    );
    const refused = await alice.transact(retry);
    assert.equal(refused.status, 403);
    assert.equal(refused.reason, 'From Does Not Match Credentials');
  });

  test('an INVITE sets up a dialog through Record-Route; ACK and BYE follow the route', async (t) => {
    const fixture = await fixtureFor(t);
    const alice = await fixture.agent('alice', 'tcp');
    const bob = await fixture.agent('bob');
    await bob.register();
    const inviting = alice.authenticated({ method: 'INVITE', uri: `sip:bob@${DOMAIN}` });
    const invite = await bob.incoming('INVITE');
    const recordRoutes = getNameAddrs(invite.message.headers, 'Record-Route') ?? [];
    assert.equal(recordRoutes.length, 2, 'double Record-Route: alice came over TCP, bob is on UDP');
    await bob.answer(invite, 180);
    const ok = await bob.answer(invite, 200);
    const answer = await inviting;
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('To'), ok.headers.get('To'));

    // alice's route set is the Record-Route list reversed (RFC 3261 §12.1.2); the remote target is bob's Contact.
    const routeSet = (getNameAddrs(answer.headers, 'Record-Route') ?? [])
      .reverse()
      .map((r) => `<${String(r.uri)}>`);
    const target = getNameAddrs(answer.headers, 'Contact' as 'Route')?.[0]?.uri;
    assert.ok(target !== undefined);
    const inDialog = (method: string, cseq: number): SipRequest => {
      const request = alice.request({
        method,
        uri: String(target),
        to: answer.headers.get('To') ?? '',
        callId: answer.headers.get('Call-ID') ?? undefined,
        cseq,
        fromTag: /tag=([^;]+)/.exec(answer.headers.get('From') ?? '')?.[1],
      });
      for (const route of routeSet) request.headers.add('Route', route);
      return request;
    };
    await alice.send(inDialog('ACK', 2));
    const ack = await bob.incoming('ACK');
    assert.equal(getNameAddrs(ack.message.headers, 'Route')?.length ?? 0, 0, 'the proxy removed its routes');

    const bye = inDialog('BYE', 3);
    const byeDone = alice.transact(bye);
    const byeAtBob = await bob.incoming('BYE');
    await bob.answer(byeAtBob, 200);
    assert.equal((await byeDone).status, 200);
  });

  test('a CANCEL cancels the ringing branch and the caller gets 487', async (t) => {
    const fixture = await fixtureFor(t);
    const alice = await fixture.agent('alice');
    const bob = await fixture.agent('bob');
    await bob.register();
    const inviteSpec = { method: 'INVITE', uri: `sip:bob@${DOMAIN}` };
    const challenge = await alice.transact(alice.request(inviteSpec));
    assert.equal(challenge.status, 407);
    const inviting = alice.authenticated(inviteSpec);
    void inviting.catch(() => undefined);
    const invite = await bob.incoming('INVITE');
    await bob.answer(invite, 180);
    await alice.next((m) => m.kind === 'response' && m.status === 180);
    // The CANCEL mirrors the INVITE alice sent last (the authenticated one).
    const sentInvite = alice.sent.filter((r) => r.method === 'INVITE').at(-1);
    assert.ok(sentInvite !== undefined);
    const cancel = new SipRequest({
      method: 'CANCEL',
      uri: sentInvite.uri,
      headers: sentInvite.headers.clone(),
    });
    cancel.headers.set('CSeq', (sentInvite.headers.get('CSeq') ?? '').replace('INVITE', 'CANCEL'));
    cancel.headers.delete('Proxy-Authorization');
    assert.equal((await alice.transact(cancel)).status, 200);
    const cancelAtBob = await bob.incoming('CANCEL');
    await bob.answer(cancelAtBob, 200);
    await bob.answer(invite, 487);
    assert.equal((await inviting).status, 487);
  });

  test('a WebSocket client registers and receives a MESSAGE over its connection', async (t) => {
    const fixture = await fixtureFor(t);
    const { WebSocket } = await import('ws');
    const port = fixture.ports.get('ws');
    const socket = new WebSocket(`ws://127.0.0.1:${String(port)}`, 'sip');
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    t.after(() => {
      socket.close();
    });
    const frames: string[] = [];
    socket.on('message', (data: Buffer) => frames.push(data.toString()));
    const frame = (pattern: RegExp): Promise<string> =>
      waitFor(
        () => {
          const index = frames.findIndex((f) => pattern.test(f));
          return index === -1 ? undefined : (frames.splice(index, 1)[0] ?? '');
        },
        `a frame matching ${String(pattern)}`,
      );
    const register = (auth: string): string =>
      [
        `REGISTER sip:${DOMAIN} SIP/2.0`,
        `Via: SIP/2.0/WS abc.invalid;branch=z9hG4bK${String(Math.random()).slice(2)}`,
        'Max-Forwards: 70',
        `From: <sip:carol@${DOMAIN}>;tag=ws1`,
        `To: <sip:carol@${DOMAIN}>`,
        'Call-ID: ws-register',
        `CSeq: ${auth === '' ? 1 : 2} REGISTER`,
        'Contact: <sip:carol@abc.invalid;transport=ws>',
        'Expires: 300',
        ...(auth === '' ? [] : [`Authorization: ${auth}`]),
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
    socket.send(register(''));
    const challenge = await frame(/^SIP\/2.0 401/);
    const nonce = /nonce="([^"]+)"/.exec(challenge)?.[1] ?? '';
    const { digestAuthorization } = await import('../sip/auth/digest-client.js');
    socket.send(
      register(
        digestAuthorization({
          username: 'carol',
          realm: DOMAIN,
          password: 'secret',
          nonce,
          method: 'REGISTER',
          uri: `sip:${DOMAIN}`,
        }),
      ),
    );
    await frame(/^SIP\/2.0 200/);
    const alice = await fixture.agent('alice');
    const sending = alice.authenticated({
      method: 'MESSAGE',
      uri: `sip:carol@${DOMAIN}`,
      body: 'to the browser',
    });
    const message = await frame(/^MESSAGE /);
    assert.match(message, /^MESSAGE sip:carol@abc\.invalid;transport=ws SIP\/2\.0/);
    assert.match(message, /to the browser$/);
    const via = /Via: ([^\r]+)\r\n/.exec(message)?.[0] ?? '';
    const reply = message
      .split('\r\n\r\n')[0]
      ?.split('\r\n')
      .filter((line) => /^(Via|From|To|Call-ID|CSeq):/i.test(line))
      .map((line) => (line.startsWith('To:') ? `${line};tag=browser` : line));
    assert.ok(via !== '' && reply !== undefined);
    socket.send(['SIP/2.0 200 OK', ...reply, 'Content-Length: 0', '', ''].join('\r\n'));
    assert.equal((await sending).status, 200);
  });
});

/** The ACK of a non-2xx final response to `invite` (RFC 3261 §17.1.1.3), so the server transaction stops resending. */
function ackFor(response: SipResponse, invite: SipRequest | undefined): SipRequest {
  assert.ok(invite !== undefined);
  const headers = invite.headers.clone();
  headers.set('To', response.headers.get('To') ?? '');
  headers.set('CSeq', (invite.headers.get('CSeq') ?? '').replace('INVITE', 'ACK'));
  return new SipRequest({ method: 'ACK', uri: invite.uri, headers, body: Buffer.alloc(0) });
}
