/**
 * The account's conversations as the browser holds them, built from journal entries
 * (`sync-conversations`, sylk spec §3.3) and live events (§1.5.2–1.5.4). No DOM here: the views read it.
 */
export interface ChatMessage {
  readonly id: string;
  readonly contact: string;
  readonly direction: 'incoming' | 'outgoing';
  readonly contentType: string;
  /** The text as shown: a ciphertext until it is decrypted (`encrypted` then says it was one). */
  content: string;
  readonly timestamp: string;
  state: string;
  /** What the sender asked to be told about (incoming), emptied once read. */
  disposition: readonly string[];
  /** Why sending failed, when it did. */
  error?: string;
  /** It came or went end-to-end encrypted (OpenPGP), and `content` is what it said. */
  encrypted?: boolean;
}

export interface ConversationSummary {
  readonly contact: string;
  readonly last: ChatMessage | undefined;
  readonly unread: number;
}

export interface SyncedEntry {
  readonly contact?: unknown;
  readonly message_id?: unknown;
  readonly content_type?: unknown;
  readonly content?: unknown;
  readonly direction?: unknown;
  readonly timestamp?: unknown;
  readonly state?: unknown;
  readonly disposition?: unknown;
}

/** Sent messages' states in the order they may move; a late `accepted` never undoes `displayed` (§3.5). */
const PROGRESS: Readonly<Record<string, number>> = { pending: 0, accepted: 1, delivered: 2, displayed: 3 };
const FAILURES = new Set(['failed', 'error', 'forbidden']);

/**
 * The types a person reads; the clients' control messages (location, metadata, …) and keys (`text/pgp-public-key`,
 * `text/pgp-private-key`, `text/pgp-public-key-imported`) are not shown.
 */
export function isShown(contentType: string): boolean {
  return (
    (contentType.startsWith('text/') && !contentType.startsWith('text/pgp-')) ||
    contentType === 'application/sylk-file-transfer'
  );
}

export class ChatModel {
  readonly #conversations = new Map<string, ChatMessage[]>();
  readonly #byId = new Map<string, ChatMessage>();
  /** Pending dispositions for messages not seen yet (an IMDN may overtake its message in a page). */
  readonly #early = new Map<string, string>();

  /** One journal entry, oldest first (sylk spec §3.3). */
  applyEntry(entry: SyncedEntry): void {
    const type = str(entry.content_type);
    const contact = str(entry.contact);
    const content = str(entry.content);
    switch (type) {
      case 'message/imdn': {
        const notification = parseObject(content);
        if (notification !== undefined)
          this.updateState(str(notification.message_id), str(notification.state));
        return;
      }
      case 'application/sylk-message-remove': {
        const removal = parseObject(content);
        if (removal !== undefined) this.remove(str(removal.message_id));
        return;
      }
      case 'application/sylk-conversation-read':
        this.markRead(contact || content);
        return;
      case 'application/sylk-conversation-remove':
        this.removeConversation(contact || content);
        return;
    }
    const direction =
      entry.direction === 'incoming' ? 'incoming' : entry.direction === 'outgoing' ? 'outgoing' : undefined;
    if (direction === undefined || contact === '' || !isShown(type)) return;
    this.add({
      id: str(entry.message_id),
      contact,
      direction,
      contentType: type,
      content,
      timestamp: str(entry.timestamp),
      state: str(entry.state) || (direction === 'incoming' ? 'received' : 'pending'),
      disposition: Array.isArray(entry.disposition) ? entry.disposition.map(String) : [],
    });
  }

  /** Adds a message once (a replica or a re-synced page may repeat it); true if it is new. */
  add(message: ChatMessage): boolean {
    if (message.id === '' || this.#byId.has(message.id)) return false;
    this.#byId.set(message.id, message);
    const list = this.#conversations.get(message.contact) ?? [];
    list.push(message);
    this.#conversations.set(message.contact, list);
    const early = this.#early.get(message.id);
    if (early !== undefined) {
      this.#early.delete(message.id);
      this.updateState(message.id, early);
    }
    return true;
  }

  /**
   * A file this page uploaded, now announced by the server under the same id (sylk spec §4.3.2): the
   * announcement's content (with the URL) replaces the page's own, and the upload counts as sent.
   */
  settleUpload(id: string, content: string): void {
    const message = this.#byId.get(id);
    if (message === undefined || message.direction !== 'outgoing') return;
    message.content = content;
    this.updateState(id, 'accepted');
  }

  /** Every message, for a pass over all of them (decrypting once a key is there). */
  all(): IterableIterator<ChatMessage> {
    return this.#byId.values();
  }

  updateState(id: string, state: string, error?: string): void {
    const message = this.#byId.get(id);
    if (message === undefined) {
      if (id !== '' && state !== '') this.#early.set(id, state);
      return;
    }
    if (message.direction === 'incoming') return;
    const now = PROGRESS[message.state];
    const next = PROGRESS[state];
    const moves =
      next !== undefined ? now === undefined || next > now : FAILURES.has(state) && (now ?? 0) <= 1;
    if (!moves) return;
    message.state = state;
    if (error !== undefined) message.error = error;
  }

  remove(id: string): void {
    const message = this.#byId.get(id);
    if (message === undefined) return;
    this.#byId.delete(id);
    const list = this.#conversations.get(message.contact);
    if (list !== undefined) list.splice(list.indexOf(message), 1);
  }

  markRead(contact: string): void {
    for (const message of this.#conversations.get(contact) ?? []) message.disposition = [];
  }

  removeConversation(contact: string): void {
    for (const message of this.#conversations.get(contact) ?? []) this.#byId.delete(message.id);
    this.#conversations.delete(contact);
  }

  /** An empty conversation the person has just started. */
  open(contact: string): void {
    if (!this.#conversations.has(contact)) this.#conversations.set(contact, []);
  }

  messages(contact: string): readonly ChatMessage[] {
    return this.#conversations.get(contact) ?? [];
  }

  /** Incoming messages whose sender asked to be told when they are displayed, not yet read. */
  unread(contact: string): ChatMessage[] {
    return this.messages(contact).filter(
      (message) => message.direction === 'incoming' && message.disposition.includes('display'),
    );
  }

  /** Newest conversation first. */
  conversations(): ConversationSummary[] {
    return [...this.#conversations.keys()]
      .map((contact) => {
        const list = this.messages(contact);
        return { contact, last: list[list.length - 1], unread: this.unread(contact).length };
      })
      .sort((a, b) => timeOf(b.last) - timeOf(a.last));
  }
}

/** A conversation without messages yet (just started) sorts first. */
function timeOf(message: ChatMessage | undefined): number {
  return message === undefined ? Number.MAX_SAFE_INTEGER : Date.parse(message.timestamp) || 0;
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
