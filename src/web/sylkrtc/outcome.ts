/** What executing one request comes to (sylk spec §1.3 rules 5, 6), and the frames a connection sends. */

/** A JSON object sent to the client (an interface of known fields, or a record). */
export type Frame = object;

export type Outcome =
  /**
   * `ack`, then `afterAck` (events of asynchronous work: sync results, registration states), which the
   * connection awaits before it takes the next request, so that a later request sees its effect.
   */
  | { readonly kind: 'ack'; readonly afterAck?: (() => Promise<void>) | undefined }
  | { readonly kind: 'error'; readonly error: string };

export const ACK: Outcome = { kind: 'ack' };

export function refused(error: string): Outcome {
  return { kind: 'error', error };
}

/** The reference's text for any unexpected failure (sylk spec §1.3 rule 5). */
export const INTERNAL_ERROR = 'Internal error';

export function ackFrame(transaction: string): Frame {
  return { transaction, sylkrtc: 'ack' };
}

export function errorFrame(transaction: unknown, error: string): Frame {
  return { transaction, sylkrtc: 'error', error };
}

export const READY_FRAME: Frame = { sylkrtc: 'ready-event' };
