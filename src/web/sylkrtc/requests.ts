/**
 * The request types of the sylkRTC API (sylk spec §1.4) with the reference's field lists, in the order the
 * reference checks them (base-class fields first: `transaction`, then `account`, then the type's own), and
 * the typed request each becomes once valid. Calls (`session-*`) and video rooms (`videoroom-*`) are known
 * types (so they are answered) that need only a transaction: they are refused as not supported here.
 */
import {
  ADDRESS_BOOK_ACTIONS,
  ADDRESS_BOOK_TYPES,
  type AddressBookAction,
  type AddressBookType,
} from '../../messaging/address-book/address-book.js';
import type { FieldSpec, FieldValue } from './fields.js';

const TRANSACTION: FieldSpec = { name: 'transaction', kind: { type: 'string' } };
const ACCOUNT: FieldSpec = { name: 'account', kind: { type: 'aor' } };
const string = (name: string, optional = false): FieldSpec => ({ name, kind: { type: 'string' }, optional });
const aor = (name: string): FieldSpec => ({ name, kind: { type: 'aor' } });

export const DISPOSITION_STATES = ['delivered', 'failed', 'displayed', 'forbidden', 'error'] as const;
export type DispositionState = (typeof DISPOSITION_STATES)[number];

interface Schema {
  readonly className: string;
  readonly fields: readonly FieldSpec[];
}

const account = (className: string, ...fields: FieldSpec[]): Schema => ({
  className,
  fields: [TRANSACTION, ACCOUNT, ...fields],
});

/** The messaging and account requests, by `sylkrtc` type. */
const SCHEMAS = {
  ping: { className: 'PingRequest', fields: [TRANSACTION] },
  'lookup-public-key': { className: 'LookupPublicKeyRequest', fields: [TRANSACTION, aor('uri')] },
  'account-add': account(
    'AccountAddRequest',
    { name: 'password', kind: { type: 'password' } },
    string('display_name', true),
    string('user_agent', true),
    { name: 'incoming_header_prefixes', kind: { type: 'unique-strings' }, optional: true },
  ),
  'account-remove': account('AccountRemoveRequest'),
  'account-register': account('AccountRegisterRequest'),
  'account-unregister': account('AccountUnregisterRequest'),
  'account-devicetoken': account(
    'AccountDeviceTokenRequest',
    string('token'),
    string('platform'),
    string('device'),
    { name: 'silent', kind: { type: 'boolean' } },
    string('app'),
  ),
  'account-message': account(
    'AccountMessageRequest',
    aor('uri'),
    string('message_id'),
    string('content'),
    string('content_type'),
    string('timestamp'),
    { name: 'server_generated', kind: { type: 'boolean' }, optional: true },
  ),
  'account-disposition-notification': account(
    'AccountDispositionNotificationRequest',
    aor('uri'),
    string('message_id'),
    { name: 'state', kind: { type: 'choice', values: DISPOSITION_STATES } },
    string('timestamp'),
  ),
  'account-sync-conversations': account(
    'AccountSyncConversationsRequest',
    string('message_id', true),
    string('since', true),
    { name: 'limit', kind: { type: 'integer' }, optional: true },
  ),
  'account-mark-conversation-read': account('AccountMarkConversationReadRequest', aor('contact')),
  'account-remove-message': account('AccountMessageRemoveRequest', string('message_id'), aor('contact')),
  'account-remove-conversation': account('AccountConversationRemoveRequest', aor('contact')),
  'account-fetch-addressbook': account('AccountFetchAddressbookRequest'),
  'account-update-addressbook': account(
    'AccountUpdateAddressBookRequest',
    { name: 'action', kind: { type: 'choice', values: ADDRESS_BOOK_ACTIONS } },
    { name: 'type', kind: { type: 'choice', values: ADDRESS_BOOK_TYPES } },
    { name: 'data', kind: { type: 'object' } },
  ),
} as const satisfies Record<string, Schema>;

export type ApiRequestType = keyof typeof SCHEMAS;

