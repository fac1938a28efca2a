/** Where A connects: a relay (AUTH first, then To-Path = Use-Path + B) or B itself (baseline). */
import { ClientA } from './client-a.js';
import type { EndpointB } from './endpoint-b.js';
import type { Transport } from './net.js';
import { credentialsFor } from './relays/relay.js';
import { SendSession } from './session.js';

export interface Target {
  /** undefined for the generator baseline: A → B with no relay. */
  readonly relayPort: number | undefined;
  readonly transport: Transport;
  readonly b: EndpointB;
}

export const STEP_TIMEOUT_MS = 10_000;

let sessionCounter = 0;

/** Connects A, authenticates at the relay if there is one, and registers the session with B. */
export async function openSession(target: Target, maxInFlight: number): Promise<SendSession> {
  const index = sessionCounter++;
  const port = target.relayPort ?? target.b.port;
  const a = await ClientA.connect(port, target.transport, STEP_TIMEOUT_MS);
  try {
    const usePath =
      target.relayPort === undefined
        ? undefined
        : await a.authenticate(credentialsFor(index), STEP_TIMEOUT_MS);
    return new SendSession(a, target.b, usePath, maxInFlight);
  } catch (error) {
    a.close();
    throw error;
  }
}
