/**
 * The cap on server transactions (maxServerTransactions): beyond it a new request gets 503 with Retry-After,
 * statelessly and without reaching the TU; what belongs to existing transactions still passes; new requests
 * are taken again once transactions end. On a manual clock.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { getTo } from '../../../src/sip/headers/name-addr.js';
import { createResponse } from '../../../src/sip/message/create-response.js';
import type { SipResponse } from '../../../src/sip/message/message.js';
import { TransactionLayer } from '../../../src/sip/transaction/transaction-layer.js';
import { ManualClock } from '../../support/manual-clock.js';
import { message, parseRequest } from '../helpers.js';
import {
  isRequest,
  isStatus,
  RecordingTransport,
  RecordingUser,
  reply,
  sipRequest,
  source,
  target,
} from './fixtures.js';

const CAP = 3;

function setupCapped() {
  const clock = new ManualClock();
  const transport = new RecordingTransport(clock);
  const user = new RecordingUser();
  const changes: boolean[] = [];
  const layer = new TransactionLayer(transport, {
    clock,
    maxServerTransactions: CAP,
    fullRetryAfterSeconds: 7,
    onFull: (full) => changes.push(full),
  });
  layer.setUser(user);
  return { clock, transport, user, layer, changes };
}

const lastResponse = (transport: RecordingTransport): SipResponse | undefined => {
  const message = transport.sent.at(-1)?.message;
  return message?.kind === 'response' ? message : undefined;
};

describe('server transaction cap', () => {
  test('a request beyond the cap gets 503 with Retry-After, statelessly, and the TU never sees it', () => {
    const { layer, user, transport, clock, changes } = setupCapped();
    for (let i = 0; i < CAP; i++) layer.receive(sipRequest('MESSAGE', `z9hG4bKheld${String(i)}`), source());
    assert.equal(user.requests.length, CAP);
    layer.receive(sipRequest('INVITE', 'z9hG4bKover'), source());
    layer.receive(sipRequest('MESSAGE', 'z9hG4bKover2'), source('tcp'));
    assert.equal(user.requests.length, CAP, 'refused before the TU');
    assert.equal(layer.serverTransactions, CAP, 'the table does not grow');
    const refusals = transport.sent.map((s) => s.message).filter(isStatus(503)) as SipResponse[];
    assert.equal(refusals.length, 2);
    for (const refusal of refusals) {
      assert.equal(refusal.headers.get('Retry-After'), '7');
      assert.ok(getTo(refusal.headers)?.tag !== undefined, 'a To tag, so that the INVITE can be ACKed');
    }
    clock.advance(40_000);
    assert.equal(transport.times(isStatus(503)).length, 2, 'the 503 to the INVITE is not retransmitted');
    assert.deepEqual(changes, [true], 'told once that the table is full');
  });

  test('completed transactions (Timer J records) count, and their retransmissions are still answered', () => {
    const { layer, user, transport, clock } = setupCapped();
    for (let i = 0; i < CAP; i++) {
      const request = sipRequest('MESSAGE', `z9hG4bKdone${String(i)}`);
      layer.receive(request, source());
      user.requests[i]?.respond(createResponse(request, 200));
    }
    assert.equal(layer.serverTransactions, CAP);
    layer.receive(sipRequest('OPTIONS', 'z9hG4bKnew'), source());
    assert.equal(lastResponse(transport)?.status, 503);
    layer.receive(sipRequest('MESSAGE', 'z9hG4bKdone0'), source());
    assert.equal(lastResponse(transport)?.status, 200, 'a retransmission gets its 200 again');
    clock.advance(32_000);
    assert.equal(layer.serverTransactions, 0);
    layer.receive(sipRequest('OPTIONS', 'z9hG4bKlater'), source());
    assert.equal(user.requests.length, CAP + 1, 'taken once the records have expired');
  });

  test('when full: retransmissions, ACKs, CANCEL of a live INVITE and responses to client transactions pass', () => {
    const { layer, user, transport } = setupCapped();
    const invite = sipRequest('INVITE', 'z9hG4bKinv');
    layer.receive(invite, source());
    const failed = sipRequest('INVITE', 'z9hG4bKfailed', 2);
    layer.receive(failed, source());
    layer.receive(sipRequest('MESSAGE', 'z9hG4bKmsg'), source());
    assert.equal(layer.serverTransactions, CAP);

    // A client transaction of the TU (a forwarded branch) still gets its responses.
    const outgoing = sipRequest('MESSAGE', 'z9hG4bKout');
    const got: number[] = [];
    layer.sendRequest(outgoing, target(), {
      onResponse: (response) => got.push(response.status),
      onFailure: () => undefined,
    });
    layer.receive(reply(outgoing, 200), source());
    assert.deepEqual(got, [200]);
    assert.equal(transport.times(isRequest('MESSAGE')).length, 1);

    // A retransmitted INVITE gets its transaction's last response.
    user.requests[0]?.respond(createResponse(invite, 180, undefined, { toTag: 'r' }));
    layer.receive(sipRequest('INVITE', 'z9hG4bKinv'), source());
    assert.equal(transport.times(isStatus(180)).length, 2);

    // The CANCEL of a live INVITE is let in and reaches the TU.
    layer.receive(sipRequest('CANCEL', 'z9hG4bKinv', 1), source());
    assert.equal(user.requests.at(-1)?.request.method, 'CANCEL');
    // A CANCEL that matches no INVITE is refused like any new request.
    layer.receive(sipRequest('CANCEL', 'z9hG4bKnothing', 1), source());
    assert.equal(lastResponse(transport)?.status, 503);

    // The ACK of a failure reaches its transaction (which stops retransmitting).
    const failure = createResponse(failed, 486, undefined, { toTag: 'f' });
    user.requests[1]?.respond(failure);
    const ack = parseRequest(
      message([
        'ACK sip:bob@example.com SIP/2.0',
        'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKfailed',
        'Max-Forwards: 70',
        'From: Alice <sip:alice@example.com>;tag=a1',
        'To: Bob <sip:bob@example.com>;tag=f',
        'Call-ID: call-1@192.0.2.1',
        'CSeq: 2 ACK',
        'Content-Length: 0',
      ]),
    );
    layer.receive(ack, source());
    assert.equal(user.acks.length, 0, 'absorbed by its transaction');
    // An ACK for a 2xx is passed to the TU even when full.
    layer.receive(sipRequest('ACK', 'z9hG4bKack2xx', 1, 'ACK'), source());
    assert.equal(user.acks.length, 1);
  });

  test('once transactions end, new requests are taken again (and the TU is told the table has room)', () => {
    const { layer, user, transport, changes } = setupCapped();
    for (let i = 0; i < CAP; i++)
      layer.receive(sipRequest('MESSAGE', `z9hG4bKheld${String(i)}`), source('tcp'));
    layer.receive(sipRequest('MESSAGE', 'z9hG4bKrefused'), source('tcp'));
    assert.equal(lastResponse(transport)?.status, 503);
    const first = user.requests[0];
    assert.ok(first !== undefined);
    first.respond(createResponse(first.request, 200));
    assert.equal(layer.serverTransactions, CAP - 1, 'over TCP a transaction ends with its final response');
    layer.receive(sipRequest('MESSAGE', 'z9hG4bKrefused'), source('tcp'));
    assert.equal(user.requests.length, CAP + 1, 'the request refused before is taken now');
    assert.deepEqual(changes, [true, false]);
  });

  test('a table hovering at the cap reports "room again" once below 90 % of it, with the requests refused', () => {
    const clock = new ManualClock();
    const transport = new RecordingTransport(clock);
    const user = new RecordingUser();
    const reports: [boolean, number][] = [];
    const layer = new TransactionLayer(transport, {
      clock,
      maxServerTransactions: 10,
      onFull: (full, refused) => reports.push([full, refused]),
    });
    layer.setUser(user);
    for (let i = 0; i < 10; i++) layer.receive(sipRequest('MESSAGE', `z9hG4bKa${String(i)}`), source('tcp'));
    layer.receive(sipRequest('MESSAGE', 'z9hG4bKr1'), source('tcp'));
    layer.receive(sipRequest('MESSAGE', 'z9hG4bKr2'), source('tcp'));
    const end = (i: number): void => {
      const transaction = user.requests[i];
      transaction?.respond(createResponse(transaction.request, 200));
    };
    end(0);
    layer.receive(sipRequest('MESSAGE', 'z9hG4bKin1'), source('tcp'));
    layer.receive(sipRequest('MESSAGE', 'z9hG4bKr3'), source('tcp'));
    assert.deepEqual(reports, [[true, 0]], 'one slot freed and taken again: no report');
    end(1);
    end(2);
    layer.receive(sipRequest('MESSAGE', 'z9hG4bKin2'), source('tcp'));
    assert.deepEqual(reports, [
      [true, 0],
      [false, 3],
    ]);
    assert.equal(transport.times(isStatus(503)).length, 3);
  });

  test('the cap must be a positive whole number', () => {
    const transport = new RecordingTransport(new ManualClock());
    assert.throws(() => new TransactionLayer(transport, { maxServerTransactions: 0 }), RangeError);
    assert.throws(() => new TransactionLayer(transport, { maxServerTransactions: 1.5 }), RangeError);
  });
});
