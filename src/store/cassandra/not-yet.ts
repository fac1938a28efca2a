/**
 * The parts of the Store a Cassandra keyspace does not hold: subscribers and registrations live in SQL in
 * the reference too (its SIP server's database), never in its Cassandra keyspace. Every call rejects with a
 * StoreError that says so, instead of a TypeError deep in a caller.
 */
import type { LocationStore } from '../location/location-store.js';
import { StoreError } from '../errors.js';
import type { SubscriberStore } from '../subscribers/subscriber-store.js';

function unavailable(what: string): object {
  // A Proxy, so that the stub follows the interface as it grows: every method is async there, and rejects here.
  return new Proxy(
    {},
    {
      get(_target, property) {
        if (typeof property !== 'string' || property === 'then') return undefined;
        return () => Promise.reject(new StoreError(`the Cassandra store does not hold ${what}`));
      },
    },
  );
}

export const notOnCassandra = {
  subscribers: () => unavailable('subscribers: use an SQL store for them') as SubscriberStore,
  locations: () => unavailable('registrations: use an SQL store for them') as LocationStore,
};
