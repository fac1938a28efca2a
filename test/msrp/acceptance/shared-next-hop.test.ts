// `[Relay] share_next_hop_connections = yes` (BENCHMARKS.md, fourth round): the sessions bound to one next
// hop share one connection, each a lane with its own transactions, and a session ends without a close.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { it } from 'node:test';
import { auth } from '../harness/auth.js';
import type { MsrpConnection, StreamHandler } from '../harness/connection.js';
import type { Endpoint } from '../harness/endpoint.js';
import { assertRelayRequest, assertResponse } from '../harness/expect.js';
import type { Flag, MessageHead } from '../harness/frame-reader.js';
import { type HeaderList, header, request, requestHead, responseTo, show } from '../harness/message.js';
import { sendFile } from '../harness/transfer.js';
import { type Scope, type Suite, describeModes } from '../harness/suite.js';

const T = { timeout: 60_000 };
const text = (id: string, body: string, more: HeaderList = []): HeaderList => [
  ['Message-ID', id],
  ['Byte-Range', `1-${body.length}/${body.length}`],
  ...more,
  ['Content-Type', 'text/plain'],
];

interface Shared {
  readonly a: MsrpConnection;
  readonly usePath: string;
  readonly bUri: string;
  /** `<USE_A> <B>`: To-Path of A's requests. */
  readonly toB: string;
}

/**
 * A session bound to `endpoint` with B's session path `name`; its bind SEND comes on `b` when given (the
 * shared connection), else on the endpoint's next connection, which is returned.
 */
async function openShared(
  s: Suite,
  scope: Scope,
  endpoint: Endpoint,
  name: string,
  b?: MsrpConnection,
): Promise<{ session: Shared; b: MsrpConnection }> {
  const a = await scope.client();
  const { usePath } = await auth(a, { toUri: s.domainUri, fromUri: s.aUri });
  const bUri = endpoint.uri(name);
  const toB = `${usePath} ${bUri}`;
  await a.write(
    request({
      tid: `bind${name}`,
      method: 'SEND',
      toPath: toB,
      fromPath: s.aUri,
      headers: [
        ['Message-ID', `bind-${name}`],
        ['Byte-Range', '1-0/0'],
      ],
    }),
  );
  assertResponse(await a.nextMessage(), {
    tid: `bind${name}`,
    status: 200,
    comment: 'OK',
    toPath: s.aUri,
    fromPath: usePath,
  });
  const conn = b ?? (await endpoint.nextConnection());
  const bind = await conn.nextMessage();
  assert.equal(header(bind, 'Message-ID'), `bind-${name}`, `unexpected message at B:\n${show(bind)}`);
  await conn.write(responseTo(bind, 200, 'OK', bUri));
  return { session: { a, usePath, bUri, toB }, b: conn };
}

/** A SEND from A reaches B on the shared connection, and one from B reaches A, each answered. */
async function relaysBothWays(s: Suite, session: Shared, b: MsrpConnection, word: string): Promise<void> {
  await session.a.write(
    request({
      tid: `to${word}`,
      method: 'SEND',
      toPath: session.toB,
      fromPath: s.aUri,
      headers: text(`a-${word}`, word),
      body: word,
    }),
  );
  assertResponse(await session.a.nextMessage(), {
    tid: `to${word}`,
    status: 200,
    comment: 'OK',
    toPath: s.aUri,
    fromPath: session.usePath,
  });
  const atB = await b.nextMessage();
  assertRelayRequest(atB, {
    method: 'SEND',
    toPath: session.bUri,
    fromPath: `${session.usePath} ${s.aUri}`,
    headers: text(`a-${word}`, word),
    body: word,
  });
  await b.write(responseTo(atB, 200, 'OK', session.bUri));
  await b.write(
    request({
      tid: `fr${word}`,
      method: 'SEND',
      toPath: `${session.usePath} ${s.aUri}`,
      fromPath: session.bUri,
      headers: text(`b-${word}`, word, [['Failure-Report', 'no']]),
      body: word,
    }),
  );
  const atA = await session.a.nextMessage();
  assertRelayRequest(atA, {
    method: 'SEND',
    toPath: s.aUri,
    fromPath: `${session.usePath} ${session.bUri}`,
    headers: text(`b-${word}`, word, [['Failure-Report', 'no']]),
    body: word,
  });
}

/**
 * B's side of several transfers on one connection: each part goes to its session by To-Path (B's URI),
 * is hashed in arrival order, must continue where the session's last part stopped, and is answered 200.
 */
class SharedReceiver implements StreamHandler {
  readonly problems: string[] = [];
  readonly #hashes = new Map<string, ReturnType<typeof createHash>>();
  readonly #bytes = new Map<string, number>();
  readonly #parts = new Map<string, number>();
  #current: MessageHead | undefined;
  readonly #conn: MsrpConnection;

  constructor(conn: MsrpConnection) {
    this.#conn = conn;
    conn.setStreamHandler(this);
  }

  bytes(to: string): number {
    return this.#bytes.get(to) ?? 0;
  }

  parts(to: string): number {
    return this.#parts.get(to) ?? 0;
  }

  sha256(to: string): string {
    return this.#hashes.get(to)?.copy().digest('hex') ?? '';
  }

