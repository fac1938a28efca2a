import type { Connection } from './connection.js';

/** One relayed MSRP session: the AUTH-ing connection (source) and, once bound, its destination. */
export class Session {
  destination: Connection | undefined;
  readonly startedAt: number;

  constructor(
    readonly id: string,
    readonly username: string,
    readonly realm: string,
    public expires: number,
    readonly source: Connection,
    now: number,
  ) {
    this.startedAt = now;
  }
}
