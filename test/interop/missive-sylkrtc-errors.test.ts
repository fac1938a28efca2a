/**
 * Every `error` text of the sylkRTC API (sylk spec §1.3, §1.4, §1.7), driven one by one over a real
 * connection to `missive serve`, table-driven: the validation texts for each field type with values quoted
 * as Python's repr() quotes them (the reference's models/jsonobjects.py and validators.py), the mandatory
 * property text with each request's class name, and the API texts (already added, domain not allowed,
 * unknown account for remove / register / unregister / token / the messaging requests, not authenticated).
 * Texts of the reference that cannot occur here: `Invalid value for 'sylkrtc' property: … (should be …)`
 * (the type picks the class, so the fixed value always matches), `DNS lookup error: …` (account-register
 * resolves no proxy: the HA1 is checked against the subscriber table, or the configured proxy is used) and
 * `Internal error` (only for a failure inside missive). Then: a connection that never registers an
 * account, one whose registration failed and one that unregistered never see an event of that account,
 * while the registered devices of the same account do.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MissiveProcess } from '../support/missive-process.js';
import { LOOPBACK } from '../support/ports.js';
import { ha1, type Json, WebSocketClient } from '../support/websocket-client.js';
import { Cleanup } from './harness/cleanup.js';

const DOMAIN = 'example.test';
const PASSWORD = 'secret';
const ALICE = `alice@${DOMAIN}`;
const BOB = `bob@${DOMAIN}`;
/** Added on the test's connection, never registered. */
const CAROL = `carol@${DOMAIN}`;
const NOBODY = `nobody@${DOMAIN}`;
const TIMESTAMP = '2026-12-07T10:00:00.000Z';

const missing = (name: string, className: string): string =>
  `Mandatory property '${name}' of '${className}' object is missing`;
const invalid = (name: string, repr: string): string => `Invalid value for '${name}' property: ${repr}`;

/** A valid request of each type, for `account`. */
function valid(type: string, account: string): Json {
  const requests: Record<string, Json> = {
    'account-add': { password: 'x' },
    'account-remove': {},
    'account-register': {},
    'account-unregister': {},
    'account-devicetoken': { token: 't', platform: 'ios', device: 'd', silent: false, app: 'a' },
    'account-message': {
      uri: BOB,
      message_id: 'm',
      content: 'hi',
      content_type: 'text/plain',
      timestamp: TIMESTAMP,
    },
    'account-disposition-notification': {
      uri: BOB,
      message_id: 'm',
      state: 'displayed',
      timestamp: TIMESTAMP,
    },
    'account-sync-conversations': {},
    'account-mark-conversation-read': { contact: BOB },
    'account-remove-message': { message_id: 'm', contact: BOB },
    'account-remove-conversation': { contact: BOB },
    'account-fetch-addressbook': {},
    'account-update-addressbook': { action: 'add', type: 'contact', data: { id: 'c1' } },
  };
  return { sylkrtc: type, account, ...requests[type] };
}

const CLASS_NAMES: readonly (readonly [string, string])[] = [
  ['account-add', 'AccountAddRequest'],
  ['account-remove', 'AccountRemoveRequest'],
  ['account-register', 'AccountRegisterRequest'],
  ['account-unregister', 'AccountUnregisterRequest'],
  ['account-devicetoken', 'AccountDeviceTokenRequest'],
  ['account-message', 'AccountMessageRequest'],
  ['account-disposition-notification', 'AccountDispositionNotificationRequest'],
  ['account-sync-conversations', 'AccountSyncConversationsRequest'],
  ['account-mark-conversation-read', 'AccountMarkConversationReadRequest'],
  ['account-remove-message', 'AccountMessageRemoveRequest'],
  ['account-remove-conversation', 'AccountConversationRemoveRequest'],
  ['account-fetch-addressbook', 'AccountFetchAddressbookRequest'],
  ['account-update-addressbook', 'AccountUpdateAddressBookRequest'],
];

/** The requests that need the account registered on this connection (sylk spec §1.8). */
const AUTHENTICATED_TYPES = [
  'account-message',
  'account-disposition-notification',
  'account-sync-conversations',
  'account-mark-conversation-read',
  'account-remove-message',
  'account-remove-conversation',
  'account-fetch-addressbook',
  'account-update-addressbook',
];

