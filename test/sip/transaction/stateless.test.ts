/**
 * Stateless final responses (RFC 3261 §8.2.7, as Kamailio's sl_send_reply): one response per request
 * received, nothing retransmitted or kept, a To tag that is the same for every copy of a request, and the ACK
 * of such a response absorbed by the layer, on a manual clock.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { getTo } from '../../../src/sip/headers/name-addr.js';
import { createResponse } from '../../../src/sip/message/create-response.js';
import type { SipRequest, SipResponse } from '../../../src/sip/message/message.js';
import { message, parseRequest } from '../helpers.js';
import { isStatus, setup, sipRequest, source } from './fixtures.js';

/** The ACK a UAC sends for a non-2xx final response: the INVITE's branch, the response's To (RFC 3261 §17.1.1.3). */
function ackFor(response: SipResponse, branch = 'z9hG4bKone'): SipRequest {
  return parseRequest(
    message([
      'ACK sip:bob@example.com SIP/2.0',
      `Via: SIP/2.0/UDP 192.0.2.1:5060;branch=${branch}`,
      'Max-Forwards: 70',
      'From: Alice <sip:alice@example.com>;tag=a1',
      `To: ${response.headers.get('To') ?? ''}`,
      'Call-ID: call-1@192.0.2.1',
      'CSeq: 1 ACK',
      'Route: <sip:proxy.example.com;lr>',
      'Content-Length: 0',
    ]),
  );
}

function responses(sent: readonly { message: { kind: string } }[]): SipResponse[] {
  return sent.map((s) => s.message).filter((m): m is SipResponse => m.kind === 'response');
}

describe('stateless responses', () => {
  test('an INVITE refused statelessly gets its 407 once: no retransmission, no 100 Trying, nothing kept', () => {
    const { layer, user, transport, clock } = setup();
    const invite = sipRequest('INVITE');
    layer.receive(invite, source());
    user.requests[0]?.respondStatelessly(createResponse(invite, 407));
    assert.equal(layer.serverTransactions, 0, 'no transaction kept');
    assert.equal(user.requests[0]?.finished, true);
    clock.advance(40_000);
    assert.deepEqual(transport.times(isStatus(407)), [0]);
    assert.deepEqual(transport.times(isStatus(100)), []);
  });

  test('a retransmitted INVITE is a new request, answered once more, with the same To tag', () => {
    const { layer, user, transport, clock } = setup();
    layer.receive(sipRequest('INVITE'), source());
    user.requests[0]?.respondStatelessly(createResponse(sipRequest('INVITE'), 407));
    clock.advance(500);
    layer.receive(sipRequest('INVITE'), source());
    assert.equal(user.requests.length, 2, 'the TU judges the copy again');
    user.requests[1]?.respondStatelessly(createResponse(sipRequest('INVITE'), 407));
    clock.advance(40_000);
    const [first, second] = responses(transport.sent);
    assert.deepEqual(transport.times(isStatus(407)), [0, 500]);
    const tag = first === undefined ? undefined : getTo(first.headers)?.tag;
    assert.ok(tag !== undefined && tag.length > 0, 'a To tag is added (RFC 3261 §8.2.6.2)');
    assert.equal(second === undefined ? undefined : getTo(second.headers)?.tag, tag);
  });

  test('requests that differ get different To tags, replacing the one the TU chose', () => {
    const { layer, user, transport } = setup();
    for (const [branch, seq] of [
      ['z9hG4bKone', 1],
      ['z9hG4bKtwo', 2],
    ] as const) {
      const invite = sipRequest('INVITE', branch, seq);
      layer.receive(invite, source());
      user.requests.at(-1)?.respondStatelessly(createResponse(invite, 407, undefined, { toTag: 'chosen' }));
    }
    const tags = responses(transport.sent).map((r) => getTo(r.headers)?.tag);
    assert.equal(tags.length, 2);
    assert.notEqual(tags[0], tags[1]);
    assert.ok(!tags.includes('chosen'));
  });

  test('the ACK of a stateless response is absorbed; the ACK of a 2xx with another To tag reaches the TU', () => {
    const { layer, user, transport } = setup();
    const invite = sipRequest('INVITE');
    layer.receive(invite, source());
    user.requests[0]?.respondStatelessly(createResponse(invite, 407));
    const [challenge] = responses(transport.sent);
    assert.ok(challenge !== undefined);
    layer.receive(ackFor(challenge), source());
    layer.receive(ackFor(challenge), source());
    assert.equal(user.acks.length, 0, 'absorbed, never passed on to be forwarded');
    assert.equal(user.requests.length, 1, 'nor taken for a new request');
    const fromDevice = createResponse(invite, 200, undefined, { toTag: 'device-tag' });
    layer.receive(ackFor(fromDevice, 'z9hG4bKack2xx'), source());
    assert.equal(user.acks.length, 1);
  });

  test('a non-INVITE refused statelessly keeps no Timer J record: its retransmission reaches the TU again', () => {
    const { layer, user, transport } = setup();
    layer.receive(sipRequest('MESSAGE'), source());
    user.requests[0]?.respondStatelessly(createResponse(sipRequest('MESSAGE'), 407));
    assert.equal(layer.serverTransactions, 0);
    layer.receive(sipRequest('MESSAGE'), source());
    assert.equal(user.requests.length, 2);
    assert.equal(transport.times(isStatus(407)).length, 1);
  });

  test('after a stateful final response, respondStatelessly is ignored', () => {
    const { layer, user, transport } = setup();
    const request = sipRequest('MESSAGE');
    layer.receive(request, source('tcp'));
    user.requests[0]?.respond(createResponse(request, 200));
    user.requests[0]?.respondStatelessly(createResponse(request, 407));
    assert.deepEqual(
      responses(transport.sent).map((r) => r.status),
      [200],
    );
  });
});