/** sylk spec §1.4, "out of scope": known to the reference, answered here with an error. */
export const CALL_REQUEST_TYPES: ReadonlySet<string> = new Set([
  'session-create',
  'session-answer',
  'session-trickle',
  'session-terminate',
  'session-update',
  'session-message',
  'session-dtmf-info',
  'videoroom-join',
  'videoroom-leave',
  'videoroom-configure',
  'videoroom-feed-attach',
  'videoroom-feed-answer',
  'videoroom-feed-detach',
  'videoroom-invite',
  'videoroom-session-trickle',
  'videoroom-session-update',
  'videoroom-message',
  'videoroom-composing-indication',
  'videoroom-mute-audio-participants',
  'videoroom-toggle-hand',
]);

const CALL_SCHEMA: Schema = { className: 'SessionRequest', fields: [TRANSACTION] };

export function schemaOf(type: string): Schema | undefined {
  if (Object.hasOwn(SCHEMAS, type)) return SCHEMAS[type as ApiRequestType];
  return CALL_REQUEST_TYPES.has(type) ? CALL_SCHEMA : undefined;
}

/** The validated fields of a request, by name (absent and null optional fields are absent). */
export type ValidFields = ReadonlyMap<string, FieldValue>;

interface Base<T extends string> {
  readonly sylkrtc: T;
  readonly transaction: string;
}

interface AccountBase<T extends string> extends Base<T> {
  /** The AOR without scheme. */
  readonly account: string;
}

export type PingRequest = Base<'ping'>;
export interface LookupPublicKeyRequest extends Base<'lookup-public-key'> {
  readonly uri: string;
}
export interface AccountAddRequest extends AccountBase<'account-add'> {
  /** The HA1 (sylk spec §1.4.1), never a clear password. */
  readonly password: string;
  readonly displayName: string | undefined;
  readonly userAgent: string | undefined;
  readonly incomingHeaderPrefixes: readonly string[] | undefined;
}
export type AccountRemoveRequest = AccountBase<'account-remove'>;
export type AccountRegisterRequest = AccountBase<'account-register'>;
export type AccountUnregisterRequest = AccountBase<'account-unregister'>;
export interface AccountDeviceTokenRequest extends AccountBase<'account-devicetoken'> {
  readonly token: string;
  readonly platform: string;
  readonly device: string;
  readonly silent: boolean;
  readonly app: string;
}
export interface AccountMessageRequest extends AccountBase<'account-message'> {
  readonly uri: string;
  readonly messageId: string;
  readonly content: string;
  readonly contentType: string;
  readonly timestamp: string;
  readonly serverGenerated: boolean | undefined;
}
export interface AccountDispositionRequest extends AccountBase<'account-disposition-notification'> {
  readonly uri: string;
  readonly messageId: string;
  readonly state: DispositionState;
  readonly timestamp: string;
}
export interface AccountSyncRequest extends AccountBase<'account-sync-conversations'> {
  readonly messageId: string | undefined;
  readonly since: string | undefined;
  /** undefined: the default (5000) applies; null: no limit. */
  readonly limit: number | null | undefined;
}
export interface AccountMarkReadRequest extends AccountBase<'account-mark-conversation-read'> {
  readonly contact: string;
}
export interface AccountRemoveMessageRequest extends AccountBase<'account-remove-message'> {
  readonly messageId: string;
  readonly contact: string;
}
export interface AccountRemoveConversationRequest extends AccountBase<'account-remove-conversation'> {
  readonly contact: string;
}
export type AccountFetchAddressbookRequest = AccountBase<'account-fetch-addressbook'>;
export interface AccountUpdateAddressbookRequest extends AccountBase<'account-update-addressbook'> {
  readonly action: AddressBookAction;
  readonly type: AddressBookType;
  readonly data: Readonly<Record<string, unknown>>;
}
export interface CallRequest {
  readonly sylkrtc: 'call';
  /** The type the client sent (session-create, videoroom-join, …). */
  readonly type: string;
  readonly transaction: string;
}

export type MessagingRequest =
  | AccountMessageRequest
  | AccountDispositionRequest
  | AccountSyncRequest
  | AccountMarkReadRequest
  | AccountRemoveMessageRequest
  | AccountRemoveConversationRequest
  | AccountFetchAddressbookRequest
  | AccountUpdateAddressbookRequest;