const without = (request: Json, name: string): Json =>
  Object.fromEntries(Object.entries(request).filter(([key]) => key !== name));

type Row = readonly [what: string, request: Json, error: string];

const message = valid('account-message', ALICE);
const token = valid('account-devicetoken', ALICE);
const disposition = valid('account-disposition-notification', ALICE);

/** sylk spec §1.3, rule 3: the validation texts. */
const VALIDATION: readonly Row[] = [
  ...CLASS_NAMES.map(
    ([type, className]): Row => [
      `${type} without account`,
      without(valid(type, ALICE), 'account'),
      missing('account', className),
    ],
  ),
  [
    'lookup-public-key without uri',
    { sylkrtc: 'lookup-public-key' },
    missing('uri', 'LookupPublicKeyRequest'),
  ],
  [
    'account-add without password',
    without(valid('account-add', ALICE), 'password'),
    missing('password', 'AccountAddRequest'),
  ],
  ...['uri', 'message_id', 'content', 'content_type', 'timestamp'].map(
    (name): Row => [
      `account-message without ${name}`,
      without(message, name),
      missing(name, 'AccountMessageRequest'),
    ],
  ),
  ...['token', 'platform', 'device', 'silent', 'app'].map(
    (name): Row => [
      `account-devicetoken without ${name}`,
      without(token, name),
      missing(name, 'AccountDeviceTokenRequest'),
    ],
  ),
  ...['uri', 'message_id', 'state', 'timestamp'].map(
    (name): Row => [
      `account-disposition-notification without ${name}`,
      without(disposition, name),
      missing(name, 'AccountDispositionNotificationRequest'),
    ],
  ),
  [
    'account-mark-conversation-read without contact',
    { sylkrtc: 'account-mark-conversation-read', account: ALICE },
    missing('contact', 'AccountMarkConversationReadRequest'),
  ],
  [
    'account-remove-message without message_id',
    { sylkrtc: 'account-remove-message', account: ALICE, contact: BOB },
    missing('message_id', 'AccountMessageRemoveRequest'),
  ],
  [
    'account-remove-conversation without contact',
    { sylkrtc: 'account-remove-conversation', account: ALICE },
    missing('contact', 'AccountConversationRemoveRequest'),
  ],
  // String fields: a JSON string only; a mandatory one given null is invalid (None).
  ['a string field given an integer', { ...message, message_id: 5 }, invalid('message_id', '5')],
  ['a string field given null', { ...message, content: null }, invalid('content', 'None')],
  ['a string field given true', { ...message, content_type: true }, invalid('content_type', 'True')],
  ['a string field given a list', { ...message, timestamp: ['x', 1] }, invalid('timestamp', "['x', 1]")],
  [
    'an optional string field given an object',
    { ...valid('account-add', ALICE), display_name: { a: 1.5 } },
    invalid('display_name', "{'a': 1.5}"),
  ],
  ['a small float, as Python writes it', { ...message, content: 0.00001 }, invalid('content', '1e-05')],
  // Boolean fields: true or false only.
  ['a boolean field given 1', { ...token, silent: 1 }, invalid('silent', '1')],
  ['a boolean field given a string with a quote', { ...token, silent: "it's" }, invalid('silent', `"it's"`)],
  [
    'a boolean field given a zero-width space',
    { ...token, silent: '\u200b' },
    invalid('silent', "'\\u200b'"),
  ],
  ['a boolean field given null', { ...token, silent: null }, invalid('silent', 'None')],
  [
    'an optional boolean field given 0',
    { ...message, server_generated: 0 },
    invalid('server_generated', '0'),
  ],
  // Integer fields: a JSON integer (or a boolean, as in Python).
  [
    'an integer field given a string',
    { sylkrtc: 'account-sync-conversations', account: ALICE, limit: '5' },
    invalid('limit', "'5'"),
  ],
  [
    'an integer field given a float',
    { sylkrtc: 'account-sync-conversations', account: ALICE, limit: 2.5 },
    invalid('limit', '2.5'),
  ],
  [
    'an integer field given an object',
    { sylkrtc: 'account-sync-conversations', account: ALICE, limit: {} },
    invalid('limit', '{}'),
  ],
  // AOR fields: an optional sip:/sips: before something that parses as a SIP URI.
  [
    'an account that is no SIP URI',
    { ...valid('account-add', 'alice@'), account: 'alice@' },
    'invalid SIP URI: alice@',
  ],
  ['a uri with sips: that is no SIP URI', { ...message, uri: 'sips:bob@' }, 'invalid SIP URI: sips:bob@'],
  [
    'an empty contact',
    { sylkrtc: 'account-mark-conversation-read', account: ALICE, contact: '' },
    'invalid SIP URI: ',
  ],
  ['an AOR field given a number', { ...message, uri: 7 }, invalid('uri', '7')],
  // The password (the HA1): a string of 1 to 9999 characters.
  [
    'an empty password',
    { ...valid('account-add', ALICE), password: '' },
    "the value's length must be between 1 and 9999 inclusive",
  ],
  [
    'a password of 10000 characters',
    { ...valid('account-add', ALICE), password: 'x'.repeat(10_000) },
    "the value's length must be between 1 and 9999 inclusive",
  ],
  [
    'a password that is not a string',
    { ...valid('account-add', ALICE), password: 5 },
    invalid('password', '5'),
  ],
  // Limited choices: sorted, the last joined by "or".
  [
    'a disposition state not among the choices',
    { ...disposition, state: 'processed' },
    `${invalid('state', "'processed'")} (expected: delivered, displayed, error, failed or forbidden)`,
  ],
  [
    'a disposition state given null',
    { ...disposition, state: null },
    `${invalid('state', 'None')} (expected: delivered, displayed, error, failed or forbidden)`,
  ],
  [
    'an address book action not among the choices',
    { ...valid('account-update-addressbook', ALICE), action: 'remove' },
    `${invalid('action', "'remove'")} (expected: add, delete or update)`,
  ],
  [
    'an address book type not among the choices',
    { ...valid('account-update-addressbook', ALICE), type: 'buddy' },
    `${invalid('type', "'buddy'")} (expected: contact, group or policy)`,
  ],
  // Arrays of unique strings.
  [
    'an array field given a string',
    { ...valid('account-add', ALICE), incoming_header_prefixes: 'X-' },
    invalid('incoming_header_prefixes', "'X-'"),
  ],
  [
    'an array field with an item that is not a string',
    { ...valid('account-add', ALICE), incoming_header_prefixes: ['X-', 1] },
    'Invalid value for str: 1',
  ],
];

