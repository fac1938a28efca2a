/** The relay's state and counters in Prometheus text format. */
import type { PeerState } from './peer.js';
import type { RelayStats } from './stats.js';

export interface RelaySnapshot {
  readonly stats: RelayStats;
  readonly connectionsByState: ReadonlyMap<PeerState, number>;
  readonly unboundSessions: number;
}

const STATES: readonly PeerState[] = ['NEW', 'UNBOUND', 'CONNECTING', 'ESTABLISHED', 'DISCONNECTING'];

export function renderRelayMetrics(snapshot: RelaySnapshot): string {
  const { stats } = snapshot;
  const lines = [
    '# HELP msrp_relay_connections Connections by state.',
    '# TYPE msrp_relay_connections gauge',
    ...STATES.map(
      (state) => `msrp_relay_connections{state="${state}"} ${snapshot.connectionsByState.get(state) ?? 0}`,
    ),
    '# HELP msrp_relay_unbound_sessions Authenticated sessions waiting for their first SEND.',
    '# TYPE msrp_relay_unbound_sessions gauge',
    `msrp_relay_unbound_sessions ${snapshot.unboundSessions}`,
    ...counter('msrp_relay_connections_accepted_total', 'Connections accepted.', stats.connectionsAccepted),
    ...counter(
      'msrp_relay_sessions_created_total',
      'Sessions created by a successful AUTH.',
      stats.sessionsCreated,
    ),
    ...counter('msrp_relay_sessions_bound_total', 'Sessions bound to their other side.', stats.sessionsBound),
    ...counter(
      'msrp_relay_auth_failures_total',
      'Failed AUTH attempts (wrong credentials).',
      stats.authFailures,
    ),
    ...counter(
      'msrp_relay_protocol_errors_total',
      'Connections closed for a protocol error.',
      stats.protocolErrors,
    ),
    ...counter('msrp_relay_bytes_written_total', 'Bytes written to all connections.', stats.bytesWritten),
  ];
  return `${lines.join('\n')}\n`;
}

function counter(name: string, help: string, value: number): string[] {
  return [`# HELP ${name} ${help}`, `# TYPE ${name} counter`, `${name} ${value}`];
}
