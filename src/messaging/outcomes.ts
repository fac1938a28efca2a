/**
 * What the messaging service did with each MESSAGE, for whoever counts (the server's metrics): an
 * interface, so that messaging knows nothing of how it is counted.
 */
import type { IntakeAnswer } from './intake-answer.js';

export interface MessageOutcomes {
  /** A new message (or IMDN, or key) written to the journals. */
  stored(): void;
  /** A retry of a message already stored (same Message-ID, sylk spec §8.20): answered, not stored again. */
  duplicate(): void;
  /** Refused with this SIP answer (admission.ts, or a storage failure). */
  refused(answer: IntakeAnswer): void;
}
