/**
 * The sylkRTC requests and events mapped onto the MessagingService (src/web/sylkrtc/messaging-requests.ts,
 * accounts.ts), over a real web server and a real WebSocket client. The messaging service here is a test
 * double written in this file (the real one is wired in by the server's composition): it records each call
 * and answers as told, and delivers events to the subscriptions the API made, so that these tests see
 * exactly which account and device each call and subscription is for (sylk spec §1.4, §1.5, §8.32).
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { LoginLimiter } from '../../../src/auth/login-limiter.js';
import { MemoryCredentialStore } from '../../../src/credentials/memory.js';
import type { MessagingEvent } from '../../../src/messaging/events.js';
import type {
  AuthenticatedAccount,
  Caller,
  DeviceRef,
  MessagingService,
  ServiceResult,
  Subscription,
} from '../../../src/messaging/service.js';
import { systemClock } from '../../../src/time/clock.js';
import { WebServer } from '../../../src/web/http-server.js';
import { SylkRtcApi } from '../../../src/web/sylkrtc/sylkrtc-api.js';
import { eventually } from '../../support/wait.js';
import { ha1, WebSocketClient } from '../../support/websocket-client.js';

const ALICE = 'alice@example.test';
const BOB = 'bob@example.test';

interface Call {
  readonly method: string;
  readonly args: readonly unknown[];
}

/** The test double: records calls, answers `next` (ok by default), keeps subscriptions. */
class FakeMessaging implements MessagingService {
  readonly calls: Call[] = [];
  readonly subscriptions: {
    account: string;
    device: DeviceRef;
    listener: (event: MessagingEvent) => void;
    live: boolean;
  }[] = [];
  answer: ServiceResult<unknown> = { ok: true, value: undefined };
  fail = false;

  #record<T>(method: string, args: readonly unknown[]): Promise<ServiceResult<T>> {
    this.calls.push({ method, args });
    if (this.fail) return Promise.reject(new Error('boom'));
    return Promise.resolve(this.answer as ServiceResult<T>);
  }

  sendMessage(...args: Parameters<MessagingService['sendMessage']>): Promise<ServiceResult> {
    return this.#record('sendMessage', args);
  }
  sendDisposition(...args: Parameters<MessagingService['sendDisposition']>): Promise<ServiceResult> {
    return this.#record('sendDisposition', args);
  }
  sync(...args: Parameters<MessagingService['sync']>): ReturnType<MessagingService['sync']> {
    return this.#record('sync', args);
  }
  markConversationRead(
    ...args: Parameters<MessagingService['markConversationRead']>
  ): Promise<ServiceResult> {
    return this.#record('markConversationRead', args);
  }
  removeMessage(...args: Parameters<MessagingService['removeMessage']>): Promise<ServiceResult> {
    return this.#record('removeMessage', args);
  }
  removeConversation(...args: Parameters<MessagingService['removeConversation']>): Promise<ServiceResult> {
    return this.#record('removeConversation', args);
  }
  announceFileTransfer(
    ...args: Parameters<MessagingService['announceFileTransfer']>
  ): Promise<ServiceResult> {
    return this.#record('announceFileTransfer', args);
  }
  lookUpPublicKey(uri: string): ReturnType<MessagingService['lookUpPublicKey']> {
    return this.#record('lookUpPublicKey', [uri]);
  }
  fetchAddressBook(
    ...args: Parameters<MessagingService['fetchAddressBook']>
  ): ReturnType<MessagingService['fetchAddressBook']> {
    return this.#record('fetchAddressBook', args);
  }
  changeAddressBook(
    ...args: Parameters<MessagingService['changeAddressBook']>
  ): ReturnType<MessagingService['changeAddressBook']> {
    return this.#record('changeAddressBook', args);
  }
  registerPushToken(...args: Parameters<MessagingService['registerPushToken']>): Promise<ServiceResult> {
    return this.#record('registerPushToken', args);
  }
  removePushToken(...args: Parameters<MessagingService['removePushToken']>): Promise<ServiceResult> {
    return this.#record('removePushToken', args);
  }
  subscribe(
    account: AuthenticatedAccount,
    device: DeviceRef,
    listener: (event: MessagingEvent) => void,
  ): Subscription {
    const entry = { account, device, listener, live: true };
    this.subscriptions.push(entry);
    return {
      unsubscribe: () => {
        entry.live = false;
      },
    };
  }

  /** Delivers `event` to the live subscriptions of its account. */
  emit(event: MessagingEvent): void {
    for (const entry of this.subscriptions)
      if (entry.live && entry.account === event.account) entry.listener(event);
  }

  callsOf(method: string): (readonly unknown[])[] {
    return this.calls.filter((call) => call.method === method).map((call) => call.args);
  }
}

