/** A SipService on a temporary SQLite store with subscribers alice, bob and carol in example.test. */
import type { DeviceWaker } from '../../src/routing/device-waker.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { Logger } from 'pino';
import type { LocalApplication } from '../../src/routing/local-application.js';
import { SipService } from '../../src/server/sip-service.js';
import type { ServerLocator } from '../../src/sip/dns/locator.js';
import type { TransactionTimers } from '../../src/sip/transaction/timers.js';
import type { Clock } from '../../src/time/clock.js';
import type { TransportProtocol } from '../../src/sip/transport/types.js';
import { openStore, type Store } from '../../src/store/index.js';
import { createSelfSignedCertificate } from '../../src/tls/self-signed.js';
import { Agent } from '../support/sip-agent.js';

export const DOMAIN = 'example.test';
export const PASSWORD = 'secret';

export interface Fixture {
  readonly service: SipService;
  readonly store: Store;
  readonly ports: ReadonlyMap<TransportProtocol, number>;
  agent(user: string, transport?: TransportProtocol): Promise<Agent>;
  close(): Promise<void>;
}

export interface FixtureOptions {
  readonly trustedPeers?: string[];
  readonly messaging?: LocalApplication;
  readonly logger?: Logger;
  /** Where next hops named by host name are looked up (a resolver on a test DNS server). */
  readonly locator?: ServerLocator;
  readonly timers?: TransactionTimers;
  /** The proxy's clock (a ManualClock: its timers move when the test says). */
  readonly clock?: Clock;
  /** RFC 8599: wakes sleeping devices (routing/sleeping-devices.ts). */
  readonly deviceWaker?: DeviceWaker;
  readonly wakeTimeoutMs?: number;
}

export async function startFixture(options: FixtureOptions = {}): Promise<Fixture> {
  const dir = await mkdtemp(join(tmpdir(), 'missive-routing-'));
  const store = await openStore(`sqlite://${join(dir, 'store.db')}`);
  for (const user of ['alice', 'bob', 'carol']) await store.subscribers.add(user, DOMAIN, PASSWORD);
  const tls = await createSelfSignedCertificate({
    commonName: '127.0.0.1',
    ipAddresses: ['127.0.0.1'],
    days: 1,
    keyType: 'ec',
  });
  const service = new SipService({
    store,
    domains: [DOMAIN],
    host: '127.0.0.1',
    listen: [
      { transport: 'udp', port: 0 },
      { transport: 'tcp', port: 0 },
      { transport: 'tls', port: 0 },
      { transport: 'ws', port: 0 },
    ],
    tls,
    trustedPeers: options.trustedPeers,
    messaging: options.messaging,
    logger: options.logger,
    locator: options.locator,
    timers: options.timers,
    clock: options.clock,
    deviceWaker: options.deviceWaker,
    wakeTimeoutMs: options.wakeTimeoutMs,
  });
  const points = await service.start();
  const ports = new Map(points.map((point) => [point.transport, point.port]));
  const agents: Agent[] = [];
  return {
    service,
    store,
    ports,
    async agent(user, transport = 'udp') {
      const port = ports.get(transport);
      if (port === undefined) throw new Error(`no ${transport} listener`);
      const agent = await new Agent(user, DOMAIN, PASSWORD, { transport, host: '127.0.0.1', port }).start();
      agents.push(agent);
      return agent;
    },
    async close() {
      await Promise.all(agents.map((agent) => agent.stop()));
      await service.stop();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A fixture of its own for one test, closed when that test ends (passed or failed), so no test leans on another. */
export async function fixtureFor(t: TestContext, options: FixtureOptions = {}): Promise<Fixture> {
  const fixture = await startFixture(options);
  t.after(() => fixture.close());
  return fixture;
}
