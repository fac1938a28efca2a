/**
 * The registrar's location service. Times are always the caller's (its injectable clock): the store
 * never reads a clock, so expiry can be tested without waiting and several instances agree on "now".
 */
import type { Binding, BindingKey } from './binding.js';

/** `stale`: not written, because the stored live binding has the same Call-ID and a CSeq not lower. */
export type UpsertOutcome = 'stored' | 'stale';

export interface LocationStore {
  /**
   * Creates or replaces the binding with the same AOR and key (see bindingKey). Applies RFC 3261 §10.3
   * step 7 atomically: a request with the binding's Call-ID must have a higher CSeq, else the update is
   * refused ('stale') and the registrar answers with an error. An expired binding counts as absent
   * (`updatedAt` is "now"). Rejects with InvalidInputError for a malformed binding.
   */
  upsert(binding: Binding): Promise<UpsertOutcome>;
  /** false when there was no such binding. */
  remove(aor: string, key: BindingKey): Promise<boolean>;
  /**
   * Removes the binding only while it is still registered over the connection `connectionId` (its flow
   * failed, RFC 5626); a binding refreshed since over another connection stays. false when none went.
   */
  removeFlow(aor: string, key: BindingKey, connectionId: string): Promise<boolean>;
  /** How many bindings were removed. */
  removeAll(aor: string): Promise<number>;
  /** The AOR's live bindings (expiresAt > now), highest q first, then most recently updated first. */
  lookup(aor: string, now: number): Promise<Binding[]>;
  /** Deletes the bindings with expiresAt <= now; how many. */
  purgeExpired(now: number): Promise<number>;
  /** Every stored binding, expired ones not purged yet included. */
  count(): Promise<number>;
}
