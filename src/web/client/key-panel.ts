/**
 * The account's end-to-end encryption, shown under the top bar (end-to-end.ts has the states): that it is
 * on, and the button that sends the key to the account's other devices with the code to type there; or, on
 * a device without the key, how to bring it here and the field for that code. The field and its text are
 * built once, so that what the person types survives a re-render.
 */
import type { ChatSession } from './chat-session.js';
import { el } from './dom.js';
import { lockIcon } from './icons.js';

export class KeyPanel {
  readonly root = el('section', { class: 'key-panel', 'aria-label': 'End-to-end encryption' });
  readonly #session: ChatSession;
  readonly #code = el('input', {
    id: 'key-code',
    type: 'text',
    inputmode: 'numeric',
    autocomplete: 'one-time-code',
    maxlength: '7',
  });
  readonly #importForm: HTMLFormElement;
  readonly #error = el('p', { class: 'form-error', role: 'alert' });
  #state = '';

  constructor(session: ChatSession) {
    this.#session = session;
    this.#importForm = el(
      'form',
      { class: 'row' },
      el('label', { for: 'key-code' }, 'Code from the other device'),
      this.#code,
      el('button', { type: 'submit' }, 'Import key'),
    );
    this.#importForm.addEventListener('submit', (event) => {
      event.preventDefault();
      void session.importKey(this.#code.value);
    });
    this.render();
  }

  render(): void {
    const state = this.#session.e2e.state;
    // Rebuilt only when the state changes: the code field keeps its text and focus otherwise.
    const signature = JSON.stringify(state);
    if (signature === this.#state) return;
    this.#state = signature;
    switch (state.kind) {
      case 'starting':
        this.root.replaceChildren(el('p', {}, 'Setting up end-to-end encryption…'));
        return;
      case 'unavailable':
        this.root.replaceChildren(
          el(
            'p',
            {},
            `End-to-end encryption is off in this browser (${state.reason}): messages go unencrypted.`,
          ),
        );
        return;
      case 'ready': {
        const exportButton = el('button', { type: 'button' }, 'Export key to another device');
        exportButton.addEventListener('click', () => {
          void this.#session.e2e.exportKey();
        });
        this.root.replaceChildren(
          el('p', { class: 'key-state' }, lockIcon(), ' End-to-end encryption is on'),
          state.exportCode === undefined
            ? exportButton
            : el(
                'p',
                { role: 'status' },
                'Type this code on your other device: ',
                el('span', { class: 'code', 'data-code': state.exportCode }, state.exportCode),
              ),
        );
        return;
      }
      case 'needs-import':
        this.#error.textContent = state.error ?? '';
        this.root.replaceChildren(
          el(
            'p',
            { class: 'key-state' },
            "This account's key is on another device: until it is here, encrypted messages cannot be read and nothing is encrypted.",
          ),
          state.offered
            ? this.#importForm
            : el(
                'p',
                {},
                'On that device choose “Export key to another device”, then type the code it shows here.',
              ),
          this.#error,
        );
        if (state.offered && state.error === undefined) this.#code.focus();
    }
  }
}
