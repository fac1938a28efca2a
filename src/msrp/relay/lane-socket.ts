/**
 * The socket of a connection that carries lanes (shared-connection.ts, accepted-lanes.ts), as its lanes
 * use it: writes coalesced while a read is handled, and reading stopped while any lane asks it to (relay
 * spec §3.10: one socket cannot be paused for one session).
 */
import type { Socket } from 'node:net';
import type { Lane } from './lane.js';

export abstract class LaneSocket {
  readonly #socket: Socket;
  /** The lanes that asked for reading to stop. */
  readonly #pausedFor = new Set<Lane>();

  constructor(socket: Socket) {
    this.#socket = socket;
  }

  cork(): void {
    this.#socket.cork();
  }

  uncork(): void {
    this.#socket.uncork();
  }

  pauseFor(lane: Lane): void {
    this.#pausedFor.add(lane);
    this.#socket.pause();
  }

  resumeFor(lane: Lane): void {
    this.#pausedFor.delete(lane);
    if (this.#pausedFor.size === 0 && !this.#socket.destroyed) this.#socket.resume();
  }
}
