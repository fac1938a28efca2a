import type { Connection } from './connection.js';
import type { MsrpUri } from '../uri.js';

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
    /** This relay's URI for the session, as put in Use-Path. */
    readonly relayUri: MsrpUri,
    now: number,
  ) {
    this.startedAt = now;
  }
}