/** sylk spec §1.3 "API error texts" and §1.8: what each request needs, with the normalised AOR. */
const API: readonly Row[] = [
  ['account-add of an account already added', valid('account-add', ALICE), `Account ${ALICE} already added`],
  [
    'account-add of an account already added, with sip:',
    valid('account-add', `sip:${ALICE}`),
    `Account ${ALICE} already added`,
  ],
  [
    'account-add in a domain not served',
    valid('account-add', 'alice@other.org'),
    'SIP domain not allowed: other.org',
  ],
  ['account-add without a domain', valid('account-add', 'alice'), 'SIP domain not allowed: '],
  [
    'account-remove of an unknown account',
    valid('account-remove', NOBODY),
    `Unknown account specified for remove: ${NOBODY}`,
  ],
  [
    'account-register of an unknown account',
    valid('account-register', `sips:${NOBODY}`),
    `Unknown account specified for register: ${NOBODY}`,
  ],
  [
    'account-unregister of an unknown account',
    valid('account-unregister', NOBODY),
    `Unknown account specified for unregister: ${NOBODY}`,
  ],
  [
    'account-devicetoken of an unknown account',
    valid('account-devicetoken', NOBODY),
    `Unknown account specified for token: ${NOBODY}`,
  ],
  ...AUTHENTICATED_TYPES.map(
    (type): Row => [
      `${type} of an unknown account`,
      valid(type, NOBODY),
      `Unknown account specified: ${NOBODY}`,
    ],
  ),
  ...AUTHENTICATED_TYPES.map(
    (type): Row => [
      `${type} of an account added, not registered`,
      valid(type, CAROL),
      'Account not authenticated',
    ],
  ),
  // missive's own (not in the reference): a since that is no time.
  [
    'account-sync-conversations with a since that is no time',
    { sylkrtc: 'account-sync-conversations', account: ALICE, since: 'yesterday' },
    'Invalid Since',
  ],
  [
    'calls are not supported here',
    { sylkrtc: 'session-create', account: ALICE, session: 's', uri: BOB, sdp: 'v=0' },
    'Calls and video rooms are not supported by this server',
  ],
];

