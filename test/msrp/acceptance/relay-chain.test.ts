// Two missive relays in a chain (docs/msrp-relay.md "Shared next-hop connections"): the first shares its
// connection to the second (`share_next_hop_connections = yes`), and the second accepts the sessions on it,
// a lane each. A third relay, not sharing, shows that a relay connection carrying one session keeps
// msrprelay's behaviour. Real relay processes, real sockets, in both transport modes.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it, type TestContext } from 'node:test';
import { auth } from '../harness/auth.js';
import { connectClient } from '../harness/client.js';
import type { MsrpConnection, StreamHandler } from '../harness/connection.js';
import { assertRelayReport, assertRelayRequest, assertResponse } from '../harness/expect.js';
import type { Flag, MessageHead } from '../harness/frame-reader.js';
import { type HeaderList, header, request, requestHead, responseTo, show } from '../harness/message.js';
import { RelayProcess, type Settings } from '../harness/relay-process.js';
import { type Mode, MODES } from '../harness/suite.js';
import { type FileToSend, type SentFile, sendFile } from '../harness/transfer.js';

const T = { timeout: 120_000 };
const SHARING: Settings = {
  share_next_hop_connections: 'yes',
  shared_connection_idle_time: 0.5,
};
// The second relay logs its binds (with the connection they came on) at info.
const ACCEPTING: Settings = { log_level: 'info' };

const text = (id: string, body: string, more: HeaderList = []): HeaderList => [
  ['Message-ID', id],
  ['Byte-Range', `1-${body.length}/${body.length}`],
  ...more,
  ['Content-Type', 'text/plain'],
];

/** One session A ⇄ first relay ⇄ second relay ⇄ B, A and B each on a connection of its own. */
interface ChainSession {
  readonly name: string;
  readonly a: MsrpConnection;
  readonly b: MsrpConnection;
  readonly aUri: string;
  readonly bUri: string;
  /** A's session at the first relay, and B's at the second (their Use-Paths). */
  readonly useA: string;
  readonly useB: string;
  /** B's session id at the second relay. */
  readonly idB: string;
}

class Chain {
  readonly #closers: (() => Promise<void> | void)[] = [];

  constructor(
    readonly mode: Mode,
    readonly first: RelayProcess,
    readonly second: RelayProcess,
    t: TestContext,
  ) {
    t.after(async () => {
      for (const close of this.#closers.splice(0).reverse()) await close();
    });
  }

  async #client(relay: RelayProcess): Promise<MsrpConnection> {
    const conn = await connectClient({ port: relay.port, tls: this.mode.tls });
    this.#closers.push(() => {
      conn.destroy();
    });
    return conn;
  }

  /** B authenticates at the second relay, A at the first, and A's first SEND binds both sessions. */
  async open(name: string): Promise<ChainSession> {
    const scheme = this.mode.scheme;
    const domain = `${scheme}://example.com;tcp`;
    const aUri = `${scheme}://127.0.0.1:40001/a-${name};tcp`;
    const bUri = `${scheme}://127.0.0.1:40002/b-${name};tcp`;
    const b = await this.#client(this.second);
    const { usePath: useB, sessionId: idB } = await auth(b, {
      toUri: domain,
      fromUri: bUri,
      username: 'bob',
    });
    const a = await this.#client(this.first);
    const { usePath: useA } = await auth(a, { toUri: domain, fromUri: aUri });
    const tid = `bind${name}`;
    await a.write(
      request({
        tid,
        method: 'SEND',
        toPath: `${useA} ${useB} ${bUri}`,
        fromPath: aUri,
        headers: [
          ['Message-ID', `bind-${name}`],
          ['Byte-Range', '1-0/0'],
        ],
      }),
    );
    assertResponse(await a.nextMessage(), { tid, status: 200, comment: 'OK', toPath: aUri, fromPath: useA });
    const bind = await b.nextMessage(10_000);
    assert.equal(header(bind, 'Message-ID'), `bind-${name}`, `unexpected message at B:\n${show(bind)}`);
    await b.write(responseTo(bind, 200, 'OK', bUri));
    return { name, a, b, aUri, bUri, useA, useB, idB };
  }
}

/** A's path to B (To-Path of A's requests) and B's to A. */
const toB = (s: ChainSession): string => `${s.useA} ${s.useB} ${s.bUri}`;
const toA = (s: ChainSession): string => `${s.useB} ${s.useA} ${s.aUri}`;

