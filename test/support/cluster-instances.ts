/**
 * Several `missive serve` instances on one PostgreSQL database or Cassandra keyspace, for the cluster tests
 * (docs/scaling.md): a fresh database (or keyspace) per test on the test server, and each instance's options (its own loopback address, the
 * shared store, [Cluster] with a short heartbeat, its instance address on the SIP port it was given).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { cassandraBackend } from '../store/cassandra-backend.js';
import type { MissiveOptions } from './missive-process.js';

const ADMIN_URI = process.env.MISSIVE_TEST_POSTGRES_URI ?? 'postgresql://postgres@127.0.0.1:5432/test';

export interface FreshDatabase {
  readonly uri: string;
  drop(): Promise<void>;
}

/** A database of its own, made on the test server; drop() removes it, connections and all. */
export async function freshDatabase(): Promise<FreshDatabase> {
  const name = `missive_cluster_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URI });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(ADMIN_URI);
  url.pathname = `/${name}`;
  return {
    uri: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: ADMIN_URI });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** A keyspace of its own on the test node (the store creates it when an instance opens it); drop() removes it. */
export async function freshKeyspace(): Promise<FreshDatabase> {
  const backend = await cassandraBackend();
  const { uri } = await backend.fresh();
  return { uri, drop: () => backend.close() };
}

export interface InstanceOptions {
  readonly id: string;
  /** The loopback address it listens on (127.0.0.2, …): the others trust it by that address. */
  readonly host: string;
  readonly storeUri: string;
  readonly domain: string;
  readonly trustedPeers: readonly string[];
  /** Seconds. */
  readonly heartbeat: number;
  readonly deadAfter: number;
  /** How the others reach it; default TCP. */
  readonly transport?: 'udp' | 'tcp';
}

export function instanceOptions(options: InstanceOptions): MissiveOptions {
  return {
    domain: options.domain,
    users: [],
    trustedPeers: options.trustedPeers,
    // Several servers start at once on a loaded 2-core machine: far more than the one-server default.
    args: [
      '--host',
      options.host,
      '--store',
      options.storeUri,
      '--instance-id',
      options.id,
      '--instance-heartbeat',
      String(options.heartbeat),
      '--instance-dead-after',
      String(options.deadAfter),
    ],
    argsFor: (ports) => [
      '--instance-address',
      `sip:${options.host}:${String(ports.sip)};transport=${options.transport ?? 'tcp'}`,
    ],
  };
}
