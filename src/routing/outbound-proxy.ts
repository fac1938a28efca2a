/**
 * A request of missive's own (the messaging application's MESSAGE, say) sent through a server named by URI
 * (an outbound proxy such as Kamailio's `sip:proxy.example.com`): the server is located by DNS (RFC 3263
 * §4), and each target is tried in turn (RFC 3263 §4.3) within one transaction's time, each attempt a copy of the
 * request with our Via (a fresh branch) for that target's transport. The Request-URI and Route headers are
 * the caller's: put the proxy in a Route (loose routing) if it should stay on the path.
 */
import { FailoverRequest, type FailoverTransactions } from '../sip/dns/failover.js';
import type { LocatedTransport, ServerLocator } from '../sip/dns/locator.js';
import { SipRequest } from '../sip/message/message.js';
import { pushVia } from '../sip/message/via-stack.js';
import type { ClientTransactionHandler } from '../sip/transaction/types.js';
import type { TransportProtocol } from '../sip/transport/types.js';
import type { SipUri } from '../sip/uri.js';
import type { Clock } from '../time/clock.js';
import type { ListeningPoint } from './local-addresses.js';
import { ourVia } from './proxy/outgoing-request.js';

/** What sending through a server needs; SipService.outbound has it. */
export interface OutboundEnvironment {
  readonly transactions: FailoverTransactions;
  readonly locator: ServerLocator;
  readonly clock: Clock;
  /** Our listening point per transport (for Via); a transport without one is not used. */
  readonly local: { pointFor(transport: TransportProtocol): ListeningPoint | undefined };
  /** The time all targets share: 64*T1. */
  readonly budgetMs: number;
}

const TRANSPORTS: readonly LocatedTransport[] = ['udp', 'tcp', 'tls'];

/**
 * Sends `request` (without a Via of ours: each attempt adds one) to the servers of `server`. The handler
 * gets the responses of the attempt that answered, or one failure: 'transport-error' when DNS found nothing
 * usable or every target failed that way, 'timeout' when the time ran out.
 */
export async function sendThroughServer(
  env: OutboundEnvironment,
  server: SipUri,
  request: SipRequest,
  handler: ClientTransactionHandler,
): Promise<void> {
  const transports = TRANSPORTS.filter((transport) => env.local.pointFor(transport) !== undefined);
  const failover = new FailoverRequest({
    transactions: env.transactions,
    clock: env.clock,
    budgetMs: env.budgetMs,
    prepare: (target) => {
      const point = env.local.pointFor(target.transport);
      if (point === undefined) return undefined;
      const copy = new SipRequest({
        method: request.method,
        uri: request.uri,
        headers: request.headers.clone(),
        body: request.body,
      });
      pushVia(copy.headers, ourVia(point));
      return copy;
    },
    handler,
  });
  failover.start(await env.locator.locate(server, transports));
}
