/**
 * The store with its journal timed: every journal call's duration goes to `observe`, labelled by the
 * method's name (a fixed set: the JournalStore interface's). The journal is where messages are written and
 * read on every MESSAGE and page, so its latency is the storage latency an operator wants to watch.
 * Wrapped methods are made once per name, not per call.
 */
import type { JournalStore } from '../../store/journal/journal-store.js';
import type { Store } from '../../store/store.js';

export type ObserveDuration = (operation: string, seconds: number) => void;

/** `now`: a monotonic clock in milliseconds (performance.now in the server). */
export function timedStore(store: Store, observe: ObserveDuration, now: () => number): Store {
  const journal = timedJournal(store.journal, observe, now);
  return new Proxy(store, {
    get(target, property) {
      if (property === 'journal') return journal;
      const value: unknown = Reflect.get(target, property, target);
      // Bound to the store itself: its methods may use private fields, which a proxy does not have.
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

function timedJournal(journal: JournalStore, observe: ObserveDuration, now: () => number): JournalStore {
  const wrapped = new Map<string, (...args: unknown[]) => unknown>();
  return new Proxy(journal, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      let timed = wrapped.get(property);
      if (timed === undefined) {
        const method = value as (...args: unknown[]) => unknown;
        timed = (...args: unknown[]): unknown => {
          const start = now();
          const result = method.apply(target, args);
          if (!(result instanceof Promise)) return result;
          return result.finally(() => {
            observe(property, (now() - start) / 1000);
          });
        };
        wrapped.set(property, timed);
      }
      return timed;
    },
  });
}
