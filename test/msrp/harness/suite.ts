// Runs a block of tests once per transport mode (plain TCP with debug_notls, and TLS), each mode with its
// own relay process, and gives every test a scope whose sockets are closed when the test ends.
import { after, before, describe, type TestContext } from 'node:test';
import { connectClient } from './client.js';
import type { MsrpConnection } from './connection.js';
import { getCerts } from './certs.js';
import { Endpoint, type EndpointOptions } from './endpoint.js';
import { RelayProcess, type Settings } from './relay-process.js';

export interface Mode {
  readonly name: string;
  readonly tls: boolean;
  readonly scheme: 'msrp' | 'msrps';
}

export const MODES: readonly Mode[] = [
  { name: 'plain TCP', tls: false, scheme: 'msrp' },
  { name: 'TLS', tls: true, scheme: 'msrps' },
];

export interface SuiteOptions {
  /** [Relay] settings for this suite's relay. */
  readonly settings?: Settings;
  /** Run the tests of each mode concurrently (for long timer tests). */
  readonly concurrency?: boolean;
}

export interface Suite {
  readonly mode: Mode;
  /** This mode's relay (started before the tests). */
  readonly relay: RelayProcess;
  /** A's URI as written in From-Path (relay spec §9.0 `<A>`). */
  readonly aUri: string;
  /** The bare domain URI clients AUTH to (relay spec §9.0). */
  readonly domainUri: string;
  /** Resources for one test, released when it ends. */
  scope(t: TestContext): Scope;
}

export function describeModes(title: string, opts: SuiteOptions, body: (s: Suite) => void): void {
  describe(title, { concurrency: true }, () => {
    for (const mode of MODES) {
      describe(`[${mode.name}]`, { concurrency: opts.concurrency ?? false }, () => {
        let relay: RelayProcess | undefined;
        before(async () => {
          relay = await RelayProcess.start({
            tls: mode.tls,
            ...(opts.settings ? { settings: opts.settings } : {}),
          });
        });
        after(async () => {
          // A relay that died mid-suite fails the suite even if the last test did not notice.
          const died = relay !== undefined && !relay.running;
          const report = died
            ? `relay exited during the tests (status ${relay?.exitCode}):\n${relay?.output()}`
            : '';
          await relay?.stop();
          if (died) throw new Error(report);
        });
        body({
          mode,
          get relay(): RelayProcess {
            if (!relay) throw new Error('relay not started');
            return relay;
          },
          aUri: `${mode.scheme}://127.0.0.1:40001/asess;tcp`,
          domainUri: `${mode.scheme}://example.com;tcp`,
          scope(t: TestContext): Scope {
            if (!relay) throw new Error('relay not started');
            const scope = new Scope(mode, relay);
            t.after(() => scope.close());
            return scope;
          },
        });
      });
    }
  });
}

/** Connections and endpoints opened by one test. */
export class Scope {
  readonly #closers: (() => Promise<void> | void)[] = [];

  constructor(
    readonly mode: Mode,
    readonly relay: RelayProcess,
  ) {}

  /** A client connection to the relay. */
  async client(opts: { localAddress?: string } = {}): Promise<MsrpConnection> {
    const conn = await connectClient({ port: this.relay.port, tls: this.mode.tls, ...opts });
    this.#closers.push(() => {
      conn.destroy();
    });
    return conn;
  }

  /** A far endpoint B speaking this mode's transport. */
  async endpoint(opts: Omit<EndpointOptions, 'certs'> = {}): Promise<Endpoint> {
    const certs = this.mode.tls ? await getCerts() : undefined;
    const ep = await Endpoint.listen({ ...opts, certs });
    this.#closers.push(() => ep.close());
    return ep;
  }

  async close(): Promise<void> {
    for (const close of this.#closers.splice(0).reverse()) await close();
  }
}
