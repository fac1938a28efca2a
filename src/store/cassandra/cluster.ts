/**
 * ClusterStore on Cassandra (docs/scaling.md, docs/cassandra.md). The instances are rows of one partition.
 * Notices are rows partitioned by 10 s of their writer's clock and read by polling (cassandra/notice-poller.ts:
 * Cassandra has neither a sequence nor NOTIFY); they expire by the table's TTL. A dead instance's bindings
 * are found through the listing of the bindings each instance holds (cassandra/locations.ts).
 */
import { randomBytes } from 'node:crypto';
import type {
  ClusterInstance,
  ClusterListener,
  ClusterNotice,
  ClusterStore,
  DeadInstances,
} from '../cluster/cluster-store.js';
import type { Clock } from '../../time/clock.js';
import { numberCell, textCell } from './cells.js';
import { bucketOf, NoticePoller, type NoticePosition, type StoredNotice } from './notice-poller.js';
import { CASSANDRA_TABLES, CLUSTER_NOTICE_TTL_S } from './schema.js';
import type { CassandraSession, CqlRow } from './session.js';

const number = (value: unknown): number => numberCell(value, 'a cluster row');
const text = (value: unknown): string => textCell(value, 'a cluster row');

/** The one partition of the instances table. */
const SCOPE = 'all';
/** A binding registered through no Path (store/location/row.ts writes the Path as JSON). */
const NO_PATH = '[]';
/** Conditional deletes of a dead instance's bindings in flight at once: an instance may have held thousands. */
const REMOVE_CONCURRENCY = 32;

export class CassandraClusterStore implements ClusterStore<NoticePosition> {
  readonly #session: CassandraSession;
  readonly #clock: Clock;
  readonly #cql: {
    heartbeat: string;
    instances: string;
    removeInstance: string;
    held: string;
    removeHeld: string;
    publish: string;
    read: string;
  };
  /** This store's notices: its id among the writers, their running number, and the last one's time. */
  readonly #writer = randomBytes(8).toString('hex');
  #seq = 0;
  #lastCreatedAt = 0;

  constructor(session: CassandraSession, keyspace: string, clock: Clock) {
    this.#session = session;
    this.#clock = clock;
    const t = (name: string): string => `${keyspace}.${name}`;
    const instances = t(CASSANDRA_TABLES.instances);
    const notices = t(CASSANDRA_TABLES.clusterNotices);
    this.#cql = {
      heartbeat: `INSERT INTO ${instances} (scope, id, address, heartbeat_at) VALUES (?, ?, ?, ?)`,
      instances: `SELECT id, address, heartbeat_at FROM ${instances} WHERE scope = ?`,
      removeInstance: `DELETE FROM ${instances} WHERE scope = ? AND id = ? IF heartbeat_at <= ?`,
      held: `SELECT aor, binding_key FROM ${t(CASSANDRA_TABLES.locationsByHolder)} WHERE holder = ?`,
      removeHeld:
        `DELETE FROM ${t(CASSANDRA_TABLES.locations)} WHERE aor = ? AND binding_key = ? ` +
        'IF holder = ? AND path = ?',
      publish:
        `INSERT INTO ${notices} (bucket, created_at, writer, seq, origin, payload) ` +
        'VALUES (?, ?, ?, ?, ?, ?)',
      read:
        `SELECT created_at, writer, seq, origin, payload FROM ${notices} ` +
        'WHERE bucket = ? AND created_at >= ?',
    };
  }

  async heartbeat(instance: ClusterInstance): Promise<void> {
    await this.#session.run(this.#cql.heartbeat, [
      SCOPE,
      instance.id,
      instance.address,
      instance.heartbeatAt,
    ]);
  }

  async instances(): Promise<ClusterInstance[]> {
    const rows = await this.#session.rows(this.#cql.instances, [SCOPE]);
    return rows.map((row) => ({
      id: text(row.get('id')),
      address: text(row.get('address')),
      heartbeatAt: number(row.get('heartbeat_at')),
    }));
  }

  async removeDead(deadBefore: number, self: string): Promise<DeadInstances> {
    const silent = (await this.instances()).filter((i) => i.id !== self && i.heartbeatAt <= deadBefore);
    const instances: string[] = [];
    let bindings = 0;
    for (const { id } of silent) {
      // A lightweight transaction, not a plain delete after the read: an instance that beat again since the
      // read stays (and its bindings with it), and of several instances removing the same dead one, one
      // does, and counts its bindings.
      if (!(await this.#session.run(this.#cql.removeInstance, [SCOPE, id, deadBefore]))) continue;
      instances.push(id);
      bindings += await this.#removeHeldBy(id);
    }
    return { instances, bindings };
  }

  async publish(origin: string, payloads: readonly string[], now: number): Promise<void> {
    if (payloads.length === 0) return;
    // Never back in time, even when the clock steps back: a writer's notices sort in publication order.
    const createdAt = Math.max(now, this.#lastCreatedAt);
    this.#lastCreatedAt = createdAt;
    const bucket = bucketOf(createdAt);
    // One partition: an unlogged batch is one mutation, all of it or none.
    await this.#session.batch(
      payloads.map((payload) => ({
        cql: this.#cql.publish,
        params: [bucket, createdAt, this.#writer, this.#seq++, origin, payload],
      })),
      { logged: false },
    );
  }

  listen(
    after: NoticePosition | undefined,
    listener: (notice: ClusterNotice) => void,
    onReadError?: (error: unknown) => void,
  ): Promise<ClusterListener<NoticePosition>> {
    return NoticePoller.listen(after, {
      read: async (bucket, from) =>
        (await this.#session.rows(this.#cql.read, [bucket, from])).map(storedNotice),
      clock: this.#clock,
      keepMs: CLUSTER_NOTICE_TTL_S * 1000,
      listener,
      onReadError,
    });
  }

  /** None to delete: notices expire by the table's TTL (CLUSTER_NOTICE_TTL_S), which the caller's bound equals. */
  purgeNotices(): Promise<number> {
    return Promise.resolve(0);
  }

  /**
   * Deletes the bindings the listing has under `holder` that it still holds (one registered since through
   * another instance is not its) and that came through no Path (an edge proxy in front reaches them from
   * any instance). The listing itself goes by its TTL. Bindings the listing lost go by their own TTL.
   */
  async #removeHeldBy(holder: string): Promise<number> {
    const listed = await this.#session.rows(this.#cql.held, [holder]);
    let removed = 0;
    for (let i = 0; i < listed.length; i += REMOVE_CONCURRENCY) {
      const applied = await Promise.all(
        listed
          .slice(i, i + REMOVE_CONCURRENCY)
          .map((row) =>
            this.#session.run(this.#cql.removeHeld, [
              text(row.get('aor')),
              text(row.get('binding_key')),
              holder,
              NO_PATH,
            ]),
          ),
      );
      removed += applied.filter(Boolean).length;
    }
    return removed;
  }
}

function storedNotice(row: CqlRow): StoredNotice {
  return {
    createdAt: number(row.get('created_at')),
    writer: text(row.get('writer')),
    seq: number(row.get('seq')),
    origin: text(row.get('origin')),
    payload: text(row.get('payload')),
  };
}
