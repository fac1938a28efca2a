/** Server transactions (RFC 3261 §17.2, RFC 6026): retransmission absorption and the timers, on a manual clock. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createResponse } from '../../../src/sip/message/create-response.js';
import { isRequest, isStatus, reply, setup, sipRequest, source } from './fixtures.js';

describe('non-INVITE server transaction', () => {
  test('the TU sees a request once; retransmissions get the last response again', () => {
    const { layer, user, transport } = setup();
    const request = sipRequest('MESSAGE');
    layer.receive(request, source());
    layer.receive(sipRequest('MESSAGE'), source());
    assert.equal(user.requests.length, 1);
    assert.equal(transport.sent.length, 0, 'nothing to resend before the TU answers');
    user.requests[0]?.respond(createResponse(request, 200));
    layer.receive(sipRequest('MESSAGE'), source());
    assert.equal(user.requests.length, 1);
    assert.equal(transport.times(isStatus(200)).length, 2);
  });

  test('a provisional is resent for a retransmission in Proceeding', () => {
    const { layer, user, transport } = setup();
    const request = sipRequest('MESSAGE');
    layer.receive(request, source());
    user.requests[0]?.respond(createResponse(request, 100));
    layer.receive(sipRequest('MESSAGE'), source());
    assert.deepEqual(
      transport.sent.map((s) => s.message.kind === 'response' && s.message.status),
      [100, 100],
    );
  });

  test('Timer J keeps a UDP transaction 64*T1 after its final response, as bytes, then a copy is new', () => {
    const { layer, user, clock } = setup();
    const request = sipRequest('MESSAGE');
    layer.receive(request, source());
    user.requests[0]?.respond(createResponse(request, 200));
    clock.advance(31_999);
    assert.equal(layer.serverTransactions, 1);
    clock.advance(1);
    assert.equal(layer.serverTransactions, 0);
    layer.receive(sipRequest('MESSAGE'), source());
    assert.equal(user.requests.length, 2);
  });

  test('over TCP the transaction ends with its final response', () => {
    const { layer, user } = setup();
    const request = sipRequest('MESSAGE');
    layer.receive(request, source('tcp'));
    user.requests[0]?.respond(createResponse(request, 200));
    assert.equal(layer.serverTransactions, 0);
  });

  test('a second final response is ignored', () => {
    const { layer, user, transport } = setup();
    const request = sipRequest('MESSAGE');
    layer.receive(request, source());
    user.requests[0]?.respond(createResponse(request, 200));
    user.requests[0]?.respond(createResponse(request, 500));
    assert.deepEqual(transport.times(isStatus(500)), []);
    assert.equal(user.requests[0]?.finished, true);
  });

  test('a response that cannot be sent ends the transaction', async () => {
    const { layer, user, transport } = setup();
    const request = sipRequest('MESSAGE');
    layer.receive(request, source());
    transport.failNext = true;
    user.requests[0]?.respond(createResponse(request, 100));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(layer.serverTransactions, 0);
  });

  test('different branches, and the same branch with another method, are different transactions', () => {
    const { layer, user } = setup();
    layer.receive(sipRequest('MESSAGE', 'z9hG4bKone'), source());
    layer.receive(sipRequest('MESSAGE', 'z9hG4bKtwo'), source());
    layer.receive(sipRequest('OPTIONS', 'z9hG4bKone'), source());
    assert.equal(user.requests.length, 3);
  });

  test('RFC 2543 requests (no magic cookie) match by Call-ID, CSeq, From tag and Via', () => {
    const { layer, user } = setup();
    layer.receive(sipRequest('MESSAGE', 'old1'), source());
    layer.receive(sipRequest('MESSAGE', 'old1'), source());
    layer.receive(sipRequest('MESSAGE', 'old1', 2), source());
    assert.equal(user.requests.length, 2);
  });
});

describe('INVITE server transaction', () => {
  test('100 Trying goes out after 200 ms when the TU has not answered', () => {
    const { layer, transport, clock } = setup();
    layer.receive(sipRequest('INVITE'), source());
    clock.advance(199);
    assert.equal(transport.sent.length, 0);
    clock.advance(1);
    assert.deepEqual(transport.times(isStatus(100)), [200]);
  });

  test('no 100 Trying when the TU answered in time', () => {
    const { layer, user, transport, clock } = setup();
    const invite = sipRequest('INVITE');
    layer.receive(invite, source());
    user.requests[0]?.respond(createResponse(invite, 180, undefined, { toTag: 't' }));
    clock.advance(1000);
    assert.deepEqual(transport.times(isStatus(100)), []);
  });

  test('a failure is retransmitted (Timer G, capped at T2) until Timer H without an ACK', () => {
    const { layer, user, transport, clock } = setup();
    const invite = sipRequest('INVITE');
    layer.receive(invite, source());
    user.requests[0]?.respond(createResponse(invite, 486, undefined, { toTag: 't' }));
    clock.advance(40_000);
    const times = transport.times(isStatus(486));
    assert.deepEqual(times.slice(0, 6), [0, 500, 1500, 3500, 7500, 11_500]);
    assert.ok(times.every((t) => t < 32_000));
    assert.equal(layer.serverTransactions, 0);
  });

  test('the ACK for a failure stops retransmissions, is absorbed, and Timer I ends the transaction', () => {
    const { layer, user, transport, clock } = setup();
    const invite = sipRequest('INVITE');
    layer.receive(invite, source());
    user.requests[0]?.respond(createResponse(invite, 486, undefined, { toTag: 't' }));
    clock.advance(600);
    layer.receive(sipRequest('ACK', 'z9hG4bKone', 1, 'ACK'), source());
    layer.receive(sipRequest('ACK', 'z9hG4bKone', 1, 'ACK'), source());
    clock.advance(4_000);
    assert.equal(transport.times(isStatus(486)).length, 2);
    assert.equal(user.acks.length, 0, 'the ACK of a failure is hop-by-hop');
    assert.equal(layer.serverTransactions, 1);
    clock.advance(1_000);
    assert.equal(layer.serverTransactions, 0);
  });

  test('retransmitted INVITEs get the last provisional or failure again', () => {
    const { layer, user, transport } = setup();
    const invite = sipRequest('INVITE');
    layer.receive(invite, source());
    user.requests[0]?.respond(createResponse(invite, 180, undefined, { toTag: 't' }));
    layer.receive(sipRequest('INVITE'), source());
    user.requests[0]?.respond(createResponse(invite, 603, undefined, { toTag: 't' }));
    layer.receive(sipRequest('INVITE'), source());
    assert.deepEqual(
      transport.sent.map((s) => s.message.kind === 'response' && s.message.status),
      [180, 180, 603, 603],
    );
    assert.equal(user.requests.length, 1);
  });

  test('after a 2xx (Accepted) INVITE copies are absorbed, 2xx copies pass and the ACK goes to the TU', () => {
    const { layer, user, transport, clock } = setup();
    const invite = sipRequest('INVITE');
    layer.receive(invite, source());
    const ok = createResponse(invite, 200, undefined, { toTag: 't' });
    user.requests[0]?.respond(ok);
    layer.receive(sipRequest('INVITE'), source());
    user.requests[0]?.respond(ok);
    assert.equal(transport.times(isStatus(200)).length, 2);
    layer.receive(sipRequest('ACK', 'z9hG4bKack', 1, 'ACK'), source());
    assert.equal(user.acks.length, 1);
    clock.advance(32_000);
    assert.equal(layer.serverTransactions, 0);
    assert.equal(transport.times(isRequest('INVITE')).length, 0);
  });

  test('findInvite finds the INVITE a CANCEL refers to', () => {
    const { layer, user } = setup();
    layer.receive(sipRequest('INVITE'), source());
    const cancel = sipRequest('CANCEL', 'z9hG4bKone', 1);
    layer.receive(cancel, source());
    assert.equal(user.requests.length, 2, 'the CANCEL is a transaction of its own');
    assert.equal(layer.findInvite(cancel), user.requests[0]);
    assert.equal(layer.findInvite(sipRequest('CANCEL', 'z9hG4bKother')), undefined);
    assert.equal(reply(cancel, 200).status, 200);
  });
});
