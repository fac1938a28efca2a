/**
 * Inbound connections counted from the moment they are accepted (before any TLS or WebSocket handshake)
 * until they close: in total and per source address (auth/source-key.ts), so that one host cannot take every
 * slot and shut the other clients out. A connection above either limit is destroyed at once. Shared by
 * every server of the process that accepts SIP-carrying connections (TCP, TLS, the web port's HTTP and
 * WebSocket). Connections the server opens itself are not counted here (ConnectionTable bounds them apart),
 * so they can neither use up nor be refused by the inbound limits.
 */
import type { Socket } from 'node:net';
import { sourceKey } from '../../auth/source-key.js';

export interface InboundLimits {
  /** Inbound connections open at once, from all sources. */
  readonly maxConnections: number;
  /** Inbound connections open at once from one source (an IPv4 address or an IPv6 /64). */
  readonly maxPerSource: number;
}

export type Refusal = 'total' | 'source';

export class InboundConnections {
  readonly limits: InboundLimits;
  readonly #perSource = new Map<string, number>();
  readonly #onRefused: ((refusal: Refusal, address: string) => void) | undefined;
  #total = 0;

  constructor(limits: InboundLimits, onRefused?: (refusal: Refusal, address: string) => void) {
    this.limits = limits;
    this.#onRefused = onRefused;
  }

  get size(): number {
    return this.#total;
  }

  /** Open inbound connections from the source of `address`. */
  countOf(address: string): number {
    return this.#perSource.get(sourceKey(address)) ?? 0;
  }

  /**
   * Counts a connection just accepted until its socket closes; false (the socket destroyed) when it is over
   * a limit.
   */
  admit(socket: Socket): boolean {
    const address = socket.remoteAddress;
    if (address === undefined) {
      // Already closed: nothing to count.
      socket.destroy();
      return false;
    }
    const release = this.take(address);
    if (release === undefined) {
      socket.destroy();
      return false;
    }
    socket.once('close', release);
    return true;
  }

  /**
   * Takes a slot for `address`: a function that gives it back (once, however often called), or undefined
   * when a limit is reached.
   */
  take(address: string): (() => void) | undefined {
    const key = sourceKey(address);
    const count = this.#perSource.get(key) ?? 0;
    const refusal: Refusal | undefined =
      this.#total >= this.limits.maxConnections
        ? 'total'
        : count >= this.limits.maxPerSource
          ? 'source'
          : undefined;
    if (refusal !== undefined) {
      this.#onRefused?.(refusal, address);
      return undefined;
    }
    this.#perSource.set(key, count + 1);
    this.#total++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#total--;
      const left = (this.#perSource.get(key) ?? 1) - 1;
      if (left <= 0) this.#perSource.delete(key);
      else this.#perSource.set(key, left);
    };
  }
}
