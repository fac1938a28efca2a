/**
 * Several instances on one store, as `missive serve` runs them (docs/scaling.md): this instance beats on the
 * injectable clock, learns where the live others are (routing/held-elsewhere.ts routes their devices'
 * requests through them), removes the registrations of an instance silent for longer than the bound, and
 * passes account events to and from the others (messaging/cluster-events.ts).
 */
import type { Logger } from 'pino';
import { StoreEventFanout } from '../messaging/cluster-events.js';
import type { DeviceEvent } from '../messaging/remote-event.js';
import type { ClusterPeers } from '../routing/held-elsewhere.js';
import { isSipUri, parseUri, type SipUri } from '../sip/uri.js';
import type { ClusterStore } from '../store/cluster/cluster-store.js';
import type { Store } from '../store/store.js';
import type { Clock, Timer } from '../time/clock.js';

export interface ClusterSettings {
  readonly id: string;
  /** The SIP URI the others reach this instance at; required, checked at the start. */
  readonly address?: string | undefined;
  readonly heartbeatMs: number;
  readonly deadAfterMs: number;
}

/** How long notices stay in the store: far longer than a listener takes to reconnect. */
const NOTICE_KEEP_MS = 10 * 60_000;

/** A [Cluster] setting that cannot work; the message names what to change. */
export class ClusterSettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClusterSettingsError';
  }
}

export class ClusterMembership implements ClusterPeers {
  readonly self: string;
  readonly events: StoreEventFanout;
  readonly #settings: ClusterSettings & { readonly address: string };
  readonly #store: ClusterStore;
  readonly #clock: Clock;
  readonly #logger: Logger;
  /** The live instances' addresses, as of the last heartbeat. */
  #peers = new Map<string, SipUri>();
  #timer: Timer | undefined;
  #beating: Promise<void> | undefined;
  #deliver: ((event: DeviceEvent) => void) | undefined;
  #stopped = false;

  private constructor(
    settings: ClusterSettings & { readonly address: string },
    store: ClusterStore,
    clock: Clock,
    logger: Logger,
  ) {
    this.self = settings.id;
    this.#settings = settings;
    this.#store = store;
    this.#clock = clock;
    this.#logger = logger;
    this.events = new StoreEventFanout({ store, self: settings.id, clock, logger });
  }

  /** Checks the settings against the store; throws ClusterSettingsError. Not beating yet: see start(). */
  static of(settings: ClusterSettings, store: Store, clock: Clock, logger: Logger): ClusterMembership {
    if (store.cluster === undefined)
      throw new ClusterSettingsError(
        `[Cluster] instance_id needs a store shared by the instances: set [Storage] store = postgresql://… or cassandra://… (${store.backend} is one process's store)`,
      );
    const address = settings.address === undefined ? undefined : parseUri(settings.address);
    if (address === undefined || !isSipUri(address))
      throw new ClusterSettingsError(
        '[Cluster] instance_id needs instance_address: the SIP URI the other instances reach this one at, e.g. sip:10.0.0.2:5060;transport=tcp',
      );
    if (settings.deadAfterMs <= 2 * settings.heartbeatMs)
      throw new ClusterSettingsError(
        '[Cluster] instance_dead_after must be more than twice instance_heartbeat, or a slow beat would count as a death',
      );
    return new ClusterMembership(
      { ...settings, address: settings.address ?? '' },
      store.cluster,
      clock,
      logger,
    );
  }

  addressOf(id: string): SipUri | undefined {
    return this.#peers.get(id);
  }

  /** First beat, then listening for the others' events (handed to `deliver`), then a beat every interval. */
  async start(deliver: (event: DeviceEvent) => void): Promise<void> {
    this.#deliver = deliver;
    await this.#beat();
    this.#logger.info(
      { instance: this.self, address: this.#settings.address, peers: [...this.#peers.keys()] },
      'cluster member',
    );
    this.#schedule();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#timer?.cancel();
    await this.#beating;
    await this.events.stop();
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = this.#clock.schedule(this.#settings.heartbeatMs, () => {
      this.#beating = this.#beat()
        .catch((error: unknown) => {
          this.#logger.error({ err: error }, 'cluster heartbeat failed');
        })
        .finally(() => {
          this.#beating = undefined;
          this.#schedule();
        });
    });
  }

  async #beat(): Promise<void> {
    const now = this.#clock.now();
    await this.#store.heartbeat({ id: this.self, address: this.#settings.address, heartbeatAt: now });
    const deadBefore = now - this.#settings.deadAfterMs;
    const dead = await this.#store.removeDead(deadBefore, this.self);
    if (dead.instances.length > 0)
      this.#logger.warn(
        { instances: dead.instances, bindings: dead.bindings },
        'instances stopped beating: their registrations removed',
      );
    const peers = new Map<string, SipUri>();
    for (const instance of await this.#store.instances()) {
      if (instance.id === this.self || instance.heartbeatAt <= deadBefore) continue;
      const address = parseUri(instance.address);
      if (address !== undefined && isSipUri(address)) peers.set(instance.id, address);
    }
    this.#peers = peers;
    await this.#store.purgeNotices(now - NOTICE_KEEP_MS);
    const deliver = this.#deliver;
    if (deliver !== undefined && !this.#stopped) await this.events.listen(deliver);
  }
}
