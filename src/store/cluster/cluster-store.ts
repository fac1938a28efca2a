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
  /** Increasing: a listener that starts again after a lost connection reads on from the last it saw. */
  readonly id: number;
  readonly origin: string;
  readonly payload: string;
}

export interface ClusterListener {
  /** The id of the last notice handed over (or where listening began). */
  readonly lastId: number;
  /** Its connection was lost: no more notices come; listen again from lastId. */
  readonly broken: boolean;
  stop(): Promise<void>;
}

export interface ClusterStore {
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
   * Calls `listener` with each notice published after notice `after` (undefined: from now on), in order.
   * Resolves once listening.
   */
  listen(after: number | undefined, listener: (notice: ClusterNotice) => void): Promise<ClusterListener>;
  /** Deletes the notices published at or before `before`; how many. */
  purgeNotices(before: number): Promise<number>;
}
