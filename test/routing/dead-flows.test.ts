/**
 * RFC 5626 over real sockets, missive being edge proxy and registrar: when the connection that carries an
 * outbound binding (reg-id, +sip.instance) closes, the binding goes, so a MESSAGE to a user with no other
 * device gets the "no registered device" answer (480) rather than 430 for a dead flow. Bindings without reg-id
 * are not flow-bound and stay; so do bindings another instance wrote, or refreshed since over its own
 * connection.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Binding } from '../../src/store/index.js';
import type { Agent } from '../support/sip-agent.js';
import { DOMAIN, type Fixture, startFixture } from './fixture.js';
import { waitFor } from '../support/wait.js';

const instance = (n: number): string => `<urn:uuid:00000000-0000-4000-8000-00000000000${String(n)}>`;

describe('outbound bindings go with their connection (RFC 5626)', () => {
  let fixture: Fixture;
  before(async () => {
    fixture = await startFixture();
  });
  after(async () => {
    await fixture.close();
  });

  const bindings = (user: string): Promise<Binding[]> =>
    fixture.store.locations.lookup(`${user}@${DOMAIN}`, Date.now());

  /** Until `user` has `count` bindings in the store (a short while), then them. */
  async function bindingsDownTo(user: string, count: number): Promise<Binding[]> {
    return waitFor(
      async () => {
        const found = await bindings(user);
        return found.length <= count ? found : undefined;
      },
      `${user} to have ${String(count)} bindings`,
    );
  }

  /** Registers over `agent`'s connection; `regId` undefined: +sip.instance but no reg-id, not a flow. */
  async function register(agent: Agent, n: number, regId: number | undefined): Promise<void> {
    const flow = regId === undefined ? '' : `;ob>;reg-id=${String(regId)};+sip.instance="${instance(n)}"`;
    const contact =
      `<sip:${agent.user}-${String(n)}@127.0.0.1:${String(agent.port)};transport=tcp` +
      (flow === '' ? `>;+sip.instance="${instance(n)}"` : flow);
    const response = await agent.authenticated({
      method: 'REGISTER',
      uri: `sip:${DOMAIN}`,
      to: `<${agent.aor}>`,
      contact,
      extra: [
        ['Supported', 'outbound'],
        ['Expires', '300'],
      ],
    });
    assert.equal(response.status, 200);
  }

  async function send(to: string): Promise<number> {
    const alice = await fixture.agent('alice');
    return (await alice.authenticated({ method: 'MESSAGE', uri: `sip:${to}@${DOMAIN}`, body: 'x' })).status;
  }

  test('a closed TCP flow: its binding is removed and a MESSAGE gets 480, not 430', async () => {
    const before = fixture.service.transports.connections.size;
    const bob = await fixture.agent('bob', 'tcp');
    await register(bob, 1, 1);
    assert.equal((await bindings('bob')).length, 1);
    await bob.stop();
    assert.deepEqual(await bindingsDownTo('bob', 0), []);
    assert.equal(await send('bob'), 480);
    assert.equal(fixture.service.transports.connections.size, before, 'no connection opened toward bob');
  });

  test('a binding without reg-id over the same connection stays', async () => {
    await fixture.store.subscribers.add('carl', DOMAIN, 'secret');
    const carl = await fixture.agent('carl', 'tcp');
    await register(carl, 1, undefined);
    await register(carl, 2, 1);
    assert.equal((await bindings('carl')).length, 2);
    await carl.stop();
    const left = await bindingsDownTo('carl', 1);
    assert.deepEqual(
      left.map((binding) => [binding.instanceId, binding.regId]),
      [[instance(1), undefined]],
    );
  });

  test("bindings of another instance's connections stay, even one refreshed from ours", async () => {
    await fixture.store.subscribers.add('dora', DOMAIN, 'secret');
    const dora = await fixture.agent('dora', 'tcp');
    await register(dora, 1, 1);
    await register(dora, 2, 1);
    const [second] = (await bindings('dora')).filter((binding) => binding.instanceId === instance(2));
    assert.ok(second !== undefined);
    const now = Date.now();
    const elsewhere = {
      transport: 'tcp',
      host: '127.0.0.1',
      port: 1,
      connectionId: 'tcp-0badc0de-1',
    } as const;
    // Device 2 refreshed its binding through another instance, over a connection of that instance.
    assert.equal(
      await fixture.store.locations.upsert({
        ...second,
        cseq: second.cseq + 1,
        source: elsewhere,
        updatedAt: now,
      }),
      'stored',
    );
    // A third device registered through the other instance only.
    await fixture.store.locations.upsert({
      ...second,
      contact: `sip:dora-3@127.0.0.1:1;transport=tcp;ob`,
      instanceId: instance(3),
      callId: 'elsewhere-3',
      source: elsewhere,
      updatedAt: now,
    });
    assert.equal((await bindings('dora')).length, 3);
    await dora.stop();
    const left = await bindingsDownTo('dora', 2);
    assert.deepEqual(left.map((binding) => binding.instanceId).sort(), [instance(2), instance(3)]);
    assert.ok(left.every((binding) => binding.source.connectionId === elsewhere.connectionId));
  });
});
