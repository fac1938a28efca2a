/**
 * RFC 3261 §17.1.1.1 and Table 4: T1 (RTT estimate), T2 (longest retransmit interval for non-INVITE requests
 * and INVITE responses) and T4 (how long a message can stay in the network). The other timers derive from them.
 */
export interface TransactionTimers {
  readonly t1: number;
  readonly t2: number;
  readonly t4: number;
}

export const DEFAULT_TIMERS: TransactionTimers = { t1: 500, t2: 4000, t4: 5000 };

/** Timers B, F, H, J, L and M: how long a transaction waits before it gives up. */
export function transactionTimeout(timers: TransactionTimers): number {
  return 64 * timers.t1;
}

/** The next retransmit interval: doubled each time, capped at T2 (Timers E and G; A doubles uncapped). */
export function nextInterval(interval: number, timers: TransactionTimers, capped = true): number {
  return capped ? Math.min(interval * 2, timers.t2) : interval * 2;
}
