/**
 * The process's one login limiter as one protocol sees it, counting that protocol's failed logins: SIP,
 * MSRP and sylkRTC each get their own view of the same limiter, so a failure still costs the same
 * everywhere (auth/login-limiter.ts) while the metrics say where it happened.
 */
import type { LoginGate } from '../../auth/login-limiter.js';

export function countedLoginGate(gate: LoginGate, onFailure: () => void): LoginGate {
  return {
    check: (source, account) => gate.check(source, account),
    recordFailure: (source, account, accountExists) => {
      onFailure();
      gate.recordFailure(source, account, accountExists);
    },
    recordSuccess: (source, account) => {
      gate.recordSuccess(source, account);
    },
  };
}
