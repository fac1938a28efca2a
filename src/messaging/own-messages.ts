/**
 * The server's own MESSAGEs (sylk spec §2.7 rows A to D5) and the replicated copies for a sender's other
 * devices, sent through routing's outbound interface (routing/outbound-requests.ts). Standalone, a MESSAGE for
 * an account goes to each of its registered devices, and for an account of another domain to that domain
 * (located by DNS); behind a proxy it goes to the account's URI through the outbound proxy, which forks it.
 * Final responses are logged (sylk spec §2.7 notes) and told to whoever asked (onFinal).
 */
import type { Logger } from 'pino';
import type { OutboundRequests } from '../routing/outbound-requests.js';
import { SipHeaders } from '../sip/headers/header-list.js';
import { generateCallId, generateTag } from '../sip/message/ids.js';
import { SipRequest } from '../sip/message/message.js';
import type { ClientTransactionHandler } from '../sip/transaction/types.js';
import type { MessageSource } from '../sip/transport/types.js';
import { isSipUri, parseUri, type SipUri } from '../sip/uri.js';
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

export interface OwnMessageOptions {
  readonly requests: OutboundRequests;
  readonly logger?: Logger | undefined;
}

/**
 * Standalone: to every registered device of the account, one request per device (each with its own Call-ID
 * and From tag); an account of a domain not served is reached at `sip:{account}`, its domain located by DNS.
 */
export class DeviceMessageSender implements OwnMessageSender {
  readonly #options: OwnMessageOptions;

  constructor(options: OwnMessageOptions) {
    this.#options = options;
  }

  async send(message: OwnMessage): Promise<number> {
    const { requests } = this.#options;
    const domain = message.deliverTo.slice(message.deliverTo.lastIndexOf('@') + 1);
    if (!requests.isLocalDomain(domain)) {
      const uri = parseUri(`sip:${message.deliverTo}`);
      if (uri === undefined || !isSipUri(uri)) {
        message.onFinal?.({ status: 416, reason: 'Unsupported URI Scheme' });
        return 0;
      }
      return sendThrough(this.#options, uri, buildRequest(message, uri), message);
    }
    const finals = message.onFinal === undefined ? undefined : new OwnFinalAnswer(message.onFinal);
    const sent = await requests.toDevices(
      message.deliverTo,
      (uri) => buildRequest(message, uri),
      () => finalLogger(this.#options, message, finals?.branch()),
      message.exceptSource,
    );
    finals?.seal();
    return sent;
  }
}

/**
 * Behind a proxy: to `sip:{account}` through the outbound proxy (a loose Route), which forks it. A proxy
 * named by host name is located by DNS (RFC 3263), its targets tried in turn.
 */
export class ProxyMessageSender implements OwnMessageSender {
  readonly #options: OwnMessageOptions & { readonly outboundProxy: SipUri };
  readonly #route: string;

  constructor(options: OwnMessageOptions & { readonly outboundProxy: SipUri }) {
    this.#options = options;
    this.#route = `<${withLr(options.outboundProxy)}>`;
  }

  async send(message: OwnMessage): Promise<number> {
    const uri = parseUri(`sip:${message.deliverTo}`);
    if (uri === undefined || !isSipUri(uri)) return 0;
    const request = buildRequest(message, uri);
    request.headers.add('Route', this.#route);
    return sendThrough(this.#options, this.#options.outboundProxy, request, message);
  }
}

async function sendThrough(
  options: OwnMessageOptions,
  server: SipUri,
  request: SipRequest,
  message: OwnMessage,
): Promise<number> {
  const finals = message.onFinal === undefined ? undefined : new OwnFinalAnswer(message.onFinal);
  const final = finalLogger(options, message, finals?.branch(), request);
  finals?.seal();
  try {
    await options.requests.throughServer(server, request, final);
    return 1;
  } catch (error) {
    options.logger?.warn({ ...loggedFields(request), err: error }, 'own MESSAGE not sent');
    final.onFailure('transport-error');
    return 0;
  }
}

/** The URI as a loose-routing Route entry (RFC 3261 §16.12): `;lr` added when missing. */
export function withLr(uri: SipUri): string {
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

type LoggedFields = Readonly<Record<string, string | undefined>>;

function loggedFields(request: SipRequest | undefined, message?: OwnMessage): LoggedFields {
  return {
    contentType: request?.headers.get('Content-Type') ?? message?.contentType,
    callId: request?.headers.get('Call-ID'),
  };
}

/** Final responses to the server's own MESSAGEs are logged (sylk spec §2.7 notes), and told to `next`. */
function finalLogger(
  options: OwnMessageOptions,
  message: OwnMessage,
  next: ClientTransactionHandler | undefined,
  request?: SipRequest,
): ClientTransactionHandler {
  const logged = loggedFields(request, message);
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
