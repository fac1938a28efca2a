/**
 * The admission (src/messaging/admission.ts) over a real SQLite store with the manual clock: each limit and
 * check gives its defined answer, and what it admits (a retry, an IMDN about an id the journal does not have,
 * a conversation with oneself) goes on.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { after, before, beforeEach, describe, it } from 'node:test';
import { type Admission, type Identities, MessageAdmission } from '../../src/messaging/admission.js';
import type { MessagingContext } from '../../src/messaging/context.js';
import { MessageIntake } from '../../src/messaging/message-intake.js';
import type { StoragePolicy } from '../../src/messaging/storage-policy.js';
import { localTimestamp } from '../../src/messaging/formats/index.js';
import { DEFAULT_MESSAGE_LIMITS, type MessageLimits } from '../../src/messaging/limits/message-limits.js';
import { SenderRateLimit } from '../../src/messaging/limits/sender-rate-limit.js';
import { type Aor, aorOfUri } from '../../src/registrar/aor.js';
import { SipHeaders } from '../../src/sip/headers/header-list.js';
import { SipRequest } from '../../src/sip/message/message.js';
import { parseUri } from '../../src/sip/uri.js';
import { openStore, type Store } from '../../src/store/index.js';
import { ManualClock } from '../support/manual-clock.js';

const DOMAIN = 'example.test';
const at = (user: string): string => `${user}@${DOMAIN}`;

function aor(user: string): Aor {
  const uri = parseUri(`sip:${at(user)}`);
  const found = uri === undefined ? undefined : aorOfUri(uri);
  assert.ok(found !== undefined);
  return found;
}

function request(
  from: string,
  to: string,
  contentType: string,
  body: string | Buffer,
  extra: [string, string][] = [],
): SipRequest {
  const uri = parseUri(`sip:${at(to)}`);
  assert.ok(uri !== undefined);
  const headers = SipHeaders.of([
    ['From', `<sip:${at(from)}>;tag=t1`],
    ['To', `<sip:${at(to)}>`],
    ['Call-ID', 'c1'],
    ['CSeq', '1 MESSAGE'],
    ['Content-Type', contentType],
    ...extra,
  ]);
  return new SipRequest({
    method: 'MESSAGE',
    uri,
    headers,
    body: typeof body === 'string' ? Buffer.from(body) : body,
  });
}

function cpim(from: string, to: string, messageId: string, contentType: string, content: string): string {
  return (
    `From: <sip:${at(from)}>\r\nTo: <sip:${at(to)}>\r\nNS: imdn <urn:ietf:params:imdn>\r\n` +
    `imdn.Message-ID: ${messageId}\r\n\r\nContent-Type: ${contentType}\r\n\r\n${content}`
  );
}

function imdn(from: string, to: string, imdnId: string, about: string): string {
  const xml =
    '<?xml version="1.0" encoding="UTF-8"?>\n<imdn xmlns="urn:ietf:params:xml:ns:imdn">' +
    `<message-id>${about}</message-id><datetime>2026-01-01T12:00:00+00:00</datetime>` +
    '<delivery-notification><status><delivered/></status></delivery-notification></imdn>';
  return cpim(from, to, imdnId, 'message/imdn+xml', xml);
}

const identities = (from: string, to: string): Identities => ({
  sender: aor(from),
  recipient: aor(to),
  senderCopy: true,
  replicate: false,
  source: undefined,
});

const statusOf = (admission: Admission): number => (admission.admitted ? 200 : admission.answer.status);

function answerOf(admission: Admission): { status: number; reason: string | undefined } | 'admitted' {
  return admission.admitted
    ? 'admitted'
    : { status: admission.answer.status, reason: admission.answer.reason };
}

describe('message admission', () => {
  let dir: string;
  let store: Store | undefined;
  let clock: ManualClock;
  let n = 0;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'missive-admission-'));
  });
  after(async () => {
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await store?.close();
    store = await openStore(`sqlite://${join(dir, `store-${String(n++)}.db`)}`);
    clock = new ManualClock(1_800_000_000_000);
  });

  function opened(): Store {
    assert.ok(store !== undefined);
    return store;
  }

  function admission(
    limits: Partial<MessageLimits> = {},
    context: MessagingContext = contextWith({ hasStorage: () => Promise.resolve(true) }),
  ): MessageAdmission {
    const all = { ...DEFAULT_MESSAGE_LIMITS, ...limits };
    return new MessageAdmission({
      context,
      limits: all,
      rateLimit: new SenderRateLimit({ perSecond: all.messagesPerSecond, burst: all.messageBurst, clock }),
      parseOptions: () => ({
        now: localTimestamp(clock.now()),
        maxDecompressedBytes: 1024 * 1024,
        fileTransferExpireDays: 15,
        newMessageId: () => `id-${String(n++)}`,
      }),
    });
  }

  function contextWith(storage: StoragePolicy): MessagingContext {
    return {
      store: opened(),
      storage,
      events: { emit: () => undefined },
      uac: { send: () => Promise.resolve(0) },
      clock,
      publicUrl: 'http://127.0.0.1',
      serverHost: () => '127.0.0.1',
      tokenLifetimeMs: 1000,
      newId: () => `id-${String(n++)}`,
    };
  }

  const text = (from: string, to: string, id: string, content = 'hi'): SipRequest =>
    request(from, to, 'message/cpim', cpim(from, to, id, 'text/plain', content));

  it('a stored MESSAGE asks the storage policy once per side, admission and delivery together', async () => {
    const asked: string[] = [];
    const context = contextWith({
      hasStorage: (account) => {
        asked.push(account);
        return Promise.resolve(true);
      },
    });
    const intake = new MessageIntake(context, admission({}, context));
    const answer = await intake.admitAndDeliver(text('alice', 'bob', 'once-1'), identities('alice', 'bob'));
    assert.equal(answer.status, 200);
    // Both copies written, and each side's storage was decided once (the delivery reuses the admission's).
    assert.equal((await opened().journal.get(at('alice'), 'once-1'))?.direction, 'outgoing');
    assert.equal((await opened().journal.get(at('bob'), 'once-1'))?.direction, 'incoming');
    assert.deepEqual(asked.sort(), [at('alice'), at('bob')]);
  });

  it('a body, or a deflated body once inflated, over the limit: 413', async () => {
    const admit = admission({ maxMessageBytes: 1024 });
    const big = request('alice', 'bob', 'text/plain', 'x'.repeat(1025));
    assert.deepEqual(answerOf(await admit.decide(big, identities('alice', 'bob'))), {
      status: 413,
      reason: 'Message Too Large',
    });
    const bomb = request('alice', 'bob', 'text/plain', deflateSync(Buffer.alloc(100_000, 'a')), [
      ['Content-Encoding', 'deflate'],
    ]);
    assert.ok(bomb.body.length < 1024);
    assert.equal(statusOf(await admit.decide(bomb, identities('alice', 'bob'))), 413);
    const fits = request('alice', 'bob', 'text/plain', 'x'.repeat(1024));
    assert.equal(answerOf(await admit.decide(fits, identities('alice', 'bob'))), 'admitted');
  });

  it('a sender over its rate: 403 until the bucket refills (the clock)', async () => {
    const admit = admission({ messagesPerSecond: 1, messageBurst: 2 });
    const send = async (): Promise<unknown> =>
      answerOf(await admit.decide(request('alice', 'bob', 'text/plain', 'hi'), identities('alice', 'bob')));
    assert.equal(await send(), 'admitted');
    assert.equal(await send(), 'admitted');
    assert.deepEqual(await send(), { status: 403, reason: 'Too Many Messages' });
    clock.advance(1000);
    assert.equal(await send(), 'admitted');
  });

  it("the journals' quota: 480 for the recipient's, 403 for the sender's own; a retry of a stored message is not counted", async () => {
    const admit = admission({ journalMaxEntries: 2 });
    const journal = opened().journal;
    const entry = (id: string, contact: string, direction: 'incoming' | 'outgoing') => ({
      messageId: id,
      contact,
      direction,
      contentType: 'text/plain',
      content: 'hi',
      disposition: null,
      state: direction === 'incoming' ? ('received' as const) : ('accepted' as const),
      timestamp: '2026-01-01T12:00:00+00:00',
    });
    await journal.append(at('bob'), entry('b1', at('carol'), 'incoming'), clock.now());
    await journal.append(at('bob'), entry('m1', at('alice'), 'incoming'), clock.now());
    await journal.append(at('alice'), entry('m1', at('bob'), 'outgoing'), clock.now());
    assert.deepEqual(answerOf(await admit.decide(text('alice', 'bob', 'm2'), identities('alice', 'bob'))), {
      status: 480,
      reason: 'Recipient Journal Full',
    });
    assert.equal(
      answerOf(await admit.decide(text('alice', 'bob', 'm1'), identities('alice', 'bob'))),
      'admitted',
    );
    await journal.append(at('alice'), entry('a2', at('dave'), 'outgoing'), clock.now());
    assert.deepEqual(
      answerOf(await admit.decide(text('alice', 'carol', 'm3'), identities('alice', 'carol'))),
      {
        status: 403,
        reason: 'Journal Quota Exceeded',
      },
    );
    const bytes = admission({ journalMaxBytes: 1024 });
    assert.equal(
      statusOf(
        await bytes.decide(text('carol', 'dave', 'm4', 'y'.repeat(2000)), identities('carol', 'dave')),
      ),
      480,
    );
  });

  it("another party's message id is refused; the same message, or one to oneself, is not", async () => {
    const admit = admission();
    await opened().journal.append(
      at('bob'),
      {
        messageId: 'm1',
        contact: at('alice'),
        direction: 'incoming',
        contentType: 'text/plain',
        content: 'hi',
        disposition: null,
        state: 'received',
        timestamp: '2026-01-01T12:00:00+00:00',
      },
      clock.now(),
    );
    assert.deepEqual(
      answerOf(await admit.decide(text('mallory', 'bob', 'm1'), identities('mallory', 'bob'))),
      {
        status: 403,
        reason: 'Message-ID Already Used',
      },
    );
    assert.equal(
      answerOf(await admit.decide(text('alice', 'bob', 'm1'), identities('alice', 'bob'))),
      'admitted',
    );
    await opened().journal.append(
      at('carol'),
      {
        messageId: 'self',
        contact: at('carol'),
        direction: 'outgoing',
        contentType: 'text/plain',
        content: 'note',
        disposition: null,
        state: 'accepted',
        timestamp: '2026-01-01T12:00:00+00:00',
      },
      clock.now(),
    );
    assert.equal(
      answerOf(await admit.decide(text('carol', 'carol', 'self'), identities('carol', 'carol'))),
      'admitted',
    );
  });

  it("an IMDN about someone else's message is refused; about one the journal does not have, admitted", async () => {
    const admit = admission();
    await opened().journal.append(
      at('alice'),
      {
        messageId: 'to-carol',
        contact: at('carol'),
        direction: 'outgoing',
        contentType: 'text/plain',
        content: 'hi',
        disposition: null,
        state: 'accepted',
        timestamp: '2026-01-01T12:00:00+00:00',
      },
      clock.now(),
    );
    const from = (user: string, id: string, about: string) =>
      admit.decide(
        request(user, 'alice', 'message/cpim', imdn(user, 'alice', id, about)),
        identities(user, 'alice'),
      );
    assert.deepEqual(answerOf(await from('bob', 'i1', 'to-carol')), {
      status: 403,
      reason: 'Not A Party To The Message',
    });
    assert.equal(answerOf(await from('carol', 'i2', 'to-carol')), 'admitted');
    assert.equal(answerOf(await from('bob', 'i3', 'unknown-id')), 'admitted');
  });

  it('SIP API types: malformed or unknown ones are refused; a private key only to oneself', async () => {
    const admit = admission();
    const decide = async (contentType: string, body: string, to = 'bob') =>
      answerOf(await admit.decide(request('alice', to, contentType, body), identities('alice', to)));
    const decideStatus = async (contentType: string, body: string) =>
      statusOf(await admit.decide(request('alice', 'bob', contentType, body), identities('alice', 'bob')));
    assert.equal(await decideStatus('application/sylk-api-conversation-read', 'not json'), 400);
    assert.equal(await decideStatus('application/sylk-api-token', ''), 400);
    assert.deepEqual(await decide('application/sylk-api-something-new', '{}'), {
      status: 415,
      reason: 'Unknown API Request',
    });
    assert.deepEqual(await decide('text/pgp-private-key', 'key'), {
      status: 403,
      reason: 'Private Keys Only Between Own Devices',
    });
    assert.equal(await decide('text/pgp-private-key', 'key', 'alice'), 'admitted');
  });
});
