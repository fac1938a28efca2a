/**
 * A REGISTER for a domain `missive serve` does not serve, over UDP: the registrar's own 404 Domain Not Served
 * (RFC 3261 §10.3 step 1), not the 405 Method Not Allowed whose Allow header lists REGISTER that the router
 * gave before it reached the registrar. A REGISTER for the served domain still reaches it (401 challenge).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { MissiveProcess } from '../support/missive-process.js';
import { Cleanup } from './harness/cleanup.js';
import { LOOPBACK } from '../support/ports.js';
import { Agent } from '../support/sip-agent.js';
import { loginStep } from '../support/sip-login.js';

const DOMAIN = 'example.test';
const OTHER = 'other.example';

describe('missive: REGISTER for a domain not served', () => {
  const peers = new Cleanup();
  let missive: MissiveProcess;

  before(async () => {
    missive = peers.add(await MissiveProcess.start({ domain: DOMAIN, users: [['alice', 'secret']] }));
  });
  after(() => peers.run());

  test(`REGISTER sip:${OTHER} gets 404 Domain Not Served, not 405`, async () => {
    const server = { host: LOOPBACK, port: missive.ports.sip };
    // The client's domain names the Request-URI (sip:other.example) and the AOR (alice@other.example).
    const foreign = peers.add(await Agent.overUdp('alice', '', server, OTHER, LOOPBACK));
    const request = { method: 'REGISTER', user: 'alice', password: '' } as const;
    const response = await loginStep(foreign, request, randomBytes(8).toString('hex'));
    assert.equal(response.status, 404, `${String(response.status)} ${response.reason}`);
    assert.equal(response.reason, 'Domain Not Served');
    assert.equal(response.headers.get('Allow'), undefined);

    const served = peers.add(await Agent.overUdp('alice', '', server, DOMAIN, LOOPBACK));
    const challenge = await loginStep(served, request, randomBytes(8).toString('hex'));
    assert.equal(challenge.status, 401, 'the served domain still reaches the registrar');
  });
});
