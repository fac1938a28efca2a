/**
 * Session: the bind transition (relay spec §3.2, §3.3, §3.5) and what crosses from one peer to the other
 * (relay spec §3.4, §3.6, §3.7), against recording peers.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HeaderList, type MsrpHead } from '../../src/msrp/message.js';
import type { Paths } from '../../src/msrp/relay/checks.js';
import type { ForwardedSend } from '../../src/msrp/relay/forwarded-send.js';
import { KeptPath } from '../../src/msrp/relay/kept-path.js';
import type { RelayPeer, PeerState } from '../../src/msrp/relay/peer.js';
import type { SendTrackerOwner } from '../../src/msrp/relay/send-tracker.js';
import { Session } from '../../src/msrp/relay/session.js';
import { DEFAULT_RELAY_SETTINGS } from '../../src/msrp/relay/settings.js';
import { RelayStats } from '../../src/msrp/relay/stats.js';
import type { TrackedRequest, TrackedSend } from '../../src/msrp/relay/transactions.js';
import { TransactionIds } from '../../src/msrp/transaction-ids.js';
import { type MsrpUri, parseMsrpPath } from '../../src/msrp/uri.js';

const RELAY = 'msrp://relay.example.com:2855/s1;tcp';
const A = 'msrp://a.example.com:9000/a1;tcp';
const B = 'msrp://b.example.com:9001/b1;tcp';

function uris(text: string): MsrpUri[] {
  const parsed = parseMsrpPath(text);
  assert.ok(parsed, text);
  return parsed;
}

/** A peer that records what the session asks of it. */
class RecordingPeer implements RelayPeer {
  state: PeerState;
  readonly path: KeptPath;
  readonly settings = DEFAULT_RELAY_SETTINGS;
  readonly bytesWritten = 0;
  readonly backlogBytes = 0;
  readonly backlogItems = 0;
  readonly unreadControlBytes = 0;
  other: RelayPeer | undefined;
  opened: { next: MsrpUri; path: KeptPath; peer: RecordingPeer } | undefined;
  disconnected = false;
  readonly responses: string[] = [];
  readonly control: string[] = [];
  readonly sends: ForwardedSend[] = [];
  readonly reports: string[] = [];
  readonly tracked = new Map<string, TrackedSend>();
  readonly requests = new Map<string, TrackedRequest>();

  constructor(state: PeerState, path: string) {
    this.state = state;
    this.path = KeptPath.of(uris(path));
  }

  establish(other: RelayPeer): void {
    this.other = other;
    if (this.state !== 'CONNECTING') this.state = 'ESTABLISHED';
  }

  openNextHop(next: MsrpUri, path: KeptPath): RelayPeer {
    const peer = new RecordingPeer('CONNECTING', path.text);
    this.opened = { next, path, peer };
    return peer;
  }

  disconnect(): void {
    this.disconnected = true;
  }

  destroy(): void {}

  respond(head: MsrpHead, _paths: Paths, code: number, comment: string): void {
    this.responses.push(`${head.tid} ${code} ${comment}`);
  }

  sendControl(message: Buffer): void {
    this.control.push(message.toString('utf8'));
  }

  startSend(send: ForwardedSend): void {
    this.sends.push(send);
  }

  /** Body slices and end-lines are the connection's business, not the session's. */
  sendBody(): void {}

  endSend(): void {}

  sendTracking(): SendTrackerOwner {
    return {
      trackSend: (tracked) => {
        this.tracked.set(tracked.tid, tracked);
      },
      armSendTimeout: () => undefined,
    };
  }

  takeSend(tid: string): TrackedSend | undefined {
    const tracked = this.tracked.get(tid);
    this.tracked.delete(tid);
    return tracked;
  }

  reportSend(tracked: TrackedSend, code: number, comment: string | undefined): void {
    this.reports.push(`${tracked.messageId} ${code} ${comment ?? ''}`.trim());
  }

  trackRequest(head: MsrpHead, tid: string, replyTo: string, replyFrom: string): void {
    this.requests.set(tid, { originalTid: head.tid, replyTo, replyFrom, timer: { cancel: () => undefined } });
  }

  takeRequest(tid: string): TrackedRequest | undefined {
    const request = this.requests.get(tid);
    this.requests.delete(tid);
    return request;
  }

  cork(): void {}
  uncork(): void {}
  resumeIfUnblocked(): void {}
}

function message(
  start: { tid: string; method?: string; status?: number; comment?: string },
  to: string,
  from: string,
  headers: [string, string][] = [],
): { head: MsrpHead; paths: Paths } {
  const list = new HeaderList();
  list.add('To-Path', to);
  list.add('From-Path', from);
  for (const [name, value] of headers) list.add(name, value);
  const head: MsrpHead = {
    tid: start.tid,
    method: start.method,
    status: start.status,
    comment: start.comment,
    headers: list,
    hasBody: start.method === 'SEND',
    malformedLines: 0,
  };
  return { head, paths: { to: uris(to), from: uris(from), toText: to, fromText: from } };
}

function send(tid: string, to: string, from: string, extra: [string, string][] = []) {
  return message({ tid, method: 'SEND' }, to, from, [
    ['Message-ID', `m-${tid}`],
    ['Byte-Range', '1-5/5'],
    ...extra,
  ]);
}

function setup() {
  const removed: Session[] = [];
  const stats = new RelayStats();
  const services = {
    tids: new TransactionIds(),
    stats,
    unbound: { remove: (s: Session) => removed.push(s) },
  };
  const source = new RecordingPeer('UNBOUND', A);
  const session = new Session('s1', 'alice', 'example.com', 600, source, services, 1_000);
  return { session, source, removed, stats };
}

