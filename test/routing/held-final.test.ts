/**
 * A local branch that holds the final answer (LocalTarget.holdsFinal, the messaging application's): a device's
 * 200 waits until the application has answered, and the application's 5xx (a storage failure) is the answer
 * even when a device took the MESSAGE, so that the sender retries. An afterSuccess branch (the sender's copy of
 * a MESSAGE to another domain) runs only on that domain's 2xx, which it holds the same way. Real sockets, a
 * scripted application.
 */
import assert from 'node:assert/strict';
import { describe, type TestContext, test } from 'node:test';
import type { LocalApplication } from '../../src/routing/local-application.js';
import type { LocalAnswer } from '../../src/routing/proxy/forward-target.js';
import { DOMAIN, type Fixture, fixtureFor } from './fixture.js';

/** An application whose answers the test releases by hand. */
class ScriptedApplication implements LocalApplication {
  readonly methods: ReadonlySet<string> = new Set(['MESSAGE']);
  readonly pending: ((answer: LocalAnswer) => void)[] = [];
  #arrived: (() => void) | undefined;

  outgoingRuns = 0;

  decide() {
    const branch = {
      kind: 'local' as const,
      name: 'scripted',
      holdsFinal: true,
      handle: () => this.#answer(),
    };
    return Promise.resolve({ kind: 'fork' as const, branch });
  }

  outgoingBranchFor() {
    const handle = (): Promise<LocalAnswer> => {
      this.outgoingRuns++;
      return this.#answer();
    };
    return { kind: 'local' as const, name: 'scripted copy', afterSuccess: true, handle };
  }

  #answer(): Promise<LocalAnswer> {
    return new Promise<LocalAnswer>((resolve) => {
      this.pending.push(resolve);
      this.#arrived?.();
    });
  }

  /** The next branch to answer; rejects when none runs within 3 s. */
  async arrived(): Promise<(answer: LocalAnswer) => void> {
    if (this.pending.length === 0)
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new Error('no application branch ran'));
        }, 3000);
        this.#arrived = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    const next = this.pending.shift();
    assert.ok(next !== undefined);
    return next;
  }
}

/** A fixture and a scripted application of the test's own, closed when it ends. */
async function setUp(t: TestContext): Promise<{ fixture: Fixture; app: ScriptedApplication }> {
  const app = new ScriptedApplication();
  return { fixture: await fixtureFor(t, { messaging: app }), app };
}

/** Notes when `response` has settled. */
function watched<T>(response: Promise<T>): { readonly response: Promise<T>; settled(): boolean } {
  let settled = false;
  const tracked = response.finally(() => {
    settled = true;
  });
  return { response: tracked, settled: () => settled };
}

describe('a local branch holding the final answer', () => {
  test("a device's 200 is held until the application answers", async (t) => {
    const { fixture, app } = await setUp(t);
    const alice = await fixture.agent('alice');
    const bob = await fixture.agent('bob');
    assert.equal((await bob.register()).status, 200);
    const sending = watched(
      alice.authenticated({ method: 'MESSAGE', uri: `sip:bob@${DOMAIN}`, body: 'one' }),
    );
    const release = await app.arrived();
    await bob.answer(await bob.incoming('MESSAGE'), 200);
    // The server has read bob's 200 (bob's OPTIONS after it is answered); a 200 forwarded at once would have
    // reached alice before the answer to her own OPTIONS.
    await bob.roundTrip();
    await alice.roundTrip();
    assert.equal(sending.settled(), false, 'no 200 before the application has answered');
    release({ status: 200 });
    assert.equal((await sending.response).status, 200);
  });

  test("the application's 500 is the answer even when a device took the MESSAGE", async (t) => {
    const { fixture, app } = await setUp(t);
    const alice = await fixture.agent('alice');
    const bob = await fixture.agent('bob');
    assert.equal((await bob.register()).status, 200);
    const sending = alice.authenticated({ method: 'MESSAGE', uri: `sip:bob@${DOMAIN}`, body: 'two' });
    const release = await app.arrived();
    await bob.answer(await bob.incoming('MESSAGE'), 200);
    release({ status: 500, reason: 'Storage Failure' });
    assert.equal((await sending).status, 500);
  });

  test("with no device online the application's 200 is the answer at once", async (t) => {
    const { fixture, app } = await setUp(t);
    const alice = await fixture.agent('alice');
    const sending = alice.authenticated({ method: 'MESSAGE', uri: `sip:carol@${DOMAIN}`, body: 'three' });
    (await app.arrived())({ status: 200 });
    assert.equal((await sending).status, 200);
  });

  test('to another domain: its 200 waits for the afterSuccess branch, whose 500 is the answer', async (t) => {
    const { fixture, app } = await setUp(t);
    const alice = await fixture.agent('alice');
    const remote = await fixture.agent('dave');
    const uri = `sip:dave@127.0.0.1:${String(remote.port)}`;
    const sending = watched(alice.authenticated({ method: 'MESSAGE', uri, body: 'four' }));
    await remote.answer(await remote.incoming('MESSAGE'), 200, 'far1');
    // The branch runs once the server has the other domain's 200; a 200 forwarded at once would have
    // reached alice before the answer to her OPTIONS.
    const release = await app.arrived();
    await alice.roundTrip();
    assert.equal(sending.settled(), false, 'no 200 before the sender copy is stored');
    release({ status: 200 });
    const ok = await sending.response;
    assert.equal(ok.status, 200);
    assert.match(ok.headers.get('To') ?? '', /tag=far1/, "the other domain's 200");

    const failing = alice.authenticated({ method: 'MESSAGE', uri, body: 'five' });
    await remote.answer(await remote.incoming('MESSAGE'), 200, 'far2');
    (await app.arrived())({ status: 500, reason: 'Storage Failure' });
    assert.equal((await failing).status, 500);
  });

  test('to another domain: a failure there is the answer and the afterSuccess branch never runs', async (t) => {
    const { fixture, app } = await setUp(t);
    const alice = await fixture.agent('alice');
    const remote = await fixture.agent('dave');
    const runs = app.outgoingRuns;
    const sending = alice.authenticated({
      method: 'MESSAGE',
      uri: `sip:dave@127.0.0.1:${String(remote.port)}`,
      body: 'six',
    });
    await remote.answer(await remote.incoming('MESSAGE'), 486);
    assert.equal((await sending).status, 486);
    assert.equal(app.outgoingRuns, runs);
  });
});
