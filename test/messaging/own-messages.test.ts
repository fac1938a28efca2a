/**
 * sameDevice: how the sending device is told apart from the account's other registrations; the server's own
 * MESSAGEs to an account's devices over real TCP flows.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DeviceMessageSender, type OwnMessage } from '../../src/messaging/own-messages.js';
import { ProxyOutbound, sameDevice } from '../../src/routing/outbound-requests.js';
import { Locations } from '../../src/registrar/locations.js';
import { systemClock } from '../../src/time/clock.js';
import type { Agent } from '../support/sip-agent.js';
import { eventually } from '../support/wait.js';
import { DOMAIN, type Fixture, PASSWORD, startFixture } from '../routing/fixture.js';
import type { Binding, BindingSource } from '../../src/store/location/binding.js';
import type { MessageSource } from '../../src/sip/transport/types.js';

function binding(source: BindingSource): Binding {
  return {
    aor: 'alice@example.test',
    contact: `sip:alice@${source.host}:${String(source.port)}`,
    expiresAt: Date.now() + 60_000,
    callId: 'c',
    cseq: 1,
    path: [],
    source,
    updatedAt: Date.now(),
  };
}

const local = { host: '127.0.0.1', port: 5060 };

describe('sameDevice', () => {
  it('compares the flow: connection id for streams, transport/host/port otherwise', () => {
    const udp: MessageSource = { transport: 'udp', host: '10.0.0.1', port: 5062, local };
    assert.ok(sameDevice(binding({ transport: 'udp', host: '10.0.0.1', port: 5062 }), udp));
    assert.ok(!sameDevice(binding({ transport: 'udp', host: '10.0.0.1', port: 5063 }), udp));
    assert.ok(!sameDevice(binding({ transport: 'tcp', host: '10.0.0.1', port: 5062 }), udp));
    const tcp: MessageSource = { transport: 'tcp', host: '10.0.0.1', port: 40000, connectionId: 'c7', local };
    assert.ok(sameDevice(binding({ transport: 'tcp', host: '10.0.0.1', port: 1, connectionId: 'c7' }), tcp));
    assert.ok(
      !sameDevice(binding({ transport: 'tcp', host: '10.0.0.1', port: 40000, connectionId: 'c8' }), tcp),
    );
  });
});

/**
 * DeviceMessageSender over real TCP flows (RFC 5626): one copy per device, an outbound device's flows taking
 * turns, and the device a message came from left out over all its flows.
 */
