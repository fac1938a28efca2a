/**
 * A connection's log context. The pino child logger is built on the first line actually written, from
 * bindings its owner computes then: most connections never log at the configured level, and a child (or
 * even its binding strings) per connection cost time and memory.
 */
import type { Logger } from 'pino';

export interface LogContext {
  logBindings(): Record<string, string>;
}

export class LazyLog {
  #child: Logger | undefined;

  readonly #root: Logger;
  readonly #owner: LogContext;

  constructor(root: Logger, owner: LogContext) {
    this.#root = root;
    this.#owner = owner;
  }

  get logger(): Logger {
    this.#child ??= this.#root.child(this.#owner.logBindings());
    return this.#child;
  }

  /** The owner's bindings changed: lines written from now on use the new ones. */
  refresh(): void {
    this.#child = undefined;
  }

  debug(message: string, fields?: Record<string, unknown>): void {
    if (this.#root.isLevelEnabled('debug')) this.logger.debug(fields ?? {}, message);
  }

  info(message: string, fields?: Record<string, unknown>): void {
    if (this.#root.isLevelEnabled('info')) this.logger.info(fields ?? {}, message);
  }

  warn(message: string, fields?: Record<string, unknown>): void {
    if (this.#root.isLevelEnabled('warn')) this.logger.warn(fields ?? {}, message);
  }

  error(message: string, fields?: Record<string, unknown>): void {
    this.logger.error(fields ?? {}, message);
  }
}
