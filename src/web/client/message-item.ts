/**
 * One message as the conversation shows it: its text (or the file it carries, a picture shown inline), the
 * time, a lock when it was end-to-end encrypted, the state of a sent one and its delete button. Text is set
 * with `textContent` only (dom.ts).
 */
import type { ChatMessage } from './chat-model.js';
import { el } from './dom.js';
import { lockIcon } from './icons.js';
import { FILE_TRANSFER_TYPE, formatSize, isPicture, parseFileTransfer } from './file-transfer.js';
import { isPgpMessage } from './pgp-armor.js';

const STATE_TEXT: Readonly<Record<string, string>> = {
  pending: 'Sending…',
  accepted: 'Sent',
  delivered: 'Delivered',
  displayed: 'Read',
  failed: 'Not sent',
  error: 'Not sent',
  forbidden: 'Not sent',
};

export function messageItem(message: ChatMessage, remove: () => void): HTMLElement {
  const removeButton = el(
    'button',
    {
      type: 'button',
      class: 'remove',
      'aria-label': message.direction === 'outgoing' ? 'Delete for everyone' : 'Delete',
    },
    'Delete',
  );
  removeButton.addEventListener('click', remove);
  const state = message.direction === 'outgoing' ? (STATE_TEXT[message.state] ?? message.state) : '';
  return el(
    'li',
    { class: `message ${message.direction}`, 'data-id': message.id, 'data-state': message.state },
    message.contentType === FILE_TRANSFER_TYPE
      ? fileBody(message)
      : el('p', { class: 'text' }, preview(message, false)),
    el(
      'footer',
      {},
      message.encrypted === true
        ? el(
            'span',
            {
              class: 'lock',
              role: 'img',
              'aria-label': 'End-to-end encrypted',
              title: 'End-to-end encrypted',
            },
            lockIcon(),
          )
        : '',
      el('time', { datetime: message.timestamp }, shortTime(message.timestamp)),
      state === '' ? '' : el('span', { class: 'state', title: message.error }, state),
      removeButton,
    ),
  );
}

/** A file: a link with its name and size (a download), and the picture itself when it is one. */
function fileBody(message: ChatMessage): HTMLElement {
  const transfer = parseFileTransfer(message.content);
  if (transfer === undefined) return el('p', { class: 'text' }, 'A file this chat cannot read');
  const label = `${transfer.filename} (${formatSize(transfer.filesize)})`;
  if (transfer.path === undefined)
    return el('p', { class: 'file text' }, message.state === 'pending' ? `Uploading ${label}…` : label);
  const link = el('a', { class: 'file', href: transfer.path, download: transfer.filename }, label);
  if (!isPicture(transfer)) return el('p', { class: 'text' }, link);
  return el(
    'figure',
    { class: 'picture' },
    el('img', { src: transfer.path, alt: transfer.filename }),
    el('figcaption', {}, link),
  );
}

/** What an encrypted message says until this browser has the key that reads it. */
const SEALED = 'Encrypted message: this browser does not have the key to read it';

export function preview(message: ChatMessage, short = true): string {
  const text =
    message.contentType === FILE_TRANSFER_TYPE
      ? filePreview(message.content)
      : message.encrypted !== true && isPgpMessage(message.content)
        ? SEALED
        : message.content;
  return short && text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

function filePreview(content: string): string {
  const transfer = parseFileTransfer(content);
  return transfer === undefined ? 'A file' : `File: ${transfer.filename}`;
}

/** The time today, else the date. */
export function shortTime(timestamp: string): string {
  const date = new Date(timestamp);
  if (Number.isNaN(date.getTime())) return '';
  const today = new Date().toDateString() === date.toDateString();
  return today
    ? date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
    : date.toLocaleDateString([], { day: 'numeric', month: 'short' });
}
