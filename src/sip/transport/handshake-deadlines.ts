/**
 * Handshake deadlines for accepted connections: a TLS connection must finish its handshake, a WebSocket
 * connection must send its HTTP upgrade request (RFC 6455 §4.1), within a fixed time of the TCP connect, or
 * its socket is destroyed. Until then a connection holds a slot and memory and has proved nothing; a peer that
 * never sends its ClientHello, or an HTTP head, would otherwise hold both until the idle timeout.
 *
 * The socket that is armed (the raw TCP socket of a 'connection' event) and the one that settles (the
 * TLSSocket of 'secureConnection', the socket of an HTTP request) are different objects over one TCP
 * connection, so the deadline is found by the connection's four addresses, unique among open connections.
 * Every deadline has the same length: one DeadlineQueue holds them all.
 */
import type { Socket } from 'node:net';
import type { Clock, Timer } from '../../time/clock.js';
import { DeadlineQueue } from '../../time/deadline-queue.js';

/** What settle() needs of a socket: its four addresses. */
export interface SocketAddresses {
  readonly remoteAddress?: string | undefined;
  readonly remotePort?: number | undefined;
  readonly localAddress?: string | undefined;
  readonly localPort?: number | undefined;
}

export class HandshakeDeadlines {
  readonly timeoutMs: number;
  readonly #queue: DeadlineQueue;
  readonly #pending = new Map<string, Timer>();
  readonly #onExpired: ((socket: Socket) => void) | undefined;

  constructor(clock: Clock, timeoutMs: number, onExpired?: (socket: Socket) => void) {
    this.timeoutMs = timeoutMs;
    this.#queue = new DeadlineQueue(clock);
    this.#onExpired = onExpired;
  }

  /** Handshakes still awaited. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Destroys `socket` unless settle() is called for its connection within timeoutMs. */
  arm(socket: Socket): void {
    const key = addressKey(socket);
    if (key === undefined) {
      socket.destroy();
      return;
    }
    const timer = this.#queue.add(this.timeoutMs, () => {
      if (this.#pending.get(key) === timer) this.#pending.delete(key);
      this.#onExpired?.(socket);
      socket.destroy();
    });
    this.#pending.set(key, timer);
    socket.once('close', () => {
      if (this.#pending.get(key) !== timer) return;
      this.#pending.delete(key);
      timer.cancel();
    });
  }

  /** The handshake of this socket's connection is done: no deadline any more. */
  settle(socket: SocketAddresses): void {
    const key = addressKey(socket);
    if (key === undefined) return;
    const timer = this.#pending.get(key);
    if (timer === undefined) return;
    this.#pending.delete(key);
    timer.cancel();
  }
}

function addressKey(socket: SocketAddresses): string | undefined {
  const { remoteAddress, remotePort, localAddress, localPort } = socket;
  if (remoteAddress === undefined || localAddress === undefined) return undefined;
  return `${remoteAddress}|${String(remotePort)}|${localAddress}|${String(localPort)}`;
}
