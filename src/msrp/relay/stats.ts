/** Counters for the metrics view and the logs; they only grow, each through the event that counts it. */
export class RelayStats {
  #sessionsCreated = 0;
  #sessionsBound = 0;
  #authFailures = 0;
  #bytesWritten = 0;
  #protocolErrors = 0;
  #connectionsAccepted = 0;

  get sessionsCreated(): number {
    return this.#sessionsCreated;
  }

  get sessionsBound(): number {
    return this.#sessionsBound;
  }

  get authFailures(): number {
    return this.#authFailures;
  }

  get bytesWritten(): number {
    return this.#bytesWritten;
  }

  get protocolErrors(): number {
    return this.#protocolErrors;
  }

  get connectionsAccepted(): number {
    return this.#connectionsAccepted;
  }

  sessionCreated(): void {
    this.#sessionsCreated++;
  }

  sessionBound(): void {
    this.#sessionsBound++;
  }

  authFailed(): void {
    this.#authFailures++;
  }

  wrote(bytes: number): void {
    this.#bytesWritten += bytes;
  }

  protocolError(): void {
    this.#protocolErrors++;
  }

  connectionAccepted(): void {
    this.#connectionsAccepted++;
  }
}
