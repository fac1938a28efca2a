/**
 * The server's own MESSAGEs (sylk spec §2.7 rows A to D5) and the replicated copies for a sender's other devices:
 * a small UAC over the transaction layer. Standalone, a MESSAGE for an account goes to each of its registered
 * devices (the location service); behind a proxy it goes to the account's URI through the outbound proxy
 * (located by DNS when named by host name), which forks it. Final responses are logged (sylk spec §2.7 notes) and told to whoever asked (onFinal).
 */
import type { Logger } from 'pino';
import type { Locations } from '../registrar/locations.js';
import { deviceTargets, triesNextFlow } from '../routing/binding-target.js';
import type { LocalAddresses } from '../routing/local-addresses.js';
import type { NetworkTarget } from '../routing/proxy/forward-target.js';
import { type OutboundEnvironment, sendThroughServer } from '../routing/outbound-proxy.js';
import { outgoingRequest } from '../routing/proxy/outgoing-request.js';
import { SipHeaders } from '../sip/headers/header-list.js';
import { generateCallId, generateTag } from '../sip/message/ids.js';
import { SipRequest } from '../sip/message/message.js';
import type { TransactionLayer } from '../sip/transaction/transaction-layer.js';
import type { ClientTransactionHandler } from '../sip/transaction/types.js';
import type { MessageSource, SendTarget } from '../sip/transport/types.js';
import { parseUri, type SipUri, isSipUri } from '../sip/uri.js';
import type { Binding } from '../store/location/binding.js';
import { type OwnFinal, OwnFinalAnswer } from './own-final.js';

export interface OwnMessage {
  /** The AOR (`user@domain`) whose devices receive it: the Request-URI's user. */
  readonly deliverTo: string;
  /** From and To header URIs (`sip:…`). */
  readonly from: string;
  readonly to: string;
  readonly contentType: string;
  readonly body: string | Buffer;
  /** Besides the usual ones (X-Sylk-To-Sip: yes is always added). */
  readonly headers?: readonly (readonly [string, string])[] | undefined;
  /** Standalone: a device not to send to (the one the message came from). */
  readonly exceptSource?: MessageSource | undefined;
  /** Told once how the MESSAGE ended over all its devices (own-final.ts); without it finals are only logged. */
  readonly onFinal?: ((final: OwnFinal) => void) | undefined;
}

/** How the server's own MESSAGEs reach an account. */
export interface OwnMessageSender {
  /** Resolves once the requests are handed to the transaction layer; how many were sent. */
  send(message: OwnMessage): Promise<number>;
}

export interface UacOptions {
  readonly transactions: TransactionLayer;
  readonly local: LocalAddresses;
  readonly logger?: Logger | undefined;
}

/**
 * Standalone: to every registered device of the account (Request-URI = the device's Contact), one request per
 * device: the flows of an outbound device (RFC 5626) are tried one after the other (the next on 430 or when
 * the flow cannot be sent on), as the proxy does. The device a message came from is left out, all its flows
 * when its registration has a +sip.instance. An account of a domain not served is reached at `sip:{account}`,
 * its domain located by DNS (RFC 3263).
 */
export class DeviceMessageSender implements OwnMessageSender {
  constructor(
    private readonly options: UacOptions & {
      readonly locations: Locations;
      readonly outbound?: OutboundEnvironment | undefined;
    },
  ) {}

  async send(message: OwnMessage): Promise<number> {
    const at = message.deliverTo.lastIndexOf('@');
    const domain = message.deliverTo.slice(at + 1);
    if (this.options.outbound !== undefined && !this.options.local.isLocalDomain(domain))
      return this.#sendToDomain(message, this.options.outbound);
    const bindings = await this.options.locations.lookup(message.deliverTo);
    const except = message.exceptSource;
    const excluded = except === undefined ? [] : bindings.filter((binding) => sameDevice(binding, except));
    const instances = new Set(excluded.flatMap((binding) => binding.instanceId ?? []));
    const targets = deviceTargets(
      bindings.filter(
        (binding) =>
          !excluded.includes(binding) &&
          (binding.instanceId === undefined || !instances.has(binding.instanceId)),
      ),
    );
    const finals = message.onFinal === undefined ? undefined : new OwnFinalAnswer(message.onFinal);
    let sent = 0;
    for (const target of targets) {
      const flows = [target, ...(target.fallbacks ?? [])].filter((flow) => isSipUri(flow.uri));
      const first = flows[0]?.uri;
      if (first === undefined || !isSipUri(first)) continue;
      const request = buildRequest(message, first);
      const final = finalLogger(this.options, loggedFields(request), finals?.branch());
      if (dispatch(this.options, request, flows, final)) sent++;
      else final.onFailure('transport-error');
    }
    finals?.seal();
    return sent;
  }