export type SylkRequest =
  | PingRequest
  | LookupPublicKeyRequest
  | AccountAddRequest
  | AccountRemoveRequest
  | AccountRegisterRequest
  | AccountUnregisterRequest
  | AccountDeviceTokenRequest
  | MessagingRequest
  | CallRequest;

/** The typed request of `type` from its validated fields (schemaOf(type) validated them). */
export function buildRequest(type: string, fields: ValidFields, rawLimit: unknown): SylkRequest {
  const text = (name: string): string => {
    const value = fields.get(name);
    return typeof value === 'string' ? value : '';
  };
  const optionalText = (name: string): string | undefined => {
    const value = fields.get(name);
    return typeof value === 'string' ? value : undefined;
  };
  const transaction = text('transaction');
  const accountOf = text('account');
  switch (type) {
    case 'ping':
      return { sylkrtc: 'ping', transaction };
    case 'lookup-public-key':
      return { sylkrtc: 'lookup-public-key', transaction, uri: text('uri') };
    case 'account-add': {
      const prefixes = fields.get('incoming_header_prefixes');
      return {
        sylkrtc: 'account-add',
        transaction,
        account: accountOf,
        password: text('password'),
        displayName: optionalText('display_name'),
        userAgent: optionalText('user_agent'),
        incomingHeaderPrefixes: Array.isArray(prefixes) ? (prefixes as readonly string[]) : undefined,
      };
    }
    case 'account-remove':
    case 'account-register':
    case 'account-unregister':
    case 'account-fetch-addressbook':
      return { sylkrtc: type, transaction, account: accountOf };
    case 'account-update-addressbook': {
      const data = fields.get('data');
      return {
        sylkrtc: type,
        transaction,
        account: accountOf,
        action: ADDRESS_BOOK_ACTIONS.find((action) => action === text('action')) ?? 'add',
        type: ADDRESS_BOOK_TYPES.find((kind) => kind === text('type')) ?? 'contact',
        // The validator accepted only a JSON object here.
        data: isObjectField(data) ? data : {},
      };
    }
    case 'account-devicetoken':
      return {
        sylkrtc: 'account-devicetoken',
        transaction,
        account: accountOf,
        token: text('token'),
        platform: text('platform'),
        device: text('device'),
        silent: fields.get('silent') === true,
        app: text('app'),
      };
    case 'account-message': {
      const serverGenerated = fields.get('server_generated');
      return {
        sylkrtc: 'account-message',
        transaction,
        account: accountOf,
        uri: text('uri'),
        messageId: text('message_id'),
        content: text('content'),
        contentType: text('content_type'),
        timestamp: text('timestamp'),
        serverGenerated: typeof serverGenerated === 'boolean' ? serverGenerated : undefined,
      };
    }
    case 'account-disposition-notification':
      return {
        sylkrtc: 'account-disposition-notification',
        transaction,
        account: accountOf,
        uri: text('uri'),
        messageId: text('message_id'),
        state: DISPOSITION_STATES.find((state) => state === text('state')) ?? 'delivered',
        timestamp: text('timestamp'),
      };
    case 'account-sync-conversations': {
      const limit = fields.get('limit');
      return {
        sylkrtc: 'account-sync-conversations',
        transaction,
        account: accountOf,
        messageId: optionalText('message_id'),
        since: optionalText('since'),
        // Absent: the default; given as null: no limit (sylk spec §1.4.8).
        limit: typeof limit === 'number' ? limit : rawLimit === null ? null : undefined,
      };
    }
    case 'account-mark-conversation-read':
      return { sylkrtc: type, transaction, account: accountOf, contact: text('contact') };
    case 'account-remove-message':
      return {
        sylkrtc: 'account-remove-message',
        transaction,
        account: accountOf,
        messageId: text('message_id'),
        contact: text('contact'),
      };
    case 'account-remove-conversation':
      return { sylkrtc: type, transaction, account: accountOf, contact: text('contact') };
    default:
      return { sylkrtc: 'call', type, transaction };
  }
}

function isObjectField(value: FieldValue | undefined): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && !Array.isArray(value);
}
