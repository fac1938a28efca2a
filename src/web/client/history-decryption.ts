/**
 * Decrypts the encrypted messages the model holds (journal, live events) with the account's key
 * (end-to-end.ts): one pass at a time, and another after it when messages came meanwhile. A message this
 * browser's key does not read is not tried again until a key is imported.
 */
import type { ChatModel } from './chat-model.js';
import type { EndToEnd } from './end-to-end.js';
import { isPgpMessage } from './pgp-armor.js';

export class HistoryDecryption {
  readonly #model: ChatModel;
  readonly #e2e: EndToEnd;
  readonly #changed: () => void;
  readonly #unreadable = new Set<string>();
  #running: Promise<void> | undefined;
  #again = false;

  constructor(model: ChatModel, e2e: EndToEnd, changed: () => void) {
    this.#model = model;
    this.#e2e = e2e;
    this.#changed = changed;
  }

  /** A new key: everything not read so far is tried again. */
  retryAll(): Promise<void> {
    this.#unreadable.clear();
    return this.run();
  }

  run(): Promise<void> {
    if (this.#running !== undefined) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      do await this.#pass();
      while (this.#takeAgain());
      this.#running = undefined;
    })();
    return this.#running;
  }

  /** Whether a pass was asked for during the last one (and the request is taken). */
  #takeAgain(): boolean {
    const again = this.#again;
    this.#again = false;
    return again;
  }

  async #pass(): Promise<void> {
    if (this.#e2e.state.kind !== 'ready') return;
    const sealed = [...this.#model.all()].filter(
      (message) =>
        message.encrypted !== true && !this.#unreadable.has(message.id) && isPgpMessage(message.content),
    );
    for (const message of sealed) {
      const text = await this.#e2e.decrypt(message.content);
      if (text === undefined) this.#unreadable.add(message.id);
      else {
        message.content = text;
        message.encrypted = true;
      }
    }
    if (sealed.length > 0) this.#changed();
  }
}