/** A SEND from A reaches B, and one from B reaches A, across both relays. */
async function relaysBothWays(s: ChainSession, word: string): Promise<void> {
  const tid = `to${word}`;
  await s.a.write(
    request({
      tid,
      method: 'SEND',
      toPath: toB(s),
      fromPath: s.aUri,
      headers: text(`a-${word}`, word),
      body: word,
    }),
  );
  assertResponse(await s.a.nextMessage(), {
    tid,
    status: 200,
    comment: 'OK',
    toPath: s.aUri,
    fromPath: s.useA,
  });
  const atB = await s.b.nextMessage(10_000);
  assertRelayRequest(atB, {
    method: 'SEND',
    toPath: s.bUri,
    fromPath: `${s.useB} ${s.useA} ${s.aUri}`,
    headers: text(`a-${word}`, word),
    body: word,
  });
  await s.b.write(responseTo(atB, 200, 'OK', s.bUri));
  const back = [['Failure-Report', 'no']] as const;
  await s.b.write(
    request({
      tid: `fr${word}`,
      method: 'SEND',
      toPath: toA(s),
      fromPath: s.bUri,
      headers: text(`b-${word}`, word, [...back]),
      body: word,
    }),
  );
  assertRelayRequest(await s.a.nextMessage(10_000), {
    method: 'SEND',
    toPath: s.aUri,
    fromPath: `${s.useA} ${s.useB} ${s.bUri}`,
    headers: text(`b-${word}`, word, [...back]),
    body: word,
  });
}

/**
 * One side of a session during bulk transfers both ways: the SEND parts it receives are hashed in arrival
 * order, must each continue where the last stopped, and are answered 200; the 200s for its own SEND are
 * counted. Its answers wait until its own SEND is written: written in the middle of it they would be body.
 */
class BulkSide implements StreamHandler {
  readonly problems: string[] = [];
  readonly #hash = createHash('sha256');
  bytes = 0;
  oks = 0;
  #current: MessageHead | undefined;
  /** Answers held while this side's own SEND is being written; undefined once it is. */
  #held: Buffer[] | undefined = [];
  readonly #conn: MsrpConnection;
  readonly #uri: string;

  constructor(conn: MsrpConnection, uri: string) {
    this.#conn = conn;
    this.#uri = uri;
    conn.setStreamHandler(this);
  }

  sha256(): string {
    return this.#hash.copy().digest('hex');
  }

  head(head: MessageHead): void {
    this.#current = head;
    if (head.method === undefined) {
      if (head.status === 200) this.oks += 1;
      else this.problems.push(`unexpected ${head.startLine}`);
      return;
    }
    if (head.method !== 'SEND') {
      this.problems.push(`unexpected ${head.startLine} ${header(head, 'Status') ?? ''}`);
      return;
    }
    const start = Number(/^(\d+)-/.exec(header(head, 'Byte-Range') ?? '')?.[1]);
    if (start !== this.bytes + 1) this.problems.push(`part at ${start} after ${this.bytes} bytes`);
  }

  body(slice: Buffer): void {
    this.#hash.update(slice);
    this.bytes += slice.length;
  }