describe('DeviceMessageSender and outbound flows', () => {
  const INSTANCE = '<urn:uuid:00000000-0000-4000-8000-0000000000aa>';
  let fixture: Fixture;
  let sender: DeviceMessageSender;
  before(async () => {
    fixture = await startFixture();
    for (const user of ['ivan', 'judy', 'mallory'])
      await fixture.store.subscribers.add(user, DOMAIN, PASSWORD);
    sender = new DeviceMessageSender({
      requests: new ProxyOutbound({
        transactions: fixture.service.transactions,
        local: fixture.service.local,
        locations: new Locations(fixture.store.locations, systemClock),
        outbound: fixture.service.outbound,
      }),
    });
  });
  after(async () => {
    await fixture.close();
  });

  /** Two flows of one outbound device (reg-id 1, then the more recent 2) and a device without outbound. */
  async function devices(user: string): Promise<{ flows: Agent[]; other: Agent }> {
    const flows = [await fixture.agent(user, 'tcp'), await fixture.agent(user, 'tcp')];
    for (const [index, flow] of flows.entries()) {
      const registered = await flow.authenticated({
        method: 'REGISTER',
        uri: `sip:${DOMAIN}`,
        to: `<${flow.aor}>`,
        contact: `<sip:${user}@127.0.0.1:${String(flow.port)};transport=tcp;ob>;reg-id=${String(index + 1)};+sip.instance="${INSTANCE}"`,
        extra: [
          ['Supported', 'outbound'],
          ['Expires', '300'],
        ],
      });
      assert.equal(registered.status, 200);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const other = await fixture.agent(user, 'tcp');
    assert.equal((await other.register()).status, 200);
    return { flows, other };
  }

  /**
   * Sends with `send`, each of `agents` (named flow 1, flow 2, other…) answering `status`: how many devices the
   * sender counted, and which agents got the MESSAGE. An OPTIONS round trip per agent after the sender's answer
   * is the sign that a copy on its way to an agent would have arrived.
   */
  async function receivers(
    send: () => Promise<number>,
    agents: readonly Agent[],
    status: (agent: Agent) => number = () => 200,
    names: readonly string[] = ['flow 1', 'flow 2', 'other'],
    /**
     * Agents that get their copy only after another's answer (a retry on 430): the sender's count comes before
     * it, so the wait is for that copy (bounded), not for the round trips alone.
     */
    late: readonly string[] = [],
  ): Promise<[number, string[]]> {
    const answering = agents.map((agent) => agent.answering('MESSAGE', () => status(agent)));
    try {
      const sent = await send();
      await eventually(
        () => late.every((name) => (answering[names.indexOf(name)]?.count() ?? 0) > 0),
        `a copy for ${late.join(', ')}`,
      );
      for (const agent of agents) await agent.roundTrip();
      return [
        sent,
        agents.flatMap((_, index) =>
          (answering[index]?.count() ?? 0) > 0 ? [names[index] ?? String(index)] : [],
        ),
      ];
    } finally {
      for (const counter of answering) counter.stop();
    }
  }

  function message(user: string, exceptSource?: MessageSource): OwnMessage {
    return {
      deliverTo: `${user}@${DOMAIN}`,
      from: `sip:${user}@${DOMAIN}`,
      to: `sip:bob@${DOMAIN}`,
      contentType: 'text/plain',
      body: 'copy',
      headers: [['X-Replicated-Message', 'yes']],
      exceptSource,
    };
  }

  it('one copy per device: the most recent flow of an outbound device, the next one on 430', async () => {
    const { flows, other } = await devices('ivan');
    const [sent, got] = await receivers(() => sender.send(message('ivan')), [...flows, other]);
    assert.equal(sent, 2);
    assert.deepEqual(got, ['flow 2', 'other'], 'the outbound device once, over its most recent flow');

    const [again, retried] = await receivers(
      () => sender.send(message('ivan')),
      [...flows, other],
      (agent) => (agent === flows[1] ? 430 : 200),
      undefined,
      ['flow 1'],
    );
    assert.equal(again, 2);
    assert.deepEqual(retried, ['flow 1', 'flow 2', 'other'], 'flow 2 answered 430: flow 1 carried it');
  });

  it('the sending device gets no copy over its other flow (same +sip.instance)', async () => {
    const { flows, other } = await devices('judy');
    const bindings = await fixture.store.locations.lookup(`judy@${DOMAIN}`, Date.now());
    const first = bindings.find((binding) => binding.regId === 1);
    assert.ok(first !== undefined);
    // What the MESSAGE came on: the older flow, as the server saw it.
    const source: MessageSource = { ...first.source, local: { host: '127.0.0.1', port: 0 } };
    const [sent, got] = await receivers(() => sender.send(message('judy', source)), [...flows, other]);
    assert.equal(sent, 1);
    assert.deepEqual(got, ['other']);
  });

  it('a device without +sip.instance is left out by its connection only', async () => {
    const a = await fixture.agent('mallory', 'tcp');
    const b = await fixture.agent('mallory', 'tcp');
    for (const agent of [a, b]) assert.equal((await agent.register()).status, 200);
    const bindings = await fixture.store.locations.lookup(`mallory@${DOMAIN}`, Date.now());
    const ofA = bindings.find((binding) => binding.contact.includes(`:${String(a.port)};`));
    assert.ok(ofA !== undefined);
    const source: MessageSource = { ...ofA.source, local: { host: '127.0.0.1', port: 0 } };
    const [sent, got] = await receivers(() => sender.send(message('mallory', source)), [a, b], undefined, [
      'a',
      'b',
    ]);
    assert.equal(sent, 1);
    assert.deepEqual(got, ['b']);
  });
});
