/**
 * What routing offers a local application for requests of its own (the messaging service's MESSAGEs): the
 * application builds the request, routing finds where it goes and sends it. Two ways:
 *
 * - toDevices: one request per registered device of an AOR (its Contact as Request-URI, over its flow or Path),
 *   the flows of an outbound device tried one after the other (the next on 430 or when the flow cannot be
 *   sent on, RFC 5626 §7), as the proxy does for its branches; the device a request came from is left out, all
 *   its flows when its registration has a +sip.instance.
 * - throughServer: to a server named by URI (an outbound proxy, another domain), located by DNS (RFC 3263 §4)
 *   and its targets tried in turn (RFC 3263 §4.3); the Request-URI and Route are the caller's.
 *
 * The application sees final answers through its ClientTransactionHandler; it knows nothing of bindings,
 * flows, Via or DNS.
 */
import type { Logger } from 'pino';
import type { Locations } from '../registrar/locations.js';
import type { SipRequest } from '../sip/message/message.js';
import type { ClientTransactionHandler } from '../sip/transaction/types.js';
import type { TransactionLayer } from '../sip/transaction/transaction-layer.js';
import type { MessageSource, SendTarget } from '../sip/transport/types.js';
import { isSipUri, type SipUri } from '../sip/uri.js';
import type { Binding } from '../store/location/binding.js';
import { deviceTargets, triesNextFlow } from './binding-target.js';
import type { LocalAddresses } from './local-addresses.js';
import { type OutboundEnvironment, sendThroughServer } from './outbound-proxy.js';
import type { NetworkTarget } from './proxy/forward-target.js';
import { outgoingRequest } from './proxy/outgoing-request.js';

export interface OutboundRequests {
  /**
   * A request per registered device of `aor` (`user@domain`), built by `build` for the device's Request-URI;
   * `handler` gives each device's transaction its handler. Resolves with how many devices it went to.
   */
  toDevices(
    aor: string,
    build: (uri: SipUri) => SipRequest,
    handler: () => ClientTransactionHandler,
    except?: MessageSource,
  ): Promise<number>;
  /** Rejects when DNS found nothing usable before any attempt (the handler is not told then). */
  throughServer(server: SipUri, request: SipRequest, handler: ClientTransactionHandler): Promise<void>;
  /** Whether missive is the registrar of `domain` (its users are reached by toDevices). */
  isLocalDomain(domain: string): boolean;
}

export interface ProxyOutboundOptions {
  readonly transactions: TransactionLayer;
  readonly local: LocalAddresses;
  readonly locations: Locations;
  readonly outbound: OutboundEnvironment;
  readonly logger?: Logger | undefined;
}

export class ProxyOutbound implements OutboundRequests {
  readonly #options: ProxyOutboundOptions;

  constructor(options: ProxyOutboundOptions) {
    this.#options = options;
  }

  async toDevices(
    aor: string,
    build: (uri: SipUri) => SipRequest,
    handler: () => ClientTransactionHandler,
    except?: MessageSource,
  ): Promise<number> {
    const bindings = await this.#options.locations.lookup(aor);
    const excluded = except === undefined ? [] : bindings.filter((binding) => sameDevice(binding, except));
    const instances = new Set(excluded.flatMap((binding) => binding.instanceId ?? []));
    const targets = deviceTargets(
      bindings.filter(
        (binding) =>
          !excluded.includes(binding) &&
          (binding.instanceId === undefined || !instances.has(binding.instanceId)),
      ),
    );
    let sent = 0;
    for (const target of targets) {
      const flows = [target, ...(target.fallbacks ?? [])].filter((flow) => isSipUri(flow.uri));
      const first = flows[0]?.uri;
      if (first === undefined || !isSipUri(first)) continue;
      const final = handler();
      if (this.#dispatch(build(first), flows, final)) sent++;
      else final.onFailure('transport-error');
    }
    return sent;
  }

  throughServer(server: SipUri, request: SipRequest, handler: ClientTransactionHandler): Promise<void> {
    return sendThroughServer(this.#options.outbound, server, request, handler);
  }

  isLocalDomain(domain: string): boolean {
    return this.#options.local.isLocalDomain(domain);
  }

  /**
   * Sends over the first of a device's flows that can be used; the next replaces one that answers 430 or
   * fails for any reason but a timeout (RFC 5626 §7, as the proxy does).
   */
  #dispatch(base: SipRequest, flows: readonly NetworkTarget[], final: ClientTransactionHandler): boolean {
    const [target, ...rest] = flows;
    if (target === undefined) return false;
    const outgoing = outgoingRequest(base, target, this.#options.local);
    if (outgoing === undefined) {
      if (rest.length > 0) return this.#dispatch(base, rest, final);
      this.#options.logger?.warn({ callId: base.headers.get('Call-ID') }, 'request of our own has no route');
      return false;
    }
    const to: SendTarget = outgoing.target;
    const nextFlow = (): boolean => rest.length > 0 && this.#dispatch(base, rest, final);
    try {
      this.#options.transactions.sendRequest(outgoing.request, to, {
        onResponse(response, source) {
          if (triesNextFlow(response) && nextFlow()) return;
          final.onResponse(response, source);
        },
        onFailure(reason) {
          if (triesNextFlow(reason) && nextFlow()) return;
          final.onFailure(reason);
        },
      });
      return true;
    } catch (error) {
      if (nextFlow()) return true;
      this.#options.logger?.warn(
        { err: error, callId: base.headers.get('Call-ID') },
        'request of our own not sent',
      );
      return false;
    }
  }
}

/** Whether a registration is the device a request came from (same flow). */
export function sameDevice(binding: Binding, source: MessageSource): boolean {
  const flow = binding.source;
  if (flow.connectionId !== undefined && source.connectionId !== undefined)
    return flow.connectionId === source.connectionId;
  return flow.transport === source.transport && flow.host === source.host && flow.port === source.port;
}
