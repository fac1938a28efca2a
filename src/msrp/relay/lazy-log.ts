/**
 * A connection's log context. The pino child logger is built on the first line actually written: most
 * connections never log at the configured level, and a child per connection cost time and memory.
 */
import type { Logger } from 'pino';

export class LazyLog {
  private child: Logger | undefined;

  constructor(
    private readonly root: Logger,
    private bindings: Record<string, string>,
  ) {}

  get logger(): Logger {
    this.child ??= this.root.child(this.bindings);
    return this.child;
  }

  /** Adds (or replaces) context fields for the lines written from now on. */
  bind(bindings: Record<string, string>): void {
    this.bindings = { ...this.bindings, ...bindings };
    this.child = undefined;
  }

  /** Replaces the whole context. */
  reset(bindings: Record<string, string>): void {
    this.bindings = bindings;
    this.child = undefined;
  }

  debug(message: string, fields?: Record<string, unknown>): void {
    if (this.root.isLevelEnabled('debug')) this.logger.debug(fields ?? {}, message);
  }

  info(message: string, fields?: Record<string, unknown>): void {
    if (this.root.isLevelEnabled('info')) this.logger.info(fields ?? {}, message);
  }

  warn(message: string, fields?: Record<string, unknown>): void {
    if (this.root.isLevelEnabled('warn')) this.logger.warn(fields ?? {}, message);
  }

  error(message: string, fields?: Record<string, unknown>): void {
    this.logger.error(fields ?? {}, message);
  }
}
