/**
 * Exponential backoff with jitter for pushes the provider asked to retry: the n-th retry waits between half
 * and all of min(max, base·2^(n-1)), so that many pushes refused at once by an overloaded provider do not all
 * come back at the same instant. A Retry-After the provider gave wins when it is longer.
 */

export interface BackoffSettings {
  readonly baseMs: number;
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffSettings = { baseMs: 1_000, maxMs: 30_000 };

/** `attempt` counts from 1; `random` is in [0, 1). */
export function retryDelayMs(
  attempt: number,
  settings: BackoffSettings,
  random: number,
  retryAfterMs?: number,
): number {
  const ceiling = Math.min(settings.maxMs, settings.baseMs * 2 ** Math.min(attempt - 1, 30));
  const jittered = Math.round(ceiling / 2 + (random * ceiling) / 2);
  return Math.max(jittered, retryAfterMs ?? 0);
}