describe('missive serve: every sylkRTC error text, over a real connection', { timeout: 180_000 }, () => {
  const peers = new Cleanup();
  let url: string;
  let client: WebSocketClient;

  const device = async (account: string): Promise<WebSocketClient> => {
    const connection = peers.add(await WebSocketClient.ready(url));
    await connection.register(account, PASSWORD);
    return connection;
  };

  before(async () => {
    const users = ['alice', 'bob', 'carol'].map((user) => [user, PASSWORD] as const);
    const missive = peers.add(await MissiveProcess.start({ domain: DOMAIN, users }));
    url = `ws://${LOOPBACK}:${String(missive.ports.ws)}/webrtcgateway/ws`;
    client = await device(ALICE);
    assert.equal((await client.request(valid('account-add', CAROL))).sylkrtc, 'ack');
  });
  after(() => peers.run());

  const check = async (rows: readonly Row[]): Promise<void> => {
    for (const [what, request, error] of rows) {
      const transaction = `t-${what}`;
      const reply = await client.request({ ...request, transaction });
      assert.deepEqual(reply, { transaction, sylkrtc: 'error', error }, what);
    }
  };

  test('validation: each field type, each class name, values quoted as Python does (sylk spec §1.3)', async () => {
    await check(VALIDATION);
  });

  test('the API texts: already added, domain not allowed, unknown account, not authenticated (sylk spec §1.3, §1.8)', async () => {
    await check(API);
  });

  test('a connection that never registers, one whose registration failed and one that unregistered see no event; the registered devices do', async () => {
    const added = peers.add(await WebSocketClient.ready(url));
    assert.equal(
      (await added.request({ ...valid('account-add', ALICE), password: ha1(ALICE, PASSWORD) })).sylkrtc,
      'ack',
    );
    const bare = peers.add(await WebSocketClient.ready(url));
    const wrong = peers.add(await WebSocketClient.ready(url));
    await assert.rejects(wrong.register(ALICE, 'wrong'), /failed/);
    const gone = await device(ALICE);
    assert.equal((await gone.request(valid('account-unregister', ALICE))).sylkrtc, 'ack');
    const phone = await device(ALICE);
    const laptop = await device(ALICE);
    const bob = await device(BOB);

    // A message to alice, a replica of one of hers, and the disposition of hers.
    assert.equal(
      (await bob.request({ ...valid('account-message', BOB), uri: ALICE, message_id: 'to-alice' })).sylkrtc,
      'ack',
    );
    assert.equal(
      (await phone.request({ ...valid('account-message', ALICE), message_id: 'from-alice' })).sylkrtc,
      'ack',
    );
    // The positive signs: alice's registered devices got each.
    for (const device of [phone, laptop]) {
      await device.received('the message', (f) => f.event === 'message' && f.message_id === 'to-alice');
    }
    await laptop.received(
      'the replica',
      (f) => f.event === 'sync' && (f.content as Json | undefined)?.message_id === 'from-alice',
    );
    await phone.received(
      'the disposition',
      (f) => f.event === 'disposition-notification' && f.message_id === 'from-alice',
    );
    await laptop.received(
      'the disposition',
      (f) => f.event === 'disposition-notification' && f.message_id === 'from-alice',
    );
    // Each of the others answers a ping after that: anything sent to it before would be here by now.
    for (const [name, connection] of [
      ['added, never registered', added],
      ['nothing added', bare],
      ['registration failed', wrong],
      ['unregistered', gone],
    ] as const) {
      assert.equal((await connection.request({ sylkrtc: 'ping' })).sylkrtc, 'ack', name);
      const events = connection.frames.filter(
        (f) => f.sylkrtc === 'account-event' && f.event !== 'registration-state',
      );
      assert.deepEqual(events, [], name);
    }
  });
});
