/** A 'message' listener that throws costs that message only: the layer reports it and keeps serving. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TransportLayer } from '../../../src/sip/transport/transport-layer.js';
import { request, UdpPeer } from './helpers.js';
import { eventually } from '../../support/wait.js';

const failures: unknown[] = [];
const layer = new TransportLayer({
  onListenerError: (error) => {
    failures.push(error);
  },
});
const peer = new UdpPeer();
let serverPort = 0;

before(async () => {
  serverPort = (await layer.listen('udp', '127.0.0.1', 0)).port;
  await peer.bind();
});
after(async () => {
  peer.close();
  await layer.close();
});

test('a throwing listener is reported and the next message is still delivered', async () => {
  let calls = 0;
  layer.on('message', () => {
    calls++;
    if (calls === 1) throw new Error('handler bug');
  });
  peer.send(request({ via: 'SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKe1' }), serverPort);
  await eventually(() => failures.length === 1);
  assert.match(String(failures[0]), /handler bug/);
  peer.send(request({ via: 'SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKe2' }), serverPort);
  await eventually(() => calls === 2);
  assert.equal(failures.length, 1);
});
