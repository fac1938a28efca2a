/**
 * The signed-in screen: the conversation list (last message, time, unread count) and the open
 * conversation (history, states of sent messages, the composer). On a narrow screen one of the two shows
 * at a time (`data-view` on the root, style.css). Only the list and the messages are rebuilt on a change,
 * so the composer keeps its text and focus.
 */
import type { ChatMessage } from './chat-model.js';
import type { ChatSession } from './chat-session.js';
import { el } from './dom.js';
import { lockIcon, paperclipIcon } from './icons.js';
import { messageItem, preview, shortTime } from './message-item.js';
import { KeyPanel } from './key-panel.js';
import { checkSignInAccount } from './sign-in-view.js';

/** Messages shown at first and added per scroll to the top. */
const PAGE = 50;

export class ChatView {
  readonly root: HTMLElement;
  readonly #session: ChatSession;
  readonly #list = el('ul', { class: 'conversation-list' });
  readonly #messages = el('ol', {
    class: 'messages',
    tabindex: '0',
    'aria-label': 'Messages',
  });
  readonly #title = el('h2', { id: 'conversation-title' });
  /**
   * What a screen reader is told as it happens (a new message). The lists are rebuilt on every change, so a
   * live region on them would read everything out again.
   */
  readonly #announcer = el('p', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
  readonly #compose = el('textarea', {
    id: 'compose',
    rows: '1',
    placeholder: 'Message',
    autocomplete: 'off',
  });
  readonly #conversation: HTMLElement;
  readonly #deleteConversation = el('button', { type: 'button', class: 'danger' }, 'Delete conversation');
  readonly #items = new Map<string, { readonly signature: string; readonly element: HTMLElement }>();
  readonly #keyPanel: KeyPanel;
  #open: string | undefined;
  #shown = PAGE;
  /** Coming back to the page reads the open conversation. */
  readonly #onVisibility = (): void => {
    this.markReadIfSeen();
  };

  constructor(session: ChatSession, signOut: () => void) {
    this.#session = session;
    this.#keyPanel = new KeyPanel(session);
    const newContact = el('input', {
      id: 'new-contact',
      type: 'text',
      placeholder: 'name@domain',
      autocapitalize: 'off',
      spellcheck: 'false',
    });
    const newError = el('p', { class: 'form-error', role: 'alert' });
    const newChat = el(
      'form',
      { class: 'new-chat' },
      el('label', { for: 'new-contact' }, 'New chat with'),
      el('div', { class: 'row' }, newContact, el('button', { type: 'submit' }, 'Start')),
      newError,
    );
    newChat.addEventListener('submit', (event) => {
      event.preventDefault();
      const checked = checkSignInAccount(newContact.value);
      if (!checked.ok) {
        newError.textContent = checked.reason;
        return;
      }
      newError.textContent = '';
      newContact.value = '';
      session.model.open(checked.account);
      this.open(checked.account);
    });
    const signOutButton = el('button', { type: 'button', id: 'sign-out' }, 'Sign out');
    signOutButton.addEventListener('click', signOut);
    const back = el('button', { type: 'button', class: 'back', 'aria-label': 'Back to conversations' }, '←');
    back.addEventListener('click', () => {
      this.#close();
    });
    this.#deleteConversation.addEventListener('click', () => {
      this.#confirmDeleteConversation();
    });
    this.#deleteConversation.addEventListener('blur', () => {
      this.#deleteConversation.textContent = 'Delete conversation';
    });
    const attach = el('input', { type: 'file', multiple: true, class: 'visually-hidden' });
    attach.addEventListener('change', () => {
      this.#sendFiles(attach.files);
      attach.value = '';
    });
    const composer = el(
      'form',
      { class: 'composer' },
      el(
        'label',
        { class: 'attach', title: 'Attach a file' },
        el('span', { class: 'visually-hidden' }, 'Attach a file'),
        paperclipIcon(),
        attach,
      ),
      el('label', { for: 'compose', class: 'visually-hidden' }, 'Message'),
      this.#compose,
      el('button', { type: 'submit' }, 'Send'),
    );
    composer.addEventListener('submit', (event) => {
      event.preventDefault();
      this.#send();
    });
    // Enter sends, Shift+Enter is a new line (and Enter while composing with an input method is not a send).
    this.#compose.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.#send();
      }
    });
    this.#messages.addEventListener('scroll', () => {
      this.#pageBack();
    });
    this.#conversation = el(
      'section',
      { class: 'conversation', 'aria-labelledby': 'conversation-title' },
      el('header', {}, back, this.#title, this.#deleteConversation),
      this.#messages,
      composer,
    );
    this.#acceptDroppedFiles();
    // Escape leaves the conversation for the list (the back button does it on a phone).
    this.#conversation.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') this.#close();
    });
    this.root = el(
      'div',
      { class: 'chat', 'data-view': 'list' },
      el('header', { class: 'top' }, el('span', { class: 'me' }, session.account), signOutButton),
      this.#keyPanel.root,
      el('nav', { class: 'conversations', 'aria-label': 'Conversations' }, newChat, this.#list),
      this.#conversation,
      this.#announcer,
    );
    document.addEventListener('visibilitychange', this.#onVisibility);
    this.render();
  }

  /** Tells a screen reader about a message that has just come. */
  announce(message: ChatMessage): void {
    this.#announcer.textContent = `New message from ${message.contact}: ${preview(message)}`;
  }

  /** The view is replaced (sign-out, a new connection): it stops listening to the document. */
  dispose(): void {
    document.removeEventListener('visibilitychange', this.#onVisibility);
  }

  get openContact(): string | undefined {
    return this.#open;
  }

  open(contact: string): void {
    this.#items.clear();
    this.#session.e2e.prefetch(contact);
    this.#open = contact;
    this.#shown = PAGE;
    this.root.dataset.view = 'conversation';
    this.render();
    this.#messages.scrollTop = this.#messages.scrollHeight;
    this.#compose.focus();
    this.markReadIfSeen();
  }

  /** Opening a conversation, or a message arriving in the open one while the page is seen, reads it. */
  markReadIfSeen(): void {
    if (this.#open !== undefined && document.visibilityState === 'visible')
      void this.#session.markRead(this.#open);
  }

  render(): void {
    this.#keyPanel.render();
    const focused =
      document.activeElement instanceof HTMLElement ? document.activeElement.dataset.contact : undefined;
    const summaries = this.#session.model.conversations();
    this.#list.replaceChildren(
      ...summaries.map(({ contact, last, unread }) => {
        const button = el(
          'button',
          {
            type: 'button',
            'data-contact': contact,
            'aria-current': contact === this.#open ? 'true' : undefined,
          },
          el('span', { class: 'contact', title: contact }, this.#session.names.get(contact) ?? contact),
          el('time', { datetime: last?.timestamp }, last === undefined ? '' : shortTime(last.timestamp)),
          el('span', { class: 'preview' }, last === undefined ? 'No messages yet' : preview(last)),
          unread > 0
            ? el('span', { class: 'unread', 'aria-label': `${String(unread)} unread` }, String(unread))
            : '',
        );
        button.addEventListener('click', () => {
          this.open(contact);
        });
        return el('li', {}, button);
      }),
    );
    if (focused !== undefined)
      this.#list.querySelector<HTMLElement>(`[data-contact="${CSS.escape(focused)}"]`)?.focus();
    if (this.#open !== undefined && !summaries.some((summary) => summary.contact === this.#open)) {
      this.#close();
      return;
    }
    this.#renderMessages();
  }

  #renderMessages(): void {
    const contact = this.#open;
    this.#conversation.hidden = contact === undefined;
    if (contact === undefined) return;
    const name = this.#session.names.get(contact);
    this.#title.replaceChildren(
      name ?? contact,
      name === undefined ? '' : el('span', { class: 'address' }, ` ${contact}`),
      this.#session.e2e.knows(contact)
        ? el(
            'span',
            {
              class: 'lock',
              role: 'img',
              'aria-label': 'Encrypted',
              title: 'Messages to this contact are end-to-end encrypted',
            },
            lockIcon(),
          )
        : '',
    );
    const all = this.#session.model.messages(contact);
    const fromBottom = this.#messages.scrollHeight - this.#messages.scrollTop - this.#messages.clientHeight;
    const shown = all.slice(Math.max(0, all.length - this.#shown));
    this.#messages.replaceChildren(
      ...(shown.length < all.length ? [el('li', { class: 'older' }, 'Scroll up for older messages')] : []),
      ...shown.map((message) => this.#item(message)),
    );
    // Stay at the bottom when there; otherwise keep what the person is reading where it was.
    this.#messages.scrollTop =
      fromBottom < 40
        ? this.#messages.scrollHeight
        : this.#messages.scrollHeight - this.#messages.clientHeight - fromBottom;
  }

  /**
   * A message's element, kept while the message does not change: a picture is not fetched and laid out again
   * on every event, and what the person is looking at does not flicker.
   */
  #item(message: ChatMessage): HTMLElement {
    const signature = [message.state, message.error, message.encrypted, message.content].join('\u0000');
    const kept = this.#items.get(message.id);
    if (kept?.signature === signature) return kept.element;
    const element = messageItem(message, () => {
      void this.#session.removeMessage(message);
    });
    this.#items.set(message.id, { signature, element });
    return element;
  }

  #pageBack(): void {
    if (this.#open === undefined || this.#messages.scrollTop > 40) return;
    if (this.#session.model.messages(this.#open).length <= this.#shown) return;
    this.#shown += PAGE;
    this.#renderMessages();
  }

  #send(): void {
    const text = this.#compose.value.trim();
    if (text === '' || this.#open === undefined) return;
    this.#compose.value = '';
    this.#messages.scrollTop = this.#messages.scrollHeight;
    void this.#session.send(this.#open, text);
  }

  /** Files dropped anywhere on the open conversation are sent to it. */
  #acceptDroppedFiles(): void {
    const carriesFiles = (event: DragEvent): boolean => event.dataTransfer?.types.includes('Files') === true;
    this.#conversation.addEventListener('dragover', (event) => {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      this.#conversation.classList.add('dropping');
    });
    this.#conversation.addEventListener('dragleave', (event) => {
      if (event.target === this.#conversation) this.#conversation.classList.remove('dropping');
    });
    this.#conversation.addEventListener('drop', (event) => {
      this.#conversation.classList.remove('dropping');
      if (!carriesFiles(event)) return;
      event.preventDefault();
      this.#sendFiles(event.dataTransfer?.files ?? null);
    });
  }

  #sendFiles(files: FileList | null): void {
    const contact = this.#open;
    if (contact === undefined || files === null) return;
    for (const file of Array.from(files)) void this.#session.sendFile(contact, file);
  }

  #confirmDeleteConversation(): void {
    const contact = this.#open;
    if (contact === undefined) return;
    // Two presses: a whole conversation is not deleted by one slip.
    if (this.#deleteConversation.textContent !== 'Delete for good?') {
      this.#deleteConversation.textContent = 'Delete for good?';
      return;
    }
    this.#deleteConversation.textContent = 'Delete conversation';
    void this.#session.removeConversation(contact);
  }

  #close(): void {
    const contact = this.#open;
    this.#open = undefined;
    this.root.dataset.view = 'list';
    this.render();
    if (contact !== undefined)
      this.#list.querySelector<HTMLElement>(`[data-contact="${CSS.escape(contact)}"]`)?.focus();
  }
}