describe('Session', () => {
  test('a SEND to an unbound session from elsewhere binds it: both peers ESTABLISHED, each the other’s', () => {
    const { session, source, removed, stats } = setup();
    const incoming = new RecordingPeer('ESTABLISHED', B);
    session.bindIncoming(incoming);
    assert.equal(session.destination, incoming);
    assert.equal(source.state, 'ESTABLISHED');
    assert.equal(source.other, incoming);
    assert.equal(incoming.other, source);
    assert.deepEqual(removed, [session], 'the session left the unbound table');
    assert.equal(stats.sessionsBound, 1);
    assert.equal(session.otherSide(source), incoming);
    assert.equal(session.otherSide(incoming), source);
  });

  test('the first SEND of the source opens the next hop with the rest of the To-Path and goes there', () => {
    const { session, source, removed } = setup();
    const { head, paths } = send('t1', `${RELAY} ${B}`, A);
    const forwarded = session.forwardSend(source, head, paths);
    assert.ok(forwarded, 'forwarded');
    const opened = source.opened;
    assert.ok(opened, 'a next hop was opened');
    assert.equal(opened.next.text, B);
    assert.equal(opened.path.text, B);
    assert.equal(opened.peer.state, 'CONNECTING', 'connecting until it is up');
    assert.equal(opened.peer.other, source);
    assert.equal(source.state, 'ESTABLISHED');
    assert.equal(session.destination, opened.peer);
    assert.deepEqual(removed, [session]);
    assert.deepEqual(opened.peer.sends, [forwarded]);
    const text = forwarded.takeHead().toString();
    assert.match(
      text,
      new RegExp(`^MSRP ${forwarded.tid} SEND\\r\\nTo-Path: ${B}\\r\\nFrom-Path: ${RELAY} ${A}\\r\\n`),
    );
    assert.equal(forwarded.confirm, true, 'Failure-Report absent: the sender gets a 200');
    assert.ok(source.tracked.has(forwarded.tid), 'tracked on the peer it came from');
    assert.deepEqual(source.responses, []);
  });

  test('a SEND that fails a session check is answered on its peer and goes nowhere', () => {
    const { session, source } = setup();
    const wrongSid = send('t1', `msrp://relay.example.com:2855/other;tcp ${B}`, A);
    assert.equal(session.forwardSend(source, wrongSid.head, wrongSid.paths), undefined);
    const noMessageId = message({ tid: 't2', method: 'SEND' }, `${RELAY} ${B}`, A, [['Byte-Range', '1-5/5']]);
    assert.equal(session.forwardSend(source, noMessageId.head, noMessageId.paths), undefined);
    assert.deepEqual(source.responses, [
      't1 481 Indicated session does not exist, please terminate: Wrong session id on relay MSRP URI',
      't2 400 Request was unintelligible, please try again (SEND received without Message-ID)',
    ]);
    assert.equal(source.opened, undefined, 'no next hop for a rejected SEND');
    assert.equal(session.destination, undefined);
  });

  test('responses: a 200 ends a SEND, a failure is reported, a request’s answer goes back with its tid', () => {
    const { session, source } = setup();
    const first = send('t1', `${RELAY} ${B}`, A);
    const ok = session.forwardSend(source, first.head, first.paths);
    const second = send('t2', `${RELAY} ${B}`, A, [['Failure-Report', 'partial']]);
    const failed = session.forwardSend(source, second.head, second.paths);
    assert.ok(ok && failed);
    assert.equal(failed.confirm, false, 'partial: no 200 to the sender');
    const destination = source.opened?.peer;
    assert.ok(destination);
    destination.establish(source);
    destination.state = 'ESTABLISHED';

    const okResponse = message({ tid: ok.tid, status: 200, comment: 'OK' }, RELAY, B);
    assert.equal(session.forwardResponse(destination, okResponse.head, okResponse.paths), 'send-ok');
    const failure = message({ tid: failed.tid, status: 481, comment: 'No such session' }, RELAY, B);
    assert.equal(session.forwardResponse(destination, failure.head, failure.paths), 'send-failed');
    assert.deepEqual(source.reports, ['m-t2 481 No such session']);

    const nickname = message({ tid: 'n1', method: 'NICKNAME' }, `${RELAY} ${B}`, A);
    assert.equal(session.forwardRequest(source, nickname.head, nickname.paths, Buffer.alloc(0), '$'), true);
    const [forwardedRequest] = destination.control;
    assert.ok(forwardedRequest);
    const forwardedTid = /^MSRP (\S+) NICKNAME\r\n/.exec(forwardedRequest)?.[1];
    assert.ok(forwardedTid, forwardedRequest);
    const answer = message({ tid: forwardedTid, status: 200, comment: 'OK' }, `${RELAY} ${A}`, B);
    assert.equal(session.forwardResponse(destination, answer.head, answer.paths), 'forwarded');
    assert.match(source.control[0] ?? '', /^MSRP n1 200 OK\r\nTo-Path: msrp:\/\/a\.example\.com/);
    assert.equal(
      session.forwardResponse(destination, answer.head, answer.paths),
      'untracked',
      'answered once',
    );
  });

  test('a peer going away disconnects the other; the source going leaves the unbound table', () => {
    const unbound = setup();
    unbound.session.peerClosed(unbound.source);
    assert.deepEqual(unbound.removed, [unbound.session]);

    const bound = setup();
    const incoming = new RecordingPeer('ESTABLISHED', B);
    bound.session.bindIncoming(incoming);
    bound.session.peerClosed(incoming);
    assert.equal(bound.source.disconnected, true);
    assert.equal(incoming.disconnected, false);
  });

  test('a refresh changes the expiry', () => {
    const { session } = setup();
    session.refresh(1200);
    assert.equal(session.expires, 1200);
  });
});
