/** Client transactions (RFC 3261 §17.1, RFC 6026): retransmissions, timeouts, the ACK of a failure. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SipResponse } from '../../../src/sip/message/message.js';
import type { ClientFailure, ClientTransactionHandler } from '../../../src/sip/transaction/types.js';
import { isRequest, reply, setup, sipRequest, source, target } from './fixtures.js';

class Recorder implements ClientTransactionHandler {
  readonly responses: number[] = [];
  readonly failures: ClientFailure[] = [];

  onResponse(response: SipResponse): void {
    this.responses.push(response.status);
  }

  onFailure(reason: ClientFailure): void {
    this.failures.push(reason);
  }
}

describe('non-INVITE client transaction', () => {
  test('over UDP the request is retransmitted at T1 doubling to T2 (Timer E), then times out (Timer F)', () => {
    const { layer, transport, clock } = setup();
    const handler = new Recorder();
    layer.sendRequest(sipRequest('MESSAGE'), target(), handler);
    clock.advance(40_000);
    const times = transport.times(isRequest('MESSAGE'));
    assert.deepEqual(times.slice(0, 7), [0, 500, 1500, 3500, 7500, 11_500, 15_500]);
    assert.ok(times.every((t) => t < 32_000));
    assert.deepEqual(handler.failures, ['timeout']);
    assert.equal(layer.clientTransactions, 0);
  });

  test('a provisional moves retransmissions to T2', () => {
    const { layer, transport, clock } = setup();
    const request = sipRequest('MESSAGE');
    const handler = new Recorder();
    layer.sendRequest(request, target(), handler);
    clock.advance(100);
    layer.receive(reply(request, 100), source());
    clock.advance(8_000);
    assert.deepEqual(transport.times(isRequest('MESSAGE')), [0, 4_100, 8_100]);
    assert.deepEqual(handler.responses, [100]);
  });

  test('the final response passes up once; copies are absorbed; Timer K ends it', () => {
    const { layer, clock } = setup();
    const request = sipRequest('MESSAGE');
    const handler = new Recorder();
    const transaction = layer.sendRequest(request, target(), handler);
    layer.receive(reply(request, 200), source());
    layer.receive(reply(request, 200), source());
    assert.deepEqual(handler.responses, [200]);
    assert.equal(transaction.finished, true);
    clock.advance(5_000);
    assert.equal(layer.clientTransactions, 0);
    clock.advance(40_000);
    assert.deepEqual(handler.failures, []);
  });

  test('over TCP nothing is retransmitted and the transaction ends with the final response', () => {
    const { layer, transport, clock } = setup();
    const request = sipRequest('MESSAGE');
    layer.sendRequest(request, target('tcp'), new Recorder());
    clock.advance(10_000);
    assert.equal(transport.times(isRequest('MESSAGE')).length, 1);
    layer.receive(reply(request, 200), source('tcp'));
    assert.equal(layer.clientTransactions, 0);
  });

  test('a transport error is a failure', async () => {
    const { layer, transport } = setup();
    const handler = new Recorder();
    transport.failNext = true;
    layer.sendRequest(sipRequest('MESSAGE'), target('tcp'), handler);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(handler.failures, ['transport-error']);
    assert.equal(layer.clientTransactions, 0);
  });

  test('a response for no transaction is a stray for the TU', () => {
    const { layer, user } = setup();
    layer.receive(reply(sipRequest('MESSAGE', 'z9hG4bKnobody'), 200), source());
    assert.equal(user.strays.length, 1);
  });

  test('a request without a branch cannot start a transaction', () => {
    const { layer } = setup();
    const request = sipRequest('MESSAGE');
    request.headers.delete('Via');
    assert.throws(() => layer.sendRequest(request, target(), new Recorder()), TypeError);
  });
});

describe('INVITE client transaction', () => {
  test('Timer A doubles without a cap; Timer B fails the transaction while Calling', () => {
    const { layer, transport, clock } = setup();
    const handler = new Recorder();
    layer.sendRequest(sipRequest('INVITE'), target(), handler);
    clock.advance(32_000);
    assert.deepEqual(transport.times(isRequest('INVITE')), [0, 500, 1500, 3500, 7500, 15_500, 31_500]);
    assert.deepEqual(handler.failures, ['timeout']);
  });

  test('a provisional stops retransmissions and Timer B', () => {
    const { layer, transport, clock } = setup();
    const invite = sipRequest('INVITE');
    const handler = new Recorder();
    layer.sendRequest(invite, target(), handler);
    layer.receive(reply(invite, 180), source());
    clock.advance(60_000);
    assert.equal(transport.times(isRequest('INVITE')).length, 1);
    assert.deepEqual(handler.failures, []);
    assert.deepEqual(handler.responses, [180]);
  });

  test('a failure is ACKed by the transaction, passed up once, and its copies are ACKed again', () => {
    const { layer, transport, clock } = setup();
    const invite = sipRequest('INVITE');
    const handler = new Recorder();
    layer.sendRequest(invite, target(), handler);
    layer.receive(reply(invite, 486), source());
    layer.receive(reply(invite, 486), source());
    assert.deepEqual(handler.responses, [486]);
    const acks = transport.sent.filter((s) => isRequest('ACK')(s.message)).map((s) => s.message);
    assert.equal(acks.length, 2);
    const ack = acks[0];
    assert.ok(ack?.kind === 'request');
    assert.equal(ack.headers.get('CSeq'), '1 ACK');
    assert.equal(ack.headers.get('Via'), invite.headers.get('Via'));
    assert.match(ack.headers.get('To') ?? '', /tag=b1/);
    assert.equal(ack.headers.get('Route'), '<sip:proxy.example.com;lr>');
    assert.equal(String(ack.uri), String(invite.uri));
    clock.advance(32_000);
    assert.equal(layer.clientTransactions, 0);
  });

  test('after a 2xx (Accepted) every 2xx copy passes up until Timer M', () => {
    const { layer, clock } = setup();
    const invite = sipRequest('INVITE');
    const handler = new Recorder();
    layer.sendRequest(invite, target(), handler);
    layer.receive(reply(invite, 200), source());
    layer.receive(reply(invite, 200), source());
    assert.deepEqual(handler.responses, [200, 200]);
    clock.advance(32_000);
    assert.equal(layer.clientTransactions, 0);
  });

  test('onClientFinal is told of the first final only: not of copies, nor of provisionals', () => {
    const finals: string[] = [];
    const { layer } = setup({
      onClientFinal: (request, response) => finals.push(`${request.method} ${String(response.status)}`),
    });
    const message = sipRequest('MESSAGE');
    layer.sendRequest(message, target(), new Recorder());
    layer.receive(reply(message, 100), source());
    layer.receive(reply(message, 200), source());
    layer.receive(reply(message, 200), source());
    const invite = sipRequest('INVITE');
    const handler = new Recorder();
    layer.sendRequest(invite, target(), handler);
    layer.receive(reply(invite, 180), source());
    layer.receive(reply(invite, 200), source());
    layer.receive(reply(invite, 200), source());
    assert.deepEqual(handler.responses, [180, 200, 200]);
    assert.deepEqual(finals, ['MESSAGE 200', 'INVITE 200']);
  });

  test('ACK cannot be sent in a transaction', () => {
    const { layer } = setup();
    assert.throws(() => layer.sendRequest(sipRequest('ACK'), target(), new Recorder()), TypeError);
  });
});
