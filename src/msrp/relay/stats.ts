/** Counters for the metrics view and the logs. */
export class RelayStats {
  sessionsCreated = 0;
  sessionsBound = 0;
  authFailures = 0;
  bytesRelayed = 0;
  protocolErrors = 0;
}
