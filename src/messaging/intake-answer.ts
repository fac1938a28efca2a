/** A final status the SIP way (RFC 3261 §21): what the intake answers, the SIP adapter's words. */
export interface IntakeAnswer {
  readonly status: number;
  readonly reason?: string | undefined;
}
