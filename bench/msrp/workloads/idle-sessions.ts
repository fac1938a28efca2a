/**
 * Row 4: `count` authenticated, idle sessions (AUTH 401 + 200, no SEND) held open at once, opened by
 * `parallel` clients. The caller measures the relay's memory before and after.
 */
import { ClientA } from '../client-a.js';
import { type Transport } from '../net.js';
import { credentialsFor } from '../relays/relay.js';
import { STEP_TIMEOUT_MS } from '../target.js';

export interface IdleSessionsOptions {
  readonly relayPort: number;
  readonly transport: Transport;
  readonly count: number;
  readonly parallel: number;
  /** Upper bound for opening all of them. */
  readonly timeoutMs: number;
}

export async function openIdleSessions(options: IdleSessionsOptions): Promise<ClientA[]> {
  const clients: ClientA[] = [];
  let next = 0;
  let failure: unknown;
  const deadline = performance.now() + options.timeoutMs;
  const worker = async (): Promise<void> => {
    while (next < options.count && failure === undefined) {
      if (performance.now() > deadline) {
        failure = new Error(
          `opened only ${clients.length} of ${options.count} sessions in ${options.timeoutMs} ms`,
        );
        return;
      }
      const index = next++;
      try {
        const client = await ClientA.connect(options.relayPort, options.transport, STEP_TIMEOUT_MS);
        clients.push(client);
        await client.authenticate(credentialsFor(index), STEP_TIMEOUT_MS);
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: options.parallel }, worker));
  if (failure !== undefined) {
    closeAll(clients);
    throw new Error(`idle sessions: ${failure instanceof Error ? failure.message : 'failed'}`);
  }
  return clients;
}

export function closeAll(clients: readonly ClientA[]): void {
  for (const client of clients) client.close();
}

/** How many of the clients still have an open connection (the relay must not drop idle sessions). */
export function openCount(clients: readonly ClientA[]): number {
  return clients.filter((client) => !client.closed).length;
}