  end(flag: Flag): void {
    const head = this.#current;
    this.#current = undefined;
    if (head?.method !== 'SEND') return;
    if (flag === '#') this.problems.push('a part ended with #');
    const answer = responseTo(head, 200, 'OK', this.#uri);
    if (this.#held === undefined) this.#conn.socket.write(answer);
    else this.#held.push(answer);
  }

  /** This side's own SEND is written: the answers go. */
  sent(): void {
    for (const answer of this.#held ?? []) this.#conn.socket.write(answer);
    this.#held = undefined;
  }
}

/** One SEND of `total` bytes, A to B (`ab`) or B to A (`ba`), named and seeded by the session and the way. */
function bulkFile(s: ChainSession, way: 'ab' | 'ba', total: number): FileToSend {
  return {
    toPath: way === 'ab' ? toB(s) : toA(s),
    fromPath: way === 'ab' ? s.aUri : s.bUri,
    messageId: `${way}-${s.name}`,
    total,
    chunkSize: 'single',
    seed: `${way}-${s.name}`,
  };
}

/** 2 × 48 MiB through two relays: seconds here, but much longer on a loaded machine. */
const BULK_WAIT_MS = 180_000;
const BULK = { timeout: 2 * BULK_WAIT_MS };

/**
 * Bulk transfers both ways while B reads nothing. What A sends piles up in front of B and the relays stop
 * reading what feeds it, the connection between them included (relay spec §3.10), but what B sends must go
 * on to A, which reads. A relay that also stopped reading a connection because its own writes to it were
 * backed up stopped both relays at once, each waiting for the other to read (seen in the soak as a
 * REPORT 408 and a transfer that never ended). The transfers are larger than every buffer on the way, so
 * what A sends cannot all be written before B reads, whatever the machine's speed.
 */
async function bulkWhileBDoesNotRead(chain: Chain, name: string): Promise<void> {
  const s = await chain.open(name);
  const total = 48 * 1024 * 1024;
  const a = new BulkSide(s.a, s.aUri);
  const b = new BulkSide(s.b, s.bUri);
  s.b.socket.pause();
  const fromA = sendFile(s.a, bulkFile(s, 'ab', total)).then((sent) => {
    a.sent();
    return sent;
  });
  fromA.catch(() => undefined); // Awaited below; a failure before then must not be unhandled.
  const fromB = await sendFile(s.b, bulkFile(s, 'ba', total));
  b.sent();
  await s.a.waitUntil(
    () => (a.bytes === total ? true : undefined),
    BULK_WAIT_MS,
    'what B sent to arrive at A while B reads nothing',
  );
  assert.equal(a.sha256(), fromB.sha256, 'digest B → A');
  assert.equal(b.bytes, 0, "B, paused, read nothing of A's transfer");
  s.b.socket.resume();
  const sentA = await fromA;
  await s.b.waitUntil(
    () => (b.bytes === total && b.oks > 0 ? true : undefined),
    BULK_WAIT_MS,
    "what A sent to arrive at B once B reads, and B's own SEND's 200",
  );
  await s.a.waitUntil(() => (a.oks > 0 ? true : undefined), BULK_WAIT_MS, "A's own SEND's 200");
  assert.equal(b.sha256(), sentA.sha256, 'digest A → B');
  assert.deepEqual(a.problems, [], 'at A');
  assert.deepEqual(b.problems, [], 'at B');
}

/** The `peer` (address and port of the connection) of the second relay's bind of each session. */
async function bindPeers(relay: RelayProcess, sessions: readonly ChainSession[]): Promise<string[]> {
  const peers: string[] = [];
  for (const s of sessions) {
    const entry = await relay.waitForLog((e) => e.msg === `Found matching unbound session ${s.idB}`, {
      timeoutMs: 10_000,
      what: `the bind of ${s.name}`,
    });
    peers.push(String(entry.peer));
  }
  return peers;
}

describe('two relays in a chain, the first sharing its connection to the second', {
  concurrency: true,
}, () => {
  for (const mode of MODES) {
    describe(`[${mode.name}]`, { concurrency: false }, () => {
      const relays: RelayProcess[] = [];
      let sharing: RelayProcess;
      let plain: RelayProcess;
      let accepting: RelayProcess;
      before(async () => {
        accepting = await RelayProcess.start({ tls: mode.tls, settings: ACCEPTING });
        relays.push(accepting);
        sharing = await RelayProcess.start({ tls: mode.tls, settings: SHARING });
        relays.push(sharing);
        plain = await RelayProcess.start({ tls: mode.tls });
        relays.push(plain);
      });
      after(async () => {
        const died = relays.filter((relay) => !relay.running);
        for (const relay of relays) await relay.stop();
        if (died.length > 0) throw new Error(`a relay exited during the tests:\n${died[0]?.output()}`);
      });

      it('many sessions over the one connection between the relays, each relayed both ways', T, async (t) => {
        const chain = new Chain(mode, sharing, accepting, t);
        const sessions: ChainSession[] = [];
        for (const name of ['m1', 'm2', 'm3', 'm4', 'm5']) sessions.push(await chain.open(name));
        for (const s of [...sessions].reverse()) await relaysBothWays(s, `w${s.name}`);
        const peers = await bindPeers(accepting, sessions);
        assert.equal(peers.length, sessions.length, 'each session bound once at the second relay');
        assert.equal(new Set(peers).size, 1, `one connection carried them all: ${peers.join(', ')}`);
      });

      it("B's 481 comes back to A as a REPORT, through the lane of its session", T, async (t) => {
        const chain = new Chain(mode, sharing, accepting, t);
        const one = await chain.open('r1');
        const two = await chain.open('r2');
        await one.a.write(
          request({
            tid: 'r1send01',
            method: 'SEND',
            toPath: toB(one),
            fromPath: one.aUri,
            headers: text('r1m', 'hi'),
            body: 'hi',
          }),
        );
        assertResponse(await one.a.nextMessage(), {
          tid: 'r1send01',
          status: 200,
          comment: 'OK',
          toPath: one.aUri,
          fromPath: one.useA,
        });
        await one.b.write(responseTo(await one.b.nextMessage(10_000), 481, 'No such session', one.bUri));
        assertRelayReport(await one.a.nextMessage(10_000), {
          toPath: one.aUri,
          fromPath: `${one.useA} ${one.useB}`,
          status: '000 481 No such session',
          messageId: 'r1m',
          byteRange: '1-2/2',
        });
        await relaysBothWays(two, 'other');
      });

      it('interleaved bulk transfers both ways arrive whole, each session in order', T, async (t) => {
        const chain = new Chain(mode, sharing, accepting, t);
        const sessions: ChainSession[] = [];
        for (const name of ['b1', 'b2', 'b3']) sessions.push(await chain.open(name));
        const total = 2 * 1024 * 1024;
        const sides = sessions.map((s) => ({ a: new BulkSide(s.a, s.aUri), b: new BulkSide(s.b, s.bUri) }));
        const send = async (conn: MsrpConnection, f: FileToSend, side: BulkSide): Promise<SentFile> => {
          const result = await sendFile(conn, f);
          side.sent();
          return result;
        };
        const sent = await Promise.all(
          sessions.flatMap((s, n) => {
            const side = sides[n] as (typeof sides)[number];
            return [send(s.a, bulkFile(s, 'ab', total), side.a), send(s.b, bulkFile(s, 'ba', total), side.b)];
          }),
        );
        // Each side's state changes with its own connection's input: wait on each in turn.
        for (const [n, s] of sessions.entries()) {
          for (const [conn, side] of [
            [s.a, sides[n]?.a],
            [s.b, sides[n]?.b],
          ] as const) {
            await conn.waitUntil(
              () => (side !== undefined && side.bytes === total && side.oks > 0 ? true : undefined),
              60_000,
              `the transfer to ${conn === s.a ? 'A' : 'B'} of ${s.name} to arrive, and its own SEND's 200`,
            );
          }
        }
        sides.forEach(({ a, b }, n) => {
          const name = sessions[n]?.name ?? '';
          assert.deepEqual(a.problems, [], `at A of ${name}`);
          assert.deepEqual(b.problems, [], `at B of ${name}`);
          assert.equal(b.sha256(), sent[2 * n]?.sha256, `digest A → B of ${name}`);
          assert.equal(a.sha256(), sent[2 * n + 1]?.sha256, `digest B → A of ${name}`);
        });
        assert.equal(
          new Set(await bindPeers(accepting, sessions)).size,
          1,
          'one connection carried them all',
        );
      });

      for (const [kind, first, name] of [
        ['sharing', (): RelayProcess => sharing, 'ps'],
        ['not sharing', (): RelayProcess => plain, 'pn'],
      ] as const) {
        it(
          `B not reading holds up what A sends, never what B sends (first relay ${kind})`,
          BULK,
          async (t) => {
            await bulkWhileBDoesNotRead(new Chain(mode, first(), accepting, t), name);
          },
        );
      }

      it(
        'a session that ends mid-chunk, on either side, leaves the others going; later requests get 481',
        T,
        async (t) => {
          const chain = new Chain(mode, sharing, accepting, t);
          const fromA = await chain.open('e1');
          const fromB = await chain.open('e2');
          const stays = await chain.open('e3');
          const cut = async (
            sender: MsrpConnection,
            receiver: MsrpConnection,
            toPath: string,
            fromPath: string,
            id: string,
          ): Promise<void> => {
            const headers: HeaderList = [
              ['Message-ID', id],
              ['Byte-Range', '1-10/10'],
              ['Content-Type', 'text/plain'],
            ];
            await sender.write(
              requestHead({ tid: `cut${id}`, method: 'SEND', toPath, fromPath, headers, body: '' }),
            );
            await sender.write('hello');
            await receiver.waitForRawTail('hello', 10_000);
            sender.destroy();
            const part = await receiver.nextMessage(10_000);
            assert.equal(header(part, 'Message-ID'), id);
            assert.equal(part.flag, '#', `the part ends with #:\n${show(part)}`);
            assert.equal(part.body?.toString(), 'hello');
          };
          // A goes: the first relay ends its part on the shared connection with #, and so does the second.
          await cut(fromA.a, fromA.b, toB(fromA), fromA.aUri, 'cutA');
          await relaysBothWays(stays, 'afterA');
          // B goes: the second relay ends its part with # on the accepted connection, which stays open.
          await cut(fromB.b, fromB.a, toA(fromB), fromB.bUri, 'cutB');
          await relaysBothWays(stays, 'afterB');
          // Each ended session's id is forgotten by the relay next to the side that went: the other side's
          // next SEND gets its relay's 200, then a REPORT with that relay's 481.
          const late = async (s: ChainSession, from: 'a' | 'b'): Promise<void> => {
            const conn = from === 'a' ? s.a : s.b;
            const own = from === 'a' ? s.aUri : s.bUri;
            const use = from === 'a' ? s.useA : s.useB;
            await conn.write(
              request({
                tid: `late${s.name}`,
                method: 'SEND',
                toPath: from === 'a' ? toB(s) : toA(s),
                fromPath: own,
                headers: text(`late-${s.name}`, 'late'),
                body: 'late',
              }),
            );
            assertResponse(await conn.nextMessage(), {
              tid: `late${s.name}`,
              status: 200,
              comment: 'OK',
              toPath: own,
              fromPath: use,
            });
            const report = await conn.nextMessage(10_000);
            assert.equal(report.method, 'REPORT', show(report));
            assert.match(header(report, 'Status') ?? '', /^000 481 /, show(report));
          };
          await late(fromA, 'b');
          await late(fromB, 'a');
          await relaysBothWays(stays, 'last');
        },
      );

      it('the first relay closing the connection ends every session on it', T, async (t) => {
        const first = await RelayProcess.start({ tls: mode.tls, settings: SHARING });
        t.after(() => first.stop());
        const chain = new Chain(mode, first, accepting, t);
        const sessions: ChainSession[] = [];
        for (const name of ['c1', 'c2', 'c3']) sessions.push(await chain.open(name));
        await relaysBothWays(sessions[1] as ChainSession, 'before');
        await first.stop();
        for (const s of sessions) await s.b.expectClosed(10_000);
      });

      it(
        'a relay that does not share: its connection closes when its one session ends (msrprelay)',
        T,
        async (t) => {
          const chain = new Chain(mode, plain, accepting, t);
          const one = await chain.open('p1');
          const two = await chain.open('p2');
          await relaysBothWays(one, 'plain');
          one.b.destroy();
          await one.a.expectClosed(10_000);
          await relaysBothWays(two, 'still');
          const peers = await bindPeers(accepting, [one, two]);
          assert.equal(new Set(peers).size, 2, `a connection per session: ${peers.join(', ')}`);
        },
      );

      it(
        "an endpoint's connection carries one session: another session's SEND on it gets 481",
        T,
        async (t) => {
          const scheme = mode.scheme;
          const domain = `${scheme}://example.com;tcp`;
          const bob = async (name: string): Promise<{ b: MsrpConnection; useB: string; bUri: string }> => {
            const b = await connectClient({ port: accepting.port, tls: mode.tls });
            t.after(() => {
              b.destroy();
            });
            const bUri = `${scheme}://127.0.0.1:40002/${name};tcp`;
            return {
              b,
              bUri,
              useB: (await auth(b, { toUri: domain, fromUri: bUri, username: 'bob' })).usePath,
            };
          };
          const first = await bob('one');
          const second = await bob('two');
          // An active endpoint (From-Path of one URI) presents the first SEND of `first` (relay spec §3.3).
          const activeEndpoint = async (): Promise<MsrpConnection> => {
            const conn = await connectClient({ port: accepting.port, tls: mode.tls });
            t.after(() => {
              conn.destroy();
            });
            return conn;
          };
          const active = await activeEndpoint();
          const aUri = `${scheme}://127.0.0.1:40001/active;tcp`;
          const send = (tid: string, to: { useB: string; bUri: string }): Buffer =>
            request({
              tid,
              method: 'SEND',
              toPath: `${to.useB} ${to.bUri}`,
              fromPath: aUri,
              headers: text(tid, 'x'),
              body: 'x',
            });
          await active.write(send('endp0001', first));
          assertResponse(await active.nextMessage(), {
            tid: 'endp0001',
            status: 200,
            comment: 'OK',
            toPath: aUri,
            fromPath: first.useB,
          });
          assert.equal((await first.b.nextMessage()).method, 'SEND');
          await active.write(send('endp0002', second));
          assertResponse(await active.nextMessage(), {
            tid: 'endp0002',
            status: 481,
            comment: 'Indicated session does not exist, please terminate: Wrong session id on relay MSRP URI',
            toPath: aUri,
            fromPath: second.useB,
          });
          // `second` is still unbound: the first SEND on another connection binds it.
          const other = await activeEndpoint();
          await other.write(send('endp0003', second));
          assertResponse(await other.nextMessage(), {
            tid: 'endp0003',
            status: 200,
            comment: 'OK',
            toPath: aUri,
            fromPath: second.useB,
          });
          assert.equal(header(await second.b.nextMessage(), 'Message-ID'), 'endp0003');
        },
      );
    });
  }
});