const messageEvent = (account: string, id: string): MessagingEvent => ({
  kind: 'message',
  account,
  payload: {
    sylkrtc: 'account-event',
    account,
    event: 'message',
    sender: { uri: BOB, display_name: null },
    timestamp: '2024-05-01T10:00:00+00:00',
    disposition_notification: null,
    message_id: id,
    content_type: 'text/plain',
    content: 'yo',
  },
});

describe('sylkRTC API: the mapping onto the messaging service', () => {
  const messaging = new FakeMessaging();
  const touched: string[] = [];
  let server: WebServer;
  let api: SylkRtcApi;
  let url: string;
  const clients: WebSocketClient[] = [];

  before(async () => {
    api = new SylkRtcApi({
      credentials: new MemoryCredentialStore([
        [ALICE, 'secret'],
        [BOB, 'secret'],
      ]),
      loginGate: new LoginLimiter(systemClock),
      messaging,
      touchAccount: (account) => {
        touched.push(account);
        return Promise.resolve();
      },
      clock: systemClock,
    });
    server = new WebServer({ fetch: () => new Response('no'), upgrades: { api } });
    const address = await server.listen('127.0.0.1', 0);
    url = `ws://127.0.0.1:${String(address.port)}/webrtcgateway/ws`;
  });
  after(async () => {
    for (const client of clients) await client.stop();
    api.close();
    await server.close();
  });
  beforeEach(() => {
    messaging.calls.length = 0;
    messaging.answer = { ok: true, value: undefined };
    messaging.fail = false;
  });

  const open = async (): Promise<WebSocketClient> => {
    const client = await WebSocketClient.ready(url);
    clients.push(client);
    return client;
  };

  /** A connection with `account` added and registered. */
  const registered = async (account = ALICE): Promise<WebSocketClient> => {
    const client = await open();
    await client.call({ sylkrtc: 'account-add', account, password: ha1(account, 'secret') });
    await client.call({ sylkrtc: 'account-register', account });
    assert.equal((await client.next()).state, 'registering');
    assert.equal((await client.next()).state, 'registered');
    return client;
  };

  const callerOf = (args: readonly unknown[] | undefined): Caller => {
    assert.ok(args !== undefined, 'the service was called');
    return args[0] as Caller;
  };

  test('registration subscribes the account for this device, touches its storage account; events become frames', async () => {
    const before = messaging.subscriptions.length;
    const client = await registered();
    const subscription = messaging.subscriptions[before];
    assert.equal(messaging.subscriptions.length, before + 1);
    assert.equal(subscription?.account, ALICE);
    assert.ok(touched.includes(ALICE));
    const event = messageEvent(ALICE, 'm1');
    messaging.emit(event);
    assert.deepEqual(await client.next(), event.kind === 'message' ? event.payload : undefined);
    // Push events are for the push dispatcher: the next frame is a later ping's ack.
    messaging.emit({
      kind: 'push',
      account: ALICE,
      push: {
        account: ALICE,
        from: BOB,
        fromDisplayName: null,
        to: ALICE,
        messageId: 'p',
        contentType: 'text/plain',
        content: 'x',
        badge: 1,
      },
    });
    assert.equal((await client.call({ sylkrtc: 'ping' })).sylkrtc, 'ack');
  });

  test('an account added but not registered is never subscribed and gets no event (sylk spec §8.32)', async () => {
    const eavesdropper = await open();
    const before = messaging.subscriptions.length;
    await eavesdropper.call({ sylkrtc: 'account-add', account: BOB, password: ha1(BOB, 'guess') });
    await eavesdropper.call({ sylkrtc: 'account-register', account: BOB });
    assert.equal((await eavesdropper.next()).state, 'registering');
    assert.equal((await eavesdropper.next()).state, 'failed');
    const victim = await registered(BOB);
    assert.deepEqual(
      messaging.subscriptions.slice(before).map((s) => s.account),
      [BOB],
      'only the registered connection subscribed',
    );
    messaging.emit(messageEvent(BOB, 'secret-1'));
    assert.equal((await victim.next()).message_id, 'secret-1');
    // The eavesdropper's next frame is the ack of its later ping, not the event.
    assert.deepEqual(await eavesdropper.call({ sylkrtc: 'ping', transaction: 'after' }), {
      transaction: 'after',
      sylkrtc: 'ack',
    });
  });

  test('account-message: sendMessage for the caller and its device, with the request as replicated (sylk spec §1.4.6)', async () => {
    const client = await registered();
    const request = {
      sylkrtc: 'account-message',
      transaction: 'm1',
      account: `sip:${ALICE}`,
      uri: `sip:${BOB}`,
      message_id: 'id-1',
      content: 'hi',
      content_type: 'text/plain',
      timestamp: '2024-05-01T10:00:00.000Z',
      extra: 'ignored',
    };
    assert.deepEqual(await client.call(request), { transaction: 'm1', sylkrtc: 'ack' });
    const [args] = messaging.callsOf('sendMessage');
    assert.equal(callerOf(args).account, ALICE);
    assert.equal(typeof callerOf(args).device.id, 'string');
    assert.deepEqual(args?.[1], {
      to: BOB,
      messageId: 'id-1',
      contentType: 'text/plain',
      content: 'hi',
      timestamp: '2024-05-01T10:00:00.000Z',
      original: {
        transaction: 'm1',
        account: ALICE,
        sylkrtc: 'account-message',
        uri: BOB,
        message_id: 'id-1',
        content: 'hi',
        content_type: 'text/plain',
        timestamp: '2024-05-01T10:00:00.000Z',
      },
    });
    // The subscription and the call name the same device: the service leaves it out of the replica.
    const subscription = messaging.subscriptions.findLast((s) => s.account === ALICE && s.live);
    assert.equal(subscription?.device.id, callerOf(args).device.id);
  });

  test("a refusal is the client's error text; a service that throws is 'Internal error'", async () => {
    const client = await registered();
    messaging.answer = { ok: false, refusal: { kind: 'too-large', reason: 'Message Too Large' } };
    const message = {
      sylkrtc: 'account-message',
      account: ALICE,
      uri: BOB,
      message_id: 'x',
      content: 'x',
      content_type: 'text/plain',
      timestamp: 't',
    };
    assert.equal((await client.call(message)).error, 'Message Too Large');
    messaging.answer = { ok: true, value: undefined };
    messaging.fail = true;
    assert.equal((await client.call(message)).error, 'Internal error');
    messaging.fail = false;
    assert.equal((await client.call({ sylkrtc: 'ping' })).sylkrtc, 'ack', 'the connection goes on');
  });

  test('account-sync-conversations: ack, then the sync-conversations event; limit 5000 by default, null: none (sylk spec §1.4.8)', async () => {
    const client = await registered();
    const entry = {
      contact: BOB,
      timestamp: '2024-05-01T10:00:00+00:00',
      disposition: [],
      message_id: 'e1',
      content_type: 'text/plain',
      content: 'hi',
      direction: 'incoming',
      state: 'received',
    };
    messaging.answer = { ok: true, value: { messages: [entry], hasMore: false } };
    assert.equal(
      (await client.call({ sylkrtc: 'account-sync-conversations', account: ALICE, message_id: null }))
        .sylkrtc,
      'ack',
    );
    assert.deepEqual(await client.next(), {
      sylkrtc: 'account-event',
      account: ALICE,
      event: 'sync-conversations',
      messages: [entry],
    });
    await client.call({
      sylkrtc: 'account-sync-conversations',
      account: ALICE,
      message_id: 'e0',
      since: '2024-01-01T00:00:00Z',
      limit: 2,
    });
    await client.next();
    await client.call({ sylkrtc: 'account-sync-conversations', account: ALICE, limit: null });
    await client.next();
    assert.deepEqual(
      messaging.callsOf('sync').map((args) => args[1]),
      [
        { messageId: undefined, since: undefined, limit: 5000 },
        { messageId: 'e0', since: '2024-01-01T00:00:00Z', limit: 2 },
        { messageId: undefined, since: undefined, limit: undefined },
      ],
    );
    messaging.answer = { ok: true, value: { messages: [], hasMore: true } };
    await client.call({ sylkrtc: 'account-sync-conversations', account: ALICE, limit: 1 });
    assert.equal((await client.next()).has_more, true);
    assert.match(
      String((await client.call({ sylkrtc: 'account-sync-conversations', account: ALICE, limit: -1 })).error),
      /^Invalid value for 'limit' property: -1/,
    );
  });

  test('disposition, mark read, remove message, remove conversation: one call each, with the AORs without scheme', async () => {
    const client = await registered();
    await client.call({
      sylkrtc: 'account-disposition-notification',
      account: ALICE,
      uri: `sips:${BOB}`,
      message_id: 'm2',
      state: 'displayed',
      timestamp: '2024-05-01T10:00:00.325Z',
    });
    await client.call({ sylkrtc: 'account-mark-conversation-read', account: ALICE, contact: BOB });
    await client.call({ sylkrtc: 'account-remove-message', account: ALICE, message_id: 'm1', contact: BOB });
    await client.call({ sylkrtc: 'account-remove-conversation', account: ALICE, contact: BOB });
    assert.deepEqual(
      messaging.calls.map((call) => [call.method, callerOf(call.args).account, ...call.args.slice(1)]),
      [
        [
          'sendDisposition',
          ALICE,
          { to: BOB, messageId: 'm2', messageTimestamp: '2024-05-01T10:00:00.325Z', state: 'displayed' },
        ],
        ['markConversationRead', ALICE, BOB],
        ['removeMessage', ALICE, BOB, 'm1'],
        ['removeConversation', ALICE, BOB],
      ],
    );
  });

  test('lookup-public-key needs no account: the event, then the ack (sylk spec §1.4.12)', async () => {
    const client = await open();
    messaging.answer = { ok: true, value: undefined };
    const transaction = client.send({ sylkrtc: 'lookup-public-key', uri: `sip:${BOB}` });
    assert.deepEqual(await client.next(), { sylkrtc: 'lookup-public-key-event', uri: BOB, public_key: null });
    assert.deepEqual(await client.next(), { transaction, sylkrtc: 'ack' });
    messaging.answer = { ok: true, value: '-----BEGIN PGP PUBLIC KEY BLOCK-----' };
    client.send({ sylkrtc: 'lookup-public-key', uri: ALICE });
    assert.equal((await client.next()).public_key, '-----BEGIN PGP PUBLIC KEY BLOCK-----');
  });

  test('account-devicetoken: stored when the registration succeeds, removed by account-unregister (sylk spec §1.4.4, §1.4.5)', async () => {
    const client = await open();
    await client.call({ sylkrtc: 'account-add', account: ALICE, password: ha1(ALICE, 'secret') });
    const token = {
      sylkrtc: 'account-devicetoken',
      account: ALICE,
      token: 'voip123-bg456',
      platform: 'ios',
      device: 'd1',
      silent: true,
      app: 'com.x',
    };
    assert.equal((await client.call(token)).sylkrtc, 'ack');
    assert.deepEqual(messaging.callsOf('registerPushToken'), [], 'not stored before the registration');
    await client.call({ sylkrtc: 'account-register', account: ALICE });
    await client.next();
    await client.next();
    const stored = messaging.callsOf('registerPushToken');
    assert.equal(stored.length, 1);
    assert.equal(callerOf(stored[0]).account, ALICE);
    assert.deepEqual(stored[0]?.[1], {
      appId: 'com.x',
      deviceId: 'd1',
      platform: 'ios',
      token: 'voip123-bg456',
      silent: true,
    });
    assert.equal((await client.call(token)).sylkrtc, 'ack');
    assert.equal(messaging.callsOf('registerPushToken').length, 2, 'stored at once when registered');
    assert.equal((await client.call({ sylkrtc: 'account-unregister', account: ALICE })).sylkrtc, 'ack');
    const removed = messaging.callsOf('removePushToken');
    assert.deepEqual(
      removed.map((args) => [callerOf(args).account, args[1], args[2]]),
      [[ALICE, 'com.x', 'd1']],
    );
    const subscription = messaging.subscriptions.findLast((s) => s.account === ALICE);
    assert.equal(subscription?.live, false, 'the subscription ended with the registration');
  });

  test('address book: fetched and updated events before the ack, a failed change as an event (sylk spec §1.4.13)', async () => {
    const client = await registered();
    const book = { contacts: [{ id: 'c1', name: 'Bob', uris: [] }], groups: [], policies: [] };
    messaging.answer = { ok: true, value: book };
    let transaction = client.send({ sylkrtc: 'account-fetch-addressbook', account: ALICE });
    assert.deepEqual(await client.next(), {
      sylkrtc: 'account-event',
      account: ALICE,
      event: 'addressbook-fetched',
      addressbook: book,
    });
    assert.deepEqual(await client.next(), { sylkrtc: 'ack', transaction });

    const contact = { id: 'c2', name: 'Carol', uris: [{ id: 'u', uri: 'sip:carol@example.test' }] };
    messaging.answer = {
      ok: true,
      value: {
        sylkrtc: 'account-event',
        account: ALICE,
        event: 'addressbook-updated',
        type: 'contact',
        action: 'add',
        contact,
      },
    };
    transaction = client.send({
      sylkrtc: 'account-update-addressbook',
      account: ALICE,
      action: 'add',
      type: 'contact',
      data: contact,
    });
    assert.deepEqual(await client.next(), {
      sylkrtc: 'account-event',
      account: ALICE,
      event: 'addressbook-updated',
      type: 'contact',
      action: 'add',
      contact,
    });
    assert.deepEqual(await client.next(), { sylkrtc: 'ack', transaction });
    const [changeArgs] = messaging.callsOf('changeAddressBook').slice(-1);
    assert.equal(callerOf(changeArgs).account, ALICE);
    assert.deepEqual(changeArgs![1], { action: 'add', type: 'contact', data: contact });

    messaging.answer = { ok: false, refusal: { kind: 'invalid', reason: 'no contact with id c9' } };
    transaction = client.send({
      sylkrtc: 'account-update-addressbook',
      account: ALICE,
      action: 'update',
      type: 'contact',
      data: { id: 'c9' },
    });
    assert.deepEqual(await client.next(), {
      sylkrtc: 'account-event',
      account: ALICE,
      event: 'addressbook-update-failed',
      type: 'contact',
      action: 'update',
      error: 'no contact with id c9',
      id: 'c9',
    });
    assert.deepEqual(await client.next(), { sylkrtc: 'ack', transaction });
    messaging.answer = { ok: true, value: undefined };
  });

  test('closing the connection ends its subscriptions', async () => {
    const client = await registered();
    const subscription = messaging.subscriptions.findLast((s) => s.account === ALICE);
    client.close();
    await client.closedWith();
    // The server sees the close frame after the client: wait for the subscription to end.
    assert.ok(subscription !== undefined);
    await eventually(() => !subscription.live, 'the subscription to end');
  });
});
