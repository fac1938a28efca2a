/**
 * The To-Path and From-Path of the chunks a session forwards in one direction (relay spec §3.6: To-Path
 * without this relay's URI, From-Path with it in front), made once per session and direction instead of
 * once per chunk, as text and as the bytes that follow a forwarded start line.
 */
import { formatPath } from '../uri.js';
import type { Paths } from './checks.js';

export class ForwardedPaths {
  readonly toPath: string;
  readonly fromPath: string;
  /** `\r\nTo-Path: …\r\nFrom-Path: …\r\n`. */
  readonly lines: Buffer;
  /** What they were made from: a connection's path cache hands out these arrays again for the same text. */
  readonly #to: Paths['to'];
  readonly #from: Paths['from'];

  private constructor(paths: Paths) {
    this.#to = paths.to;
    this.#from = paths.from;
    this.toPath = formatPath(paths.to.slice(1));
    this.fromPath = `${paths.to[0]?.text ?? ''} ${paths.fromText}`;
    this.lines = Buffer.from(`\r\nTo-Path: ${this.toPath}\r\nFrom-Path: ${this.fromPath}\r\n`, 'utf8');
  }

  /** `previous` when it was made from these very paths, else new ones. */
  static of(paths: Paths, previous: ForwardedPaths | undefined): ForwardedPaths {
    if (previous !== undefined && previous.#to === paths.to && previous.#from === paths.from) return previous;
    return new ForwardedPaths(paths);
  }
}
