/** Counters for the metrics view and the logs; they only grow. */
export class RelayStats {
  sessionsCreated = 0;
  sessionsBound = 0;
  authFailures = 0;
  bytesWritten = 0;
  protocolErrors = 0;
  connectionsAccepted = 0;
}
