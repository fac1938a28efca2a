/**
 * Questions on a terminal or a pipe (sylk spec §6: `      >> {question} (Enter y/n) `, asked again until the
 * answer is valid). Lines of standard input are read one at a time, so a script can pipe all its answers
 * in at once; the end of input is "no answer" (undefined), never a hang.
 */
import { createInterface, type Interface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';

export class Questions {
  readonly #output: Writable;
  readonly #lines: string[] = [];
  readonly #waiters: ((line: string | undefined) => void)[] = [];
  #reader: Interface | undefined;
  #ended = false;
  readonly #input: Readable;

  constructor(input: Readable, output: Writable) {
    this.#input = input;
    this.#output = output;
  }

  /** The first answer that `accept` maps to a value; undefined when input ends first. */
  async ask<T>(question: string, accept: (answer: string) => T | undefined): Promise<T | undefined> {
    for (;;) {
      this.#output.write(`      >> ${question} `);
      const line = await this.#nextLine();
      if (line === undefined) {
        this.#output.write('\n');
        return undefined;
      }
      const value = accept(line.trim());
      if (value !== undefined) return value;
    }
  }

  /** y or n (also yes/no, any case); undefined at the end of input. */
  confirm(question: string): Promise<boolean | undefined> {
    return this.ask(`${question} (Enter y/n)`, (answer) => {
      const lower = answer.toLowerCase();
      if (lower === 'y' || lower === 'yes') return true;
      if (lower === 'n' || lower === 'no') return false;
      return undefined;
    });
  }

  /** Stops reading standard input, so that the process can exit. */
  close(): void {
    this.#reader?.close();
    this.#reader = undefined;
    this.#input.pause();
  }

  #nextLine(): Promise<string | undefined> {
    this.#start();
    const line = this.#lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.#ended) return Promise.resolve(undefined);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #start(): void {
    if (this.#reader !== undefined || this.#ended) return;
    this.#reader = createInterface({ input: this.#input, terminal: false });
    this.#reader.on('line', (line) => {
      const waiter = this.#waiters.shift();
      if (waiter === undefined) this.#lines.push(line);
      else waiter(line);
    });
    this.#reader.on('close', () => {
      this.#ended = true;
      for (const waiter of this.#waiters.splice(0)) waiter(undefined);
    });
  }
}
