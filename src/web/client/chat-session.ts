/**
 * A signed-in account over the sylkRTC API (docs/sylkrtc-api.md): account-add with the HA1,
 * account-register, catching up with `account-sync-conversations` page by page, and the requests the
 * views make. Events update the model and then call `onChange`.
 */
import { ChatModel, type ChatMessage, isShown } from './chat-model.js';
import { namesFrom } from './address-book.js';
import { EndToEnd } from './end-to-end.js';
import { FILE_TRANSFER_TYPE, pendingTransfer, uploadFile } from './file-transfer.js';
import { HistoryDecryption } from './history-decryption.js';
import { PRIVATE_KEY_TYPE, PUBLIC_KEY_TYPE } from './pgp-armor.js';
import { type SocketFrame, type Reply, SylkRtcSocket } from './sylkrtc-socket.js';

/** Entries per `account-sync-conversations` page; the server may stop a page sooner (`has_more`). */
const SYNC_PAGE = 1000;

export const UNREACHABLE = 'The server cannot be reached';

export type SignInResult =
  | { readonly ok: true; readonly session: ChatSession }
  | { readonly ok: false; readonly reason: string };

export class ChatSession {
  readonly model = new ChatModel();
  readonly account: string;
  readonly #socket: SylkRtcSocket;
  /** The last journal entry seen: a reconnect goes on from here. */
  #cursor: string | undefined;
  #page: ((frame: SocketFrame) => void) | undefined;
  #registration: ((state: { registered: boolean; reason: string }) => void) | undefined;
  /** Lookups waiting for their `lookup-public-key-event`, by URI. */
  readonly #lookups = new Map<string, ((key: string | undefined) => void)[]>();
  readonly #decryption: HistoryDecryption;
  readonly e2e: EndToEnd;
  /** The address book's names, by address (empty until fetched, or without a book). */
  names: ReadonlyMap<string, string> = new Map();
  onChange: () => void = () => undefined;
  onIncoming: (message: ChatMessage) => void = () => undefined;
  onClose: () => void = () => undefined;

