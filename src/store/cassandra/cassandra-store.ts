/**
 * The messaging data (storage accounts and API tokens, public keys, push tokens) in a Cassandra keyspace
 * laid out as the reference's (sylk spec §3.11), for deployments that outgrow one machine and for a
 * SylkServer keyspace that missive takes over; subscribers and registrations in missive's own tables beside
 * them (the reference keeps those in its SIP server's SQL database), so that `missive serve` runs on the
 * keyspace alone, one instance or several (`cluster`, cassandra/cluster.ts). The driver's requests are durable
 * as the consistency level says (default local_quorum: a majority of the local data center's replicas wrote
 * the commit log).
 */
import { CassandraAddressBookStore } from './address-books.js';
import { CassandraClusterStore } from './cluster.js';
import { StoreError } from '../errors.js';
import { DEFAULT_TIMEOUT_MS, type OpenStoreOptions, type Store } from '../store.js';
import { CassandraJournalStore } from './journal.js';
import { CassandraLocationStore } from './locations.js';
import { CassandraPublicKeyStore } from './public-keys.js';
import { CassandraPushTokenStore } from './push-tokens.js';
import { CASSANDRA_SCHEMA_VERSION, createSchema, type SchemaState, schemaState } from './schema.js';
import { CassandraSession } from './session.js';
import { CassandraStorageAccountStore } from './storage-accounts.js';
import { CassandraSubscriberStore } from './subscribers.js';
import { type Clock, systemClock } from '../../time/clock.js';
import type { CassandraLocation } from './uri.js';

export class CassandraStore implements Store {
  readonly backend = 'cassandra';
  readonly schemaVersion = CASSANDRA_SCHEMA_VERSION;
  readonly description: string;
  readonly subscribers: CassandraSubscriberStore;
  readonly locations: CassandraLocationStore;
  readonly journal: CassandraJournalStore;
  readonly storageAccounts: CassandraStorageAccountStore;
  readonly publicKeys: CassandraPublicKeyStore;
  readonly addressBooks: CassandraAddressBookStore;
  readonly pushTokens: CassandraPushTokenStore;
  readonly cluster: CassandraClusterStore;
  readonly #session: CassandraSession;

  constructor(session: CassandraSession, location: CassandraLocation, clock: Clock = systemClock) {
    this.#session = session;
    this.description = `cassandra://${location.contactPoints.join(',')}/${location.keyspace}`;
    this.subscribers = new CassandraSubscriberStore(session, location.keyspace);
    this.locations = new CassandraLocationStore(session, location.keyspace);
    this.journal = new CassandraJournalStore(session, location.keyspace);
    this.storageAccounts = new CassandraStorageAccountStore(session, location.keyspace);
    this.publicKeys = new CassandraPublicKeyStore(session, location.keyspace);
    this.addressBooks = new CassandraAddressBookStore(session, location.keyspace);
    this.pushTokens = new CassandraPushTokenStore(session, location.keyspace);
    this.cluster = new CassandraClusterStore(session, location.keyspace, clock);
  }

  close(): Promise<void> {
    return this.#session.close();
  }
}

/**
 * Connects, and creates the keyspace (unless `create` is false: then a missing keyspace is a StoreError) and
 * the tables that are missing. missive's own tables are created in an existing SylkServer keyspace too.
 */
export async function openCassandraStore(
  location: CassandraLocation,
  options: OpenStoreOptions = {},
): Promise<CassandraStore> {
  const session = await CassandraSession.connect(location, {
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  });
  try {
    if (options.create === false && !(await schemaState(session, location.keyspace)).keyspace) {
      throw new StoreError(`no keyspace ${location.keyspace} on ${location.contactPoints.join(',')}`);
    }
    await createSchema(session, location);
    return new CassandraStore(session, location, options.clock);
  } catch (error) {
    await session.close();
    throw error;
  }
}

/** What of missive's schema the keyspace has, without changing anything (`missive db dbinit` asks first). */
export async function inspectCassandraSchema(
  location: CassandraLocation,
  options: OpenStoreOptions = {},
): Promise<SchemaState> {
  const session = await CassandraSession.connect(location, {
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  });
  try {
    return await schemaState(session, location.keyspace);
  } finally {
    await session.close();
  }
}