  async #sendToDomain(message: OwnMessage, outbound: OutboundEnvironment): Promise<number> {
    const uri = parseUri(`sip:${message.deliverTo}`);
    if (uri === undefined || !isSipUri(uri)) {
      message.onFinal?.({ status: 416, reason: 'Unsupported URI Scheme' });
      return 0;
    }
    const finals = message.onFinal === undefined ? undefined : new OwnFinalAnswer(message.onFinal);
    const request = buildRequest(message, uri);
    const final = finalLogger(this.options, loggedFields(request), finals?.branch());
    finals?.seal();
    try {
      await sendThroughServer(outbound, uri, request, final);
      return 1;
    } catch (error) {
      this.options.logger?.warn({ ...loggedFields(request), err: error }, 'own MESSAGE not sent');
      final.onFailure('transport-error');
      return 0;
    }
  }
}

/**
 * Behind a proxy: to `sip:{account}` through the outbound proxy (a loose Route), which forks it. A proxy
 * named by host name is located by DNS (RFC 3263), its targets tried in turn.
 */
export class ProxyMessageSender implements OwnMessageSender {
  readonly #route: string;

  constructor(
    private readonly options: UacOptions & {
      readonly outboundProxy: SipUri;
      readonly outbound: OutboundEnvironment;
    },
  ) {
    this.#route = `<${withLr(options.outboundProxy)}>`;
  }

  async send(message: OwnMessage): Promise<number> {
    const uri = parseUri(`sip:${message.deliverTo}`);
    if (uri === undefined || !isSipUri(uri)) return 0;
    const request = buildRequest(message, uri);
    request.headers.add('Route', this.#route);
    const logged = loggedFields(request);
    const finals = message.onFinal === undefined ? undefined : new OwnFinalAnswer(message.onFinal);
    const final = finalLogger(this.options, logged, finals?.branch());
    finals?.seal();
    try {
      await sendThroughServer(this.options.outbound, this.options.outboundProxy, request, final);
      return 1;
    } catch (error) {
      this.options.logger?.warn({ ...logged, err: error }, 'own MESSAGE not sent');
      final.onFailure('transport-error');
      return 0;
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

function withLr(uri: SipUri): string {
  const text = uri.toString();
  return /;lr(?:[;=]|$)/i.test(text) ? text : `${text};lr`;
}

function buildRequest(message: OwnMessage, uri: SipUri): SipRequest {
  const headers = SipHeaders.of([
    ['Max-Forwards', '70'],
    ['From', `<${message.from}>;tag=${generateTag()}`],
    ['To', `<${message.to}>`],
    ['Call-ID', generateCallId()],
    ['CSeq', '1 MESSAGE'],
    ['Content-Type', message.contentType],
    ['X-Sylk-To-Sip', 'yes'],
    ...(message.headers ?? []),
  ]);
  const body = typeof message.body === 'string' ? Buffer.from(message.body, 'utf8') : message.body;
  return new SipRequest({ method: 'MESSAGE', uri, headers, body });
}

/**
 * Sends over the first of a device's flows that can be used; the next replaces one that answers 430 or fails
 * for any reason but a timeout (RFC 5626 §7, as the proxy does).
 */
function dispatch(
  options: UacOptions,
  base: SipRequest,
  flows: readonly NetworkTarget[],
  final: ClientTransactionHandler,
): boolean {
  const logged = loggedFields(base);
  const [target, ...rest] = flows;
  if (target === undefined) return false;
  const outgoing = outgoingRequest(base, target, options.local);
  if (outgoing === undefined) {
    if (rest.length > 0) return dispatch(options, base, rest, final);
    options.logger?.warn(logged, 'own MESSAGE has no route');
    return false;
  }
  const to: SendTarget = outgoing.target;
  const nextFlow = (): boolean => rest.length > 0 && dispatch(options, base, rest, final);
  try {
    options.transactions.sendRequest(outgoing.request, to, {
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
    options.logger?.warn({ ...logged, err: error }, 'own MESSAGE not sent');
    return false;
  }
}

type LoggedFields = Readonly<Record<string, string | undefined>>;

function loggedFields(request: SipRequest): LoggedFields {
  return { contentType: request.headers.get('Content-Type'), callId: request.headers.get('Call-ID') };
}

/** Final responses to the server's own MESSAGEs are logged (sylk spec §2.7 notes), and told to `next`. */
function finalLogger(
  options: UacOptions,
  logged: LoggedFields,
  next?: ClientTransactionHandler,
): ClientTransactionHandler {
  return {
    onResponse(response, source) {
      if (response.status >= 200)
        options.logger?.info({ ...logged, status: response.status }, 'own MESSAGE answered');
      next?.onResponse(response, source);
    },
    onFailure(reason) {
      options.logger?.info({ ...logged, reason }, 'own MESSAGE failed');
      next?.onFailure(reason);
    },
  };
}
