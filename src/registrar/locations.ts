/**
 * The location service as the proxy sees it: the live bindings of an AOR, at the clock's now. AORs are
 * normalised as the registrar stores them (aor.ts), so `sip:alice@Example.com` finds alice@example.com.
 */
import type { Uri } from '../sip/uri.js';
import type { Binding } from '../store/location/binding.js';
import type { LocationStore } from '../store/location/location-store.js';
import type { Clock } from '../time/clock.js';
import { aorOfUri, normalizeAor } from './aor.js';

export class Locations {
  readonly #store: LocationStore;
  readonly #clock: Clock;
  readonly #view: ((binding: Binding) => Binding) | undefined;

  /**
   * `view`: each binding as the proxy is to use it (several instances: one held by another instance is
   * routed through it, routing/held-elsewhere.ts).
   */
  constructor(store: LocationStore, clock: Clock, view?: (binding: Binding) => Binding) {
    this.#store = store;
    this.#clock = clock;
    this.#view = view;
  }

  /** `alice@example.com` (a `sip:` prefix is fine); [] when no account could have that AOR. */
  lookup(aor: string): Promise<Binding[]> {
    const key = normalizeAor(aor);
    return key === undefined ? Promise.resolve([]) : this.#lookup(key);
  }

  /** The bindings of the AOR a Request-URI names. */
  lookupUri(uri: Uri): Promise<Binding[]> {
    const key = aorOfUri(uri)?.key;
    return key === undefined ? Promise.resolve([]) : this.#lookup(key);
  }

  async #lookup(key: string): Promise<Binding[]> {
    const bindings = await this.#store.lookup(key, this.#clock.now());
    const view = this.#view;
    return view === undefined ? bindings : bindings.map(view);
  }

  /** Deletes expired bindings (lookups already ignore them); for a periodic timer. How many went. */
  purgeExpired(): Promise<number> {
    return this.#store.purgeExpired(this.#clock.now());
  }
}
