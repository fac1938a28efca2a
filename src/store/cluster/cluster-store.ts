/**
 * What several `missive serve` instances on one store share besides the data (docs/scaling.md): which
 * instances are alive and where the others reach them over SIP, and a channel of notices (the messaging
 * events of one instance, for the devices connected to the others). Times are the caller's clock.
 */

export interface ClusterInstance {
  readonly id: string;
  /** The SIP URI the other instances send a binding's requests to (`[Cluster] instance_address`). */
  readonly address: string;
  /** Milliseconds since the epoch: the instance's clock at its last heartbeat. */
  readonly heartbeatAt: number;
}

export interface DeadInstances {
  /** The instances removed. */
  readonly instances: readonly string[];
  /** How many of their bindings went with them. */
  readonly bindings: number;
}

export interface ClusterNotice {
  /** Names the notice (in logs): PostgreSQL's row id, increasing; Cassandra's key within its time bucket. */
  readonly id: number | string;
  readonly origin: string;
  readonly payload: string;
}

/**
 * `Position` is where a listener stands, a value only the store that made it reads (PostgreSQL: the id of the
 * last notice handed over; Cassandra: the time from which it reads again and the notices after it handed
 * over already, store/cassandra/notice-poller.ts): no single number says that on a store without a sequence.
 */
export interface ClusterListener<Position = unknown> {
  /** Where it stands: listen(lastId) of the same store hands over what it has not (or where listening began). */
  readonly lastId: Position;
  /** Its connection was lost: no more notices come; listen again from lastId. */
  readonly broken: boolean;
  stop(): Promise<void>;
}

export interface ClusterStore<Position = unknown> {
  /** Records (or refreshes) the instance, alive at `now`. */
  heartbeat(instance: ClusterInstance): Promise<void>;
  /** Every recorded instance, the caller's own included. */
  instances(): Promise<ClusterInstance[]>;
  /**
   * Removes the instances other than `self` whose last heartbeat is at or before `deadBefore`, and the
   * bindings they held (their flows went with their connections), but those registered through a Path,
   * which any instance reaches through the edge proxy.
   */
  removeDead(deadBefore: number, self: string): Promise<DeadInstances>;
  /**
   * Hands `payloads`, in order, to every instance listening, `origin`'s own listener included (it skips its
   * own): one write for the lot, so a burst of events costs one commit.
   */
  publish(origin: string, payloads: readonly string[], now: number): Promise<void>;
  /**
   * Calls `listener` with each notice published after position `after` (a listener's lastId; undefined: from
   * now on), in order of publication per origin. Resolves once listening. A read that fails is tried again
   * (nothing is skipped) and handed to `onReadError`, so that the instance can say why events stopped coming.
   */
  listen(
    after: Position | undefined,
    listener: (notice: ClusterNotice) => void,
    onReadError?: (error: unknown) => void,
  ): Promise<ClusterListener<Position>>;
  /** Deletes the notices published at or before `before`; how many. */
  purgeNotices(before: number): Promise<number>;
}