  private constructor(account: string, socket: SylkRtcSocket) {
    this.account = account;
    this.#socket = socket;
    this.e2e = new EndToEnd({
      account,
      send: async (contact, content, contentType) => {
        const reply = await this.#request('account-message', {
          uri: contact,
          message_id: uuid(),
          content,
          content_type: contentType,
          timestamp: new Date().toISOString(),
        });
        return reply.ok;
      },
      lookUpPublicKey: (uri) => this.#lookUp(uri),
    });
    this.#decryption = new HistoryDecryption(this.model, this.e2e, () => {
      this.onChange();
    });
    socket.onEvent = (frame) => {
      this.#event(frame);
    };
    socket.onClose = () => {
      this.onClose();
    };
  }

  static async signIn(url: string, account: string, ha1: string): Promise<SignInResult> {
    const socket = new SylkRtcSocket(url);
    try {
      await socket.ready();
    } catch {
      return { ok: false, reason: UNREACHABLE };
    }
    const session = new ChatSession(account, socket);
    const added = await socket.request('account-add', {
      account,
      password: ha1,
      user_agent: 'missive web chat',
    });
    if (!added.ok) return session.#fail(added.error);
    const registered = new Promise<{ registered: boolean; reason: string }>((resolve) => {
      session.#registration = resolve;
    });
    const register = await socket.request('account-register', { account });
    if (!register.ok) return session.#fail(register.error);
    const state = await registered;
    if (!state.registered) return session.#fail(state.reason);
    return { ok: true, session };
  }

  /** Everything after the cursor, page by page (the whole journal at the first sign-in). */
  async catchUp(): Promise<Reply> {
    for (;;) {
      const page = new Promise<SocketFrame>((resolve) => {
        this.#page = resolve;
      });
      const reply = await this.#request('account-sync-conversations', {
        message_id: this.#cursor ?? null,
        limit: SYNC_PAGE,
      });
      if (!reply.ok) return reply;
      const frame = await page;
      const entries = Array.isArray(frame.messages) ? (frame.messages as SocketFrame[]) : [];
      for (const entry of entries) this.model.applyEntry(entry);
      const last = entries[entries.length - 1];
      if (last !== undefined && typeof last.message_id === 'string') this.#cursor = last.message_id;
      this.onChange();
      if (frame.has_more !== true && entries.length < SYNC_PAGE) return { ok: true };
    }
  }

  /** Encrypted when the contact's key is known (sylk-mobile's rule); the page shows the text either way. */
  async send(contact: string, text: string): Promise<void> {
    const message: ChatMessage = {
      id: uuid(),
      contact,
      direction: 'outgoing',
      contentType: 'text/plain',
      content: text,
      timestamp: new Date().toISOString(),
      state: 'pending',
      disposition: [],
    };
    this.model.add(message);
    this.onChange();
    const sealed = await this.e2e.encrypt(contact, text);
    if (sealed !== undefined) {
      message.encrypted = true;
      this.onChange();
    }
    const reply = await this.#request('account-message', {
      uri: contact,
      message_id: message.id,
      content: sealed ?? text,
      content_type: message.contentType,
      timestamp: message.timestamp,
    });
    if (!reply.ok) {
      this.model.updateState(message.id, 'failed', reply.error);
      this.onChange();
    }
  }

  /** The address book, for its names; fetched again when another device changes it. */
  async fetchNames(): Promise<void> {
    await this.#request('account-fetch-addressbook', {});
  }

  /** Sets up end-to-end encryption (end-to-end.ts), then reads what was encrypted for this account. */
  async startEncryption(): Promise<void> {
    this.e2e.onChange = () => {
      this.onChange();
    };
    await this.e2e.start();
    await this.#decryption.run();
  }

  /** The code from the other device: once the key is here, the history is read again. */
  async importKey(code: string): Promise<void> {
    if (!(await this.e2e.importKey(code))) return;
    await this.#decryption.retryAll();
  }

  /** sylk spec §1.4.12: the event comes before the ack; a refused lookup is no key. */
  async #lookUp(uri: string): Promise<string | undefined> {
    const answer = new Promise<string | undefined>((resolve) => {
      this.#lookups.set(uri, [...(this.#lookups.get(uri) ?? []), resolve]);
    });
    const reply = await this.#socket.request('lookup-public-key', { uri });
    if (!reply.ok) this.#answerLookup(uri, undefined);
    return answer;
  }

  #answerLookup(uri: string, key: string | undefined): void {
    const waiting = this.#lookups.get(uri) ?? [];
    this.#lookups.delete(uri);
    for (const resolve of waiting) resolve(key);
  }

  /**
   * Uploads a file as Sylk clients do (sylk spec §4.3.2); missive announces it to both sides under the
   * transfer id, and its `sync` to this page settles the placeholder shown meanwhile.
   */
  async sendFile(contact: string, file: File): Promise<void> {
    const message: ChatMessage = {
      id: uuid(),
      contact,
      direction: 'outgoing',
      contentType: FILE_TRANSFER_TYPE,
      content: pendingTransfer(file),
      timestamp: new Date().toISOString(),
      state: 'pending',
      disposition: [],
    };
    this.model.add(message);
    this.onChange();
    const result = await uploadFile(this.account, contact, message.id, file);
    if (!result.ok) {
      this.model.updateState(message.id, 'failed', result.error);
      this.onChange();
    }
  }

  /** Tells each sender who asked that their messages were displayed, then marks the conversation read. */
  async markRead(contact: string): Promise<void> {
    const unread = this.model.unread(contact);
    if (unread.length === 0) return;
    this.model.markRead(contact);
    this.onChange();
    for (const message of unread) {
      await this.#request('account-disposition-notification', {
        uri: contact,
        message_id: message.id,
        state: 'displayed',
        timestamp: message.timestamp,
      });
    }
    await this.#request('account-mark-conversation-read', { contact });
  }

  async removeMessage(message: ChatMessage): Promise<void> {
    this.model.remove(message.id);
    this.onChange();
    await this.#request('account-remove-message', { contact: message.contact, message_id: message.id });
  }

  async removeConversation(contact: string): Promise<void> {
    this.model.removeConversation(contact);
    this.onChange();
    await this.#request('account-remove-conversation', { contact });
  }

  close(): void {
    this.#socket.close();
  }

  #request(type: string, fields: SocketFrame): Promise<Reply> {
    return this.#socket.request(type, { account: this.account, ...fields });
  }

  #fail(reason: string): SignInResult {
    this.#socket.close();
    return { ok: false, reason };
  }

  #event(frame: SocketFrame): void {
    if (frame.sylkrtc === 'lookup-public-key-event') {
      const key = frame.public_key;
      this.#answerLookup(text(frame.uri), typeof key === 'string' && key !== '' ? key : undefined);
      return;
    }
    if (frame.sylkrtc !== 'account-event' || frame.account !== this.account) return;
    switch (frame.event) {
      case 'registration-state':
        if (frame.state === 'registered' || frame.state === 'failed') {
          this.#registration?.({
            registered: frame.state === 'registered',
            reason: typeof frame.reason === 'string' ? frame.reason : 'Sign-in failed',
          });
          this.#registration = undefined;
        }
        return;
      case 'sync-conversations':
        this.#page?.(frame);
        this.#page = undefined;
        return;
      case 'message':
        this.#incoming(frame);
        break;
      case 'disposition-notification': {
        // A failure says why: the SIP answer's code and reason (sylk spec §1.5.4).
        const why =
          typeof frame.code === 'number' ? `${String(frame.code)} ${text(frame.reason)}`.trim() : undefined;
        this.model.updateState(text(frame.message_id), text(frame.state), why);
        break;
      }
      case 'sync':
        this.#sync(frame);
        break;
      case 'addressbook-fetched':
        this.names = namesFrom(frame.addressbook);
        break;
      case 'addressbook-updated':
        void this.fetchNames();
        return;
      default:
        return;
    }
    this.onChange();
    void this.#decryption.run();
  }

  #incoming(frame: SocketFrame): void {
    const sender = frame.sender as SocketFrame | undefined;
    const contentType = text(frame.content_type);
    const message: ChatMessage = {
      id: text(frame.message_id),
      contact: text(sender?.uri).replace(/^sips?:/, ''),
      direction: 'incoming',
      contentType,
      content: text(frame.content),
      timestamp: text(frame.timestamp) || new Date().toISOString(),
      state: 'received',
      disposition: Array.isArray(frame.disposition_notification)
        ? frame.disposition_notification.map(String)
        : [],
    };
    if (contentType === PUBLIC_KEY_TYPE) this.e2e.learn(message.contact, message.content);
    if (contentType === PRIVATE_KEY_TYPE && message.contact === this.account) this.e2e.offer(message.content);
    if (!isShown(contentType) || !this.model.add(message)) return;
    if (message.disposition.includes('positive-delivery')) {
      void this.#request('account-disposition-notification', {
        uri: message.contact,
        message_id: message.id,
        state: 'delivered',
        timestamp: message.timestamp,
      });
    }
    this.onIncoming(message);
  }

  /** Another device of the account did something (sylk spec §1.5.3). */
  #sync(frame: SocketFrame): void {
    const content = (frame.content ?? {}) as SocketFrame;
    const key = `${text(frame.type)}/${text(frame.action)}`;
    if (key === 'message/add') {
      const contentType = text(content.content_type);
      if (!isShown(contentType)) return;
      const id = text(content.message_id);
      if (contentType === FILE_TRANSFER_TYPE) this.model.settleUpload(id, text(content.content));
      this.model.add({
        id,
        contact: text(content.uri).replace(/^sips?:/, ''),
        direction: 'outgoing',
        contentType,
        content: text(content.content),
        timestamp: text(content.timestamp) || new Date().toISOString(),
        state: content.server_generated === true ? 'accepted' : 'pending',
        disposition: [],
      });
    } else if (key === 'message/remove') this.model.remove(text(content.message_id));
    else if (key === 'conversation/read') this.model.markRead(text(content.contact));
    else if (key === 'conversation/remove') this.model.removeConversation(text(content.contact));
  }
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** A UUIDv4 (sylkrtc.js's message ids); crypto.randomUUID needs a secure context, getRandomValues does not. */
function uuid(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