  head(head: MessageHead): void {
    this.#current = head;
    const to = header(head, 'To-Path') ?? '';
    if (head.method !== 'SEND') {
      this.problems.push(`unexpected ${head.startLine}`);
      return;
    }
    const start = Number(/^(\d+)-/.exec(header(head, 'Byte-Range') ?? '')?.[1]);
    if (start !== this.bytes(to) + 1)
      this.problems.push(`${to}: part at ${start} after ${this.bytes(to)} bytes`);
    if (!this.#hashes.has(to)) this.#hashes.set(to, createHash('sha256'));
    this.#parts.set(to, this.parts(to) + 1);
  }

  body(slice: Buffer): void {
    const to = header(this.#current ?? { headers: [] }, 'To-Path') ?? '';
    this.#hashes.get(to)?.update(slice);
    this.#bytes.set(to, this.bytes(to) + slice.length);
  }

  end(flag: Flag): void {
    const head = this.#current;
    this.#current = undefined;
    if (head?.method !== 'SEND') return;
    if (flag === '#') this.problems.push(`${header(head, 'To-Path') ?? ''}: a part ended with #`);
    this.#conn.socket.write(responseTo(head, 200, 'OK', header(head, 'To-Path') ?? ''));
  }
}

// A short idle time: a connection is closed soon after its last session, never while one is on it.
const settings = { share_next_hop_connections: 'yes', shared_connection_idle_time: 0.5 };

describeModes('shared next-hop connections', { settings }, (s) => {
  it('sessions to one next hop share its connection, each relayed both ways', T, async (t) => {
    const scope = s.scope(t);
    const endpoint = await scope.endpoint({});
    const first = await openShared(s, scope, endpoint, 'one');
    const second = await openShared(s, scope, endpoint, 'two', first.b);
    const third = await openShared(s, scope, endpoint, 'three', first.b);
    await relaysBothWays(s, second.session, first.b, 'bravo');
    await relaysBothWays(s, first.session, first.b, 'alpha');
    await relaysBothWays(s, third.session, first.b, 'charlie');
    assert.equal(endpoint.accepted.length, 0, 'no other connection to B');
  });

  it('interleaved bulk transfers arrive whole, each in order', T, async (t) => {
    const scope = s.scope(t);
    const endpoint = await scope.endpoint({});
    const names = ['bulk1', 'bulk2', 'bulk3'];
    const first = await openShared(s, scope, endpoint, names[0] ?? '');
    const sessions = [first.session];
    for (const name of names.slice(1))
      sessions.push((await openShared(s, scope, endpoint, name, first.b)).session);
    const receiver = new SharedReceiver(first.b);
    const total = 3 * 1024 * 1024;
    const sent = await Promise.all(
      sessions.map((session, n) =>
        sendFile(session.a, {
          toPath: session.toB,
          fromPath: s.aUri,
          messageId: `bulk-${n}`,
          total,
          chunkSize: 'single',
          seed: `bulk-${n}`,
        }),
      ),
    );
    for (const session of sessions) {
      const okay = await session.a.nextMessage(30_000);
      assert.equal(okay.status, 200, show(okay));
    }
    await first.b.waitUntil(
      () => (sessions.every((session) => receiver.bytes(session.bUri) === total) ? true : undefined),
      30_000,
      'every transfer to reach B',
    );
    assert.deepEqual(receiver.problems, []);
    sessions.forEach((session, n) => {
      assert.equal(receiver.sha256(session.bUri), sent[n]?.sha256, `digest of ${session.bUri}`);
    });
  });

  it('a session that ends mid-chunk ends its part with # and leaves the others going', T, async (t) => {
    const scope = s.scope(t);
    const endpoint = await scope.endpoint({});
    const first = await openShared(s, scope, endpoint, 'gone');
    const second = await openShared(s, scope, endpoint, 'stays', first.b);
    const b = first.b;
    const gone = first.session;
    await gone.a.write(
      requestHead({
        tid: 'cut00001',
        method: 'SEND',
        toPath: gone.toB,
        fromPath: s.aUri,
        headers: [
          ['Message-ID', 'cut'],
          ['Byte-Range', '1-10/10'],
          ['Content-Type', 'text/plain'],
        ],
        body: '',
      }),
    );
    await gone.a.write('hello');
    await b.waitForRawTail('hello');
    gone.a.destroy();
    const cut = await b.nextMessage();
    assert.equal(header(cut, 'Message-ID'), 'cut');
    assert.equal(cut.flag, '#', `the part ends with #:\n${show(cut)}`);
    assert.equal(cut.body?.toString(), 'hello');
    await relaysBothWays(s, second.session, b, 'still');
    // The ended session's id is forgotten: B's SEND for it is refused, on the same connection.
    await b.write(
      request({
        tid: 'late0001',
        method: 'SEND',
        toPath: `${gone.usePath} ${s.aUri}`,
        fromPath: gone.bUri,
        headers: text('late', 'late'),
        body: 'late',
      }),
    );
    const refused = await b.nextMessage();
    assert.equal(refused.tid, 'late0001');
    assert.equal(refused.status, 481, show(refused));
    await relaysBothWays(s, second.session, b, 'again');
  });

  it('B closing the shared connection ends every session on it', T, async (t) => {
    const scope = s.scope(t);
    const endpoint = await scope.endpoint({});
    const first = await openShared(s, scope, endpoint, 'x1');
    const second = await openShared(s, scope, endpoint, 'x2', first.b);
    first.b.destroy();
    await first.session.a.expectClosed();
    await second.session.a.expectClosed();
    // A new session gets a new connection.
    const third = await openShared(s, scope, endpoint, 'x3');
    await relaysBothWays(s, third.session, third.b, 'fresh');
  });

  it('the connection closes once its last session has ended and the idle time passed', T, async (t) => {
    const scope = s.scope(t);
    const endpoint = await scope.endpoint({});
    const first = await openShared(s, scope, endpoint, 'i1');
    const second = await openShared(s, scope, endpoint, 'i2', first.b);
    first.session.a.destroy();
    await relaysBothWays(s, second.session, first.b, 'open'); // one session left: the connection stays
    second.session.a.destroy();
    await first.b.expectClosed(10_000);
  });
});
