/**
 * The highest rate that passes a probe: grow from a start rate (×2, or less when the start comes from an
 * earlier search) until a probe fails, then bisect between the highest pass and the lowest failure until
 * they are `precision` apart (or the probe budget is spent). Rates are rounded to 50/s.
 */

export interface SearchLimits {
  readonly startRate: number;
  /** Factor between probes until the first failure. */
  readonly growth: number;
  readonly maxRate: number;
  readonly precision: number;
  readonly maxProbes: number;
}

export interface Probed {
  readonly rate: number;
  readonly passed: boolean;
}

export interface SearchOutcome<T extends Probed> {
  /** The highest passing probe (undefined: even the lowest rate tried failed). */
  readonly best: T | undefined;
  /** The lowest failing probe (undefined: capped at maxRate without a failure). */
  readonly firstFailure: T | undefined;
  readonly probes: readonly T[];
}

const STEP = 50;

function round(rate: number): number {
  return Math.max(STEP, Math.round(rate / STEP) * STEP);
}

export async function searchMaxRate<T extends Probed>(
  run: (rate: number) => Promise<T>,
  limits: SearchLimits,
): Promise<SearchOutcome<T>> {
  const probes: T[] = [];
  const state: { best: T | undefined; firstFailure: T | undefined } = {
    best: undefined,
    firstFailure: undefined,
  };
  const attempt = async (rate: number): Promise<void> => {
    const result = await run(rate);
    probes.push(result);
    if (result.passed) {
      if (state.best === undefined || result.rate > state.best.rate) state.best = result;
    } else if (state.firstFailure === undefined || result.rate < state.firstFailure.rate) {
      state.firstFailure = result;
    }
  };
  // Up until something fails (or the ceiling)…
  let rate = round(Math.min(limits.startRate, limits.maxRate));
  while (state.firstFailure === undefined && probes.length < limits.maxProbes) {
    await attempt(rate);
    if (rate >= limits.maxRate) break;
    rate = round(Math.min(Math.max(rate * limits.growth, rate + STEP), limits.maxRate));
  }
  // …then halve the interval between the highest pass and the lowest failure.
  while (state.firstFailure !== undefined && probes.length < limits.maxProbes) {
    const low = state.best?.rate ?? 0;
    const high = state.firstFailure.rate;
    if (high - low <= STEP || (low > 0 && (high - low) / low <= limits.precision)) break;
    const next = round((low + high) / 2);
    if (next <= low || next >= high) break;
    await attempt(next);
  }
  return { best: state.best, firstFailure: state.firstFailure, probes };
}
