/**
 * A CANCEL that arrives while the INVITE's next hop is still being located (a slow DNS server): the branch
 * ends with 487 once the locator answers, and nothing is sent to the target it found. The locator here is a
 * stand-in that answers when the test says so; the sockets are real.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LocatedTarget, ServerLocator } from '../../src/sip/dns/locator.js';
import { SipRequest, type SipResponse } from '../../src/sip/message/message.js';
import type { SipUri } from '../../src/sip/uri.js';
import { LOOPBACK } from '../support/ports.js';
import { Agent } from '../support/sip-agent.js';
import { DOMAIN, type Fixture, startFixture } from './fixture.js';

/** Holds each location until `answer` is called. */
class HeldLocator implements ServerLocator {
  readonly asked: string[] = [];
  #release: ((targets: LocatedTarget[]) => void) | undefined;
  readonly #firstAsked: Promise<void>;
  #onAsked: (() => void) | undefined;

  constructor() {
    this.#firstAsked = new Promise((resolve) => (this.#onAsked = resolve));
  }

  locate(uri: SipUri): Promise<LocatedTarget[]> {
    this.asked.push(String(uri));
    this.#onAsked?.();
    return new Promise((resolve) => (this.#release = resolve));
  }

  /** Resolves once the proxy has asked for a location. */
  wasAsked(): Promise<void> {
    return this.#firstAsked;
  }

  answer(targets: LocatedTarget[]): void {
    this.#release?.(targets);
  }
}

describe('CANCEL of an INVITE whose next hop is being located', () => {
  let fixture: Fixture;
  let callee: Agent;
  const locator = new HeldLocator();

  before(async () => {
    fixture = await startFixture({ trustedPeers: ['127.0.0.1/32'], locator });
    callee = await new Agent('user', 'peer.test', 'unused', {
      transport: 'udp',
      host: LOOPBACK,
      port: 9,
    }).start();
  });
  after(async () => {
    await callee.stop();
    await fixture.close();
  });

  test('the caller gets 487 and the located target never sees the INVITE', async () => {
    const caller = await fixture.agent('alice');
    const invite = caller.request({ method: 'INVITE', uri: 'sip:user@slow.test' });
    await caller.send(invite);
    await locator.wasAsked();
    assert.deepEqual(locator.asked, ['sip:user@slow.test']);

    const cancel = new SipRequest({ method: 'CANCEL', uri: invite.uri, headers: invite.headers.clone() });
    cancel.headers.set('CSeq', (invite.headers.get('CSeq') ?? '').replace('INVITE', 'CANCEL'));
    assert.equal((await caller.transact(cancel)).status, 200);
    locator.answer([{ transport: 'udp', host: LOOPBACK, port: callee.port }]);

    const final = await caller.next(
      (m) => m.kind === 'response' && m.status >= 200 && m.headers.get('CSeq')?.endsWith('INVITE') === true,
    );
    assert.equal((final.message as SipResponse).status, 487);
    // An INVITE sent once located would have reached the callee before the answer to its own OPTIONS.
    const port = fixture.ports.get('udp');
    assert.ok(port !== undefined);
    await callee.roundTrip({ transport: 'udp', host: LOOPBACK, port }, DOMAIN);
    assert.equal(
      callee.has((m) => m.kind === 'request' && m.method === 'INVITE'),
      false,
      'nothing was sent once cancelled',
    );
  });
});
