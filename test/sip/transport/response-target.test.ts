/** Where a response goes (RFC 3261 §18.2.2, RFC 3581 §4). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SipHeaders } from '../../../src/sip/headers/header-list.js';
import { SipResponse } from '../../../src/sip/message/message.js';
import { responseTarget } from '../../../src/sip/transport/response-target.js';

const withVia = (via: string): SipResponse =>
  new SipResponse({ status: 200, reason: 'OK', headers: SipHeaders.of([['Via', via]]) });
const local = { host: '127.0.0.1', port: 5060 };

describe('responseTarget', () => {
  test('UDP: received and rport win over sent-by', () => {
    assert.deepEqual(responseTarget(withVia('SIP/2.0/UDP a.example:5070;received=192.0.2.1;rport=4000')), {
      transport: 'udp',
      host: '192.0.2.1',
      port: 4000,
      connectionId: undefined,
    });
  });

  test('sent-by and the default port without received/rport; 5061 for TLS', () => {
    assert.equal(responseTarget(withVia('SIP/2.0/UDP a.example;branch=z9hG4bK1'))?.port, 5060);
    assert.equal(responseTarget(withVia('SIP/2.0/TLS a.example;branch=z9hG4bK1'))?.port, 5061);
    assert.equal(responseTarget(withVia('SIP/2.0/TCP a.example:7000'))?.host, 'a.example');
  });

  test('a stream response keeps the connection of its request', () => {
    const source = {
      transport: 'tcp',
      host: '192.0.2.1',
      port: 40000,
      connectionId: 'tcp-7',
      local,
    } as const;
    assert.equal(
      responseTarget(withVia('SIP/2.0/TCP a.example;received=192.0.2.1'), source)?.connectionId,
      'tcp-7',
    );
    const udpSource = { transport: 'udp', host: '192.0.2.1', port: 40000, local } as const;
    assert.equal(responseTarget(withVia('SIP/2.0/TCP a.example'), udpSource)?.connectionId, undefined);
  });

  test('WS and WSS: the connection of the request, whichever of the two the Via names', () => {
    const source = { transport: 'ws', host: '192.0.2.1', port: 40000, connectionId: 'ws-3', local } as const;
    assert.deepEqual(responseTarget(withVia('SIP/2.0/WS a.invalid;received=192.0.2.1;rport=40000'), source), {
      transport: 'ws',
      host: '192.0.2.1',
      port: 40000,
      connectionId: 'ws-3',
    });
    // A client behind a TLS-terminating proxy says WSS on a ws connection.
    const target = responseTarget(withVia('SIP/2.0/WSS a.invalid;received=192.0.2.1'), source);
    assert.equal(target?.transport, 'ws');
    assert.equal(target.connectionId, 'ws-3');
    assert.equal(responseTarget(withVia('SIP/2.0/WSS a.invalid'))?.transport, 'wss');
  });

  test('a request that came over UDP is answered over UDP whatever its Via says (no connection made)', () => {
    const udpSource = { transport: 'udp', host: '192.0.2.1', port: 40000, local } as const;
    // RFC 3581 §4: rport stamped by the transport sends it back to the source port.
    assert.deepEqual(
      responseTarget(withVia('SIP/2.0/TCP a.example:7000;received=192.0.2.1;rport=40000'), udpSource),
      { transport: 'udp', host: '192.0.2.1', port: 40000, connectionId: undefined },
    );
    // Without rport, RFC 3261 §18.2.2 for UDP: received and the sent-by port.
    assert.deepEqual(responseTarget(withVia('SIP/2.0/TLS a.example:7000;received=192.0.2.1'), udpSource), {
      transport: 'udp',
      host: '192.0.2.1',
      port: 7000,
      connectionId: undefined,
    });
    assert.equal(responseTarget(withVia('SIP/2.0/TLS a.example;received=192.0.2.1'), udpSource)?.port, 5060);
  });

  test('a request that came on a connection is answered on it whatever its Via says', () => {
    const source = {
      transport: 'tcp',
      host: '192.0.2.1',
      port: 40000,
      connectionId: 'tcp-9',
      local,
    } as const;
    assert.deepEqual(
      responseTarget(withVia('SIP/2.0/UDP a.example;received=192.0.2.1;rport=40000'), source),
      {
        transport: 'tcp',
        host: '192.0.2.1',
        port: 40000,
        connectionId: 'tcp-9',
      },
    );
  });

  test('no usable Via or an unknown transport: no target', () => {
    assert.equal(responseTarget(new SipResponse({ status: 200, reason: 'OK' })), undefined);
    assert.equal(responseTarget(withVia('SIP/2.0/SCTP a.example')), undefined);
  });
});
