/**
 * The sessions that are authenticated and wait for their first SEND (relay spec §3.1 `unbound_sessions`),
 * by session id: what an incoming connection's first SEND is bound to (relay spec §3.3).
 */
import type { Session } from './session.js';

export class UnboundSessions {
  readonly #byId = new Map<string, Session>();

  get size(): number {
    return this.#byId.size;
  }

  add(session: Session): void {
    this.#byId.set(session.id, session);
  }

  get(id: string): Session | undefined {
    return this.#byId.get(id);
  }

  /** The session bound, or its source went away: it is waited for no longer. */
  remove(session: Session): void {
    if (this.#byId.get(session.id) === session) this.#byId.delete(session.id);
  }
}
