/**
 * The intake's SIP answers (RFC 3261 §21, as admission.ts gives them) in the service's words, for adapters
 * that do not speak SIP.
 */
import type { IntakeAnswer } from './intake-answer.js';
import type { ServiceRefusal } from './service.js';

export function refusalOf(answer: IntakeAnswer): ServiceRefusal {
  const reason = answer.reason ?? 'Refused';
  if (answer.status === 413) return { kind: 'too-large', reason };
  if (answer.status === 480 || reason === 'Journal Quota Exceeded') return { kind: 'quota', reason };
  if (reason === 'Too Many Messages') return { kind: 'rate-limited', reason };
  if (answer.status === 403) return { kind: 'forbidden', reason };
  if (answer.status === 404) return { kind: 'not-found', reason };
  if (answer.status >= 500) return { kind: 'unavailable', reason };
  return { kind: 'invalid', reason };
}
