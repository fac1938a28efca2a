/**
 * A local branch that holds the final answer (LocalTarget.holdsFinal, the messaging application's): a device's
 * 200 waits until the application has answered, and the application's 5xx (a storage failure) is the answer
 * even when a device took the MESSAGE, so that the sender retries. Real sockets, a scripted application.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { MessagingApplication } from '../../src/routing/messaging-hook.js';
import type { LocalAnswer } from '../../src/routing/proxy/forward-target.js';
import { DOMAIN, type Fixture, startFixture } from './fixture.js';

/** An application whose answers the test releases by hand. */
class ScriptedApplication implements MessagingApplication {
  readonly pending: ((answer: LocalAnswer) => void)[] = [];
  #arrived: (() => void) | undefined;

  branchFor() {
    return {
      kind: 'local' as const,
      name: 'scripted',
      holdsFinal: true,
      handle: () =>
        new Promise<LocalAnswer>((resolve) => {
          this.pending.push(resolve);
          this.#arrived?.();
        }),
    };
  }

  async arrived(): Promise<(answer: LocalAnswer) => void> {
    if (this.pending.length === 0) await new Promise<void>((resolve) => (this.#arrived = resolve));
    const next = this.pending.shift();
    assert.ok(next !== undefined);
    return next;
  }
}

describe('a local branch holding the final answer', () => {
  let fixture: Fixture;
  const app = new ScriptedApplication();
  before(async () => {
    fixture = await startFixture({ messaging: app });
  });
  after(async () => {
    await fixture.close();
  });

  test("a device's 200 is held until the application answers", async () => {
    const alice = await fixture.agent('alice');
    const bob = await fixture.agent('bob');
    assert.equal((await bob.register()).status, 200);
    let answered = false;
    const sending = alice
      .authenticated({ method: 'MESSAGE', uri: `sip:bob@${DOMAIN}`, body: 'one' })
      .then((response) => {
        answered = true;
        return response;
      });
    const release = await app.arrived();
    await bob.answer(await bob.incoming('MESSAGE'), 200);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(answered, false, 'no 200 before the application has answered');
    release({ status: 200 });
    assert.equal((await sending).status, 200);
    await bob.register(0);
  });

  test("the application's 500 is the answer even when a device took the MESSAGE", async () => {
    const alice = await fixture.agent('alice');
    const bob = await fixture.agent('bob');
    assert.equal((await bob.register()).status, 200);
    const sending = alice.authenticated({ method: 'MESSAGE', uri: `sip:bob@${DOMAIN}`, body: 'two' });
    const release = await app.arrived();
    await bob.answer(await bob.incoming('MESSAGE'), 200);
    release({ status: 500, reason: 'Storage Failure' });
    assert.equal((await sending).status, 500);
    await bob.register(0);
  });

  test("with no device online the application's 200 is the answer at once", async () => {
    const alice = await fixture.agent('alice');
    const sending = alice.authenticated({ method: 'MESSAGE', uri: `sip:carol@${DOMAIN}`, body: 'three' });
    (await app.arrived())({ status: 200 });
    assert.equal((await sending).status, 200);
  });
});
