/**
 * What a test started, stopped in reverse order from its after() hook: `const peers = new Cleanup();
 * after(() => peers.run());` then `peers.add(await startKamailio())`. A failing stop does not keep the
 * others running.
 */
export interface Stoppable {
  stop(): Promise<unknown>;
}

export class Cleanup {
  readonly #items: Stoppable[] = [];

  /** Registers `item` and returns it, so that it can wrap a start call. */
  add<T extends Stoppable>(item: T): T {
    this.#items.push(item);
    return item;
  }

  async run(): Promise<void> {
    const errors: unknown[] = [];
    while (this.#items.length > 0) {
      const item = this.#items.pop();
      try {
        await item?.stop();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, 'some peers did not stop cleanly');
  }
}
