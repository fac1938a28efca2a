/**
 * The outbound bindings (RFC 5626: +sip.instance and reg-id) registered over this process's connections, so
 * that they go when their connection closes: such a binding is reachable over that flow only, and a flow
 * that has failed is never usable again (a new connection is a new flow, registered anew). Bindings without
 * reg-id are not flow-bound and are not tracked; nor is anything registered through another instance (its
 * connection ids are not ours). A binding is removed only while the store still records it over the closed
 * connection: one refreshed since over another connection, here or elsewhere, stays.
 */
import { type Binding, type BindingKey, bindingKey, encodeBindingKey } from '../store/location/binding.js';
import type { LocationStore } from '../store/location/location-store.js';

interface FlowBinding {
  readonly aor: string;
  readonly key: BindingKey;
}

export class FlowBindings {
  /** By connection id, then by AOR and binding key. */
  readonly #byConnection = new Map<string, Map<string, FlowBinding>>();

  readonly #store: LocationStore;
  /** Whether a connection of this process is still open. */
  readonly #isOpen: (connectionId: string) => boolean;

  constructor(store: LocationStore, isOpen: (connectionId: string) => boolean) {
    this.#store = store;
    this.#isOpen = isOpen;
  }

  /** A binding was written: remembered when it is an outbound binding over a connection. */
  async stored(binding: Binding): Promise<void> {
    const { connectionId, transport } = binding.source;
    if (binding.regId === undefined || connectionId === undefined || transport === 'udp') return;
    // RFC 8599: a binding with push parameters outlives its flow, so that the device can be woken by a push
    // when a request comes for it (routing/sleeping-devices.ts); it goes when it expires or is replaced.
    if (binding.push !== undefined) return;
    const key = bindingKey(binding);
    let flows = this.#byConnection.get(connectionId);
    if (flows === undefined) {
      flows = new Map();
      this.#byConnection.set(connectionId, flows);
    }
    flows.set(`${binding.aor}\n${encodeBindingKey(key)}`, { aor: binding.aor, key });
    // The connection may have closed while the binding was being written.
    if (!this.#isOpen(connectionId)) await this.closed(connectionId);
  }

  /** The connection closed: its outbound bindings that still name it are removed. How many. */
  async closed(connectionId: string): Promise<number> {
    const flows = this.#byConnection.get(connectionId);
    if (flows === undefined) return 0;
    this.#byConnection.delete(connectionId);
    let removed = 0;
    for (const { aor, key } of flows.values()) {
      if (await this.#store.removeFlow(aor, key, connectionId)) removed++;
    }
    return removed;
  }

  /** Connections with tracked bindings (for tests and metrics). */
  get size(): number {
    return this.#byConnection.size;
  }
}
