/**
 * The standalone proxy's routing policy: the transaction user of missive's SIP stack. In order, per request:
 * CANCEL matching (RFC 3261 §16.10), Max-Forwards (RFC 3261 §16.3), Proxy-Require, route processing (RFC 3261 §16.4); then in-dialog
 * requests follow their route set, REGISTER goes to the registrar, OPTIONS for the server is answered, and
 * INVITE/MESSAGE/OPTIONS for a local user are authenticated (407; trusted peers excepted) and forked to every
 * registered device (for the methods the local application claims, once it has decided: it may refuse the
 * request, take it alone, or take a branch next to the devices; it may take a branch of a request leaving for
 * another domain too: local-application.ts). A request of a dialog the proxy is not on gets 481; anything else 405/501.
 *
 * What anyone can provoke from a spoofed address is answered statelessly (ServerTransaction.respondStatelessly,
 * as Kamailio's sl_send_reply): the refusals made before the sender is authenticated (the 407 challenge, bad
 * credentials, a lockout, 403 for a sender domain not served, 483, 420, 481, 405/501), the registrar's 401
 * challenge and the 200 to an OPTIONS for the server. Each costs one response per request received and no
 * memory; above all an INVITE's final response is not retransmitted 10 more times towards a spoofed source.
 * Once the sender is authenticated, answers are stateful: the request is real, and a retransmission must not
 * be judged again (its nonce count was used, RFC 7616 §3.4.5).
 * The credentials for our realms are removed from everything forwarded (RFC 3261 §22.3).
 */
import type { Logger } from 'pino';
import { createResponse } from '../sip/message/create-response.js';
import type { SipRequest, SipResponse } from '../sip/message/message.js';
import { getMaxForwards } from '../sip/headers/numeric.js';
import { getFrom, getTo } from '../sip/headers/name-addr.js';
import { getNameAddrs } from '../sip/headers/name-addr.js';
import { unsupportedOptionTags } from '../sip/message/extensions.js';
import type { TransactionLayer, TransactionUser } from '../sip/transaction/transaction-layer.js';
import type { ServerTransaction, TransactionTransport } from '../sip/transaction/types.js';
import type { MessageSource } from '../sip/transport/types.js';
import { isSipUri } from '../sip/uri.js';
import type { Clock } from '../time/clock.js';
import type { ServerLocator } from '../sip/dns/locator.js';
import type { RequestAuthenticator } from '../registrar/options.js';
import { aorOfUri } from '../registrar/aor.js';
import type { Locations } from '../registrar/locations.js';
import type { CredentialStore } from '../credentials/store.js';
import { deviceTargets } from './binding-target.js';
import { aliasContact } from './contact-alias.js';
import type { LocalAddresses } from './local-addresses.js';
import type { LocalApplication, RoutedSender } from './local-application.js';
import { optionsResponse, ROUTED_METHODS, unroutableInDialog, unsupportedMethod } from './methods.js';
import type { ForwardTarget, LocalTarget } from './proxy/forward-target.js';
import { ProxyContext } from './proxy/proxy-context.js';
import { consumeOwnRoutes } from './record-route.js';
import { forwardStatelessly, forwardStrayResponse } from './stateless.js';
import type { TrustedPeers } from './trusted-peers.js';
import type { SleepingDevices } from './sleeping-devices.js';
import { consumeOwnCredentials } from '../sip/auth/consume-credentials.js';

/** Where REGISTER requests go (the registrar, registrar/registrar.ts). */
export interface RegisterHandler {
  handle(request: SipRequest, source: MessageSource): Promise<SipResponse>;
}

export interface RouterOptions {
  readonly transactions: TransactionLayer;
  readonly transport: TransactionTransport;
  readonly local: LocalAddresses;
  readonly clock: Clock;
  readonly registrar: RegisterHandler;
  readonly locations: Locations;
  readonly authenticator: RequestAuthenticator;
  /** To tell an unknown user (404) from one with no device online (480). */
  readonly subscribers: CredentialStore;
  readonly trustedPeers: TrustedPeers;
  /** The local application (the messaging service's SIP adapter) that decides on the methods it claims. */
  readonly application?: LocalApplication | undefined;
  /** RFC 8599: devices asleep (push parameters, flow gone) are woken and waited for; without it, forwarded as any. */
  readonly sleepingDevices?: SleepingDevices | undefined;
  /** Finds the servers of a next hop named by host name (RFC 3263); without one the transport resolves A. */
  readonly locator?: ServerLocator | undefined;
  /** 64*T1: the time a request toward a located next hop has for all its targets. */
  readonly failoverBudgetMs?: number | undefined;
  readonly logger?: Logger | undefined;
}

/** Requests that start a dialog, which the proxy stays on the path of. */
const DIALOG_CREATING: ReadonlySet<string> = new Set(['INVITE', 'SUBSCRIBE', 'REFER']);
/** Option tags a request may require of this proxy (Proxy-Require). */
const PROXY_OPTION_TAGS: ReadonlySet<string> = new Set<string>();
const SUPPORTED = ['path', 'outbound'];

export class Router implements TransactionUser {
  readonly #contexts = new WeakMap<ServerTransaction, ProxyContext>();

  readonly #options: RouterOptions;

  constructor(options: RouterOptions) {
    this.#options = options;
  }

  onRequest(transaction: ServerTransaction): void {
    this.#route(transaction).catch((error: unknown) => {
      this.#options.logger?.error({ err: error, method: transaction.request.method }, 'routing failed');
      if (!transaction.finished) transaction.respond(createResponse(transaction.request, 500));
    });
  }

  onAck(request: SipRequest, source: MessageSource): void {
    // The ACK of a 2xx the application's user agent sent ends there (RFC 3261 §13.3.1.4).
    if (this.#options.application?.userAgent?.inDialog(request) === 'absorbed') return;
    const routed = consumeOwnRoutes(request, this.#options.local);
    if (!routed || !decrementMaxForwards(request)) return;
    // The ACK of a 2xx carries the INVITE's credentials (RFC 3261 §22.1): they stop here too.
    this.#consumeCredentials(request);
    this.#aliasFromUserAgent(request, source);
    forwardStatelessly(request, this.#options.transport, this.#options.local, this.#options.locator).catch(
      (error: unknown) => {
        this.#options.logger?.debug({ err: error }, 'ACK not forwarded');
      },
    );
  }

  onStrayResponse(response: SipResponse): void {
    forwardStrayResponse(response, this.#options.transport, this.#options.local).catch((error: unknown) => {
      this.#options.logger?.debug({ err: error }, 'stray response not forwarded');
    });
  }

  async #route(transaction: ServerTransaction): Promise<void> {
    const { request, source } = transaction;
    const refuse = (response: SipResponse): void => {
      transaction.respondStatelessly(response);
    };
    if (request.method === 'CANCEL') {
      this.#cancel(transaction);
      return;
    }
    if (!decrementMaxForwards(request)) {
      if (request.method === 'OPTIONS' && this.#forUs(request))
        transaction.respondStatelessly(optionsResponse(request, SUPPORTED));
      else refuse(createResponse(request, 483));
      return;
    }
    const unsupported = unsupportedOptionTags(request.headers, 'Proxy-Require', PROXY_OPTION_TAGS);
    if (unsupported.length > 0) {
      const response = createResponse(request, 420);
      response.headers.add('Unsupported', unsupported.join(', '));
      refuse(response);
      return;
    }
    const routedToUs = consumeOwnRoutes(request, this.#options.local);
    const own = this.#options.application?.userAgent?.inDialog(request);
    if (own !== undefined) {
      if (own !== 'absorbed') transaction.respond(own);
      return;
    }
    if (getTo(request.headers)?.tag !== undefined) {
      if (routedToUs) this.#proxy(transaction, [{ kind: 'network', uri: request.uri, locate: true }]);
      else refuse(unroutableInDialog(request));
      return;
    }
    // Every REGISTER outside a dialog is the registrar's, whichever domain it names: for one not served, the
    // registrar's own 404 Domain Not Served (RFC 3261 §10.3 step 1), not a 405 whose Allow lists REGISTER.
    // That step's SHOULD (a registrar that is also a proxy forwards it to the addressed domain) is not
    // taken: missive relays off-domain only for its own authenticated users, and a REGISTER for another
    // domain is that domain's user's, so forwarding it would make missive an open relay for registrations.
    if (request.method === 'REGISTER') {
      const response = await this.#options.registrar.handle(request, source);
      // The challenge is what anyone gets: no Timer J record for each REGISTER of a spoofed flood.
      if (response.status === 401) transaction.respondStatelessly(response);
      else transaction.respond(response);
      // After the 2xx is on its way: a request waiting for this device reaches it after its REGISTER's answer.
      if (response.status >= 200 && response.status < 300) this.#registered(request);
      return;
    }
    if (request.method === 'OPTIONS' && this.#forUs(request) && !hasUser(request)) {
      // A ping anyone may send (Kamailio answers it with sl_send_reply too): no record kept.
      transaction.respondStatelessly(optionsResponse(request, SUPPORTED));
      return;
    }
    if (!ROUTED_METHODS.has(request.method)) {
      refuse(unsupportedMethod(request));
      return;
    }
    if (await this.#answeredByApplication(transaction)) return;
    const sender = await this.#identify(transaction);
    if (sender === undefined) return;
    const preloaded = (getNameAddrs(request.headers, 'Route')?.length ?? 0) > 0;
    const userAgent = this.#options.application?.userAgent;
    if (request.method === 'INVITE' && !preloaded && userAgent !== undefined && this.#forTheServer(request)) {
      transaction.respond(await userAgent.invite(request, sender, transaction.source));
      return;
    }
    if (preloaded || !this.#forUs(request)) {
      // Toward another domain or along a preloaded route: #identify let only our users and trusted peers here.
      const targets: ForwardTarget[] = [{ kind: 'network', uri: request.uri, locate: true }];
      const senderCopy = this.#forUs(request) ? undefined : this.#senderCopyBranch(transaction, sender);
      if (senderCopy !== undefined) targets.push(senderCopy);
      this.#proxy(transaction, targets);
      return;
    }
    await this.#toLocalUser(transaction, sender);
  }

  async #toLocalUser(transaction: ServerTransaction, sender: RoutedSender): Promise<void> {
    const { request } = transaction;
    const recipient = aorOfUri(request.uri);
    if (recipient === undefined) {
      transaction.respond(createResponse(request, 404));
      return;
    }
    const devices = await this.#options.locations.lookupUri(request.uri);
    // A user with a registered device exists; only without one is the subscriber table asked (404 or 480).
    if (
      devices.length === 0 &&
      (await this.#options.subscribers.lookup(recipient.user, recipient.domain)) === undefined
    ) {
      transaction.respond(createResponse(request, 404));
      return;
    }
    let targets: ForwardTarget[] =
      this.#options.sleepingDevices?.targets(devices, request) ?? deviceTargets(devices);
    const application = this.#options.application;
    if (application?.methods.has(request.method) === true) {
      // The application decides before any branch starts: what it refuses reaches no device.
      const decision = await application.decide({
        request,
        sender,
        recipient,
        devices,
        source: transaction.source,
      });
      if (decision.kind === 'refuse') {
        transaction.respond(createResponse(request, decision.answer.status, decision.answer.reason));
        return;
      }
      targets = decision.kind === 'serve' ? [decision.branch] : [...targets, decision.branch];
    }
    this.#options.logger?.debug(
      {
        method: request.method,
        to: recipient.key,
        branches: targets.length,
        callId: request.headers.get('Call-ID'),
      },
      'forking',
    );
    this.#proxy(transaction, targets);
  }

  #registered(request: SipRequest): void {
    const to = getTo(request.headers);
    const aor = to === undefined ? undefined : aorOfUri(to.uri);
    if (aor !== undefined) this.#options.sleepingDevices?.registered(aor.key);
  }

  /** A local user's MESSAGE to another domain: the application keeps the sender's copy once it is taken there. */
  #senderCopyBranch(transaction: ServerTransaction, sender: RoutedSender): LocalTarget | undefined {
    const { request, source } = transaction;
    const application = this.#options.application;
    if (application?.methods.has(request.method) !== true || sender.kind !== 'authenticated')
      return undefined;
    const recipient = aorOfUri(request.uri);
    if (recipient === undefined) return undefined;
    return application.outgoingBranchFor?.({ request, sender: sender.aor, recipient, source });
  }

  /** Behind a proxy: a trusted peer's request that is for the application itself is answered by it. */
  async #answeredByApplication(transaction: ServerTransaction): Promise<boolean> {
    const { request, source } = transaction;
    const application = this.#options.application;
    if (application?.answerTrusted === undefined || !application.methods.has(request.method)) return false;
    if (!this.#options.trustedPeers.has(source.host)) return false;
    const answer = await application.answerTrusted(request, source);
    if (answer === undefined) return false;
    transaction.respond(createResponse(request, answer.status, answer.reason));
    return true;
  }

  /** The sender as authenticated, or trusted by address; undefined when the request has been answered. */
  async #identify(transaction: ServerTransaction): Promise<RoutedSender | undefined> {
    const { request, source } = transaction;
    const from = getFrom(request.headers);
    const claimed = from === undefined ? undefined : aorOfUri(from.uri);
    // A trusted peer authenticated the sender itself: its From is the identity it asserts.
    if (this.#options.trustedPeers.has(source.host)) return { kind: 'trusted', asserted: claimed };
    if (claimed === undefined || !this.#options.local.isLocalDomain(claimed.domain)) {
      transaction.respondStatelessly(createResponse(request, 403, 'Sender Domain Not Served'));
      return undefined;
    }
    const outcome = await this.#options.authenticator.authenticate(request, {
      realm: claimed.domain,
      kind: 'proxy',
      sourceAddress: source.host,
    });
    if (outcome.kind === 'rejected') {
      // A challenge, bad credentials, a lockout: nothing is known of the sender yet.
      transaction.respondStatelessly(outcome.response);
      return undefined;
    }
    // Checked, so consumed (RFC 3261 §22.3), before any branch or application sees the request.
    this.#consumeCredentials(request);
    if (outcome.identity.username !== claimed.user) {
      transaction.respond(createResponse(request, 403, 'From Does Not Match Credentials'));
      return undefined;
    }
    return { kind: 'authenticated', aor: claimed };
  }

  #proxy(transaction: ServerTransaction, targets: readonly ForwardTarget[]): void {
    const { request, source } = transaction;
    const recordRoute = DIALOG_CREATING.has(request.method)
      ? this.#options.local.pointFor(source.transport)
      : undefined;
    // In-dialog requests are not authenticated here, but credentials for our realms are for no one further on.
    this.#consumeCredentials(request);
    this.#aliasFromUserAgent(request, source);
    const context = new ProxyContext(
      {
        transactions: this.#options.transactions,
        local: this.#options.local,
        clock: this.#options.clock,
        locator: this.#options.locator,
        failoverBudgetMs: this.#options.failoverBudgetMs,
        onDownstreamResponse: (response, from) => {
          if (this.#cameFromUserAgent(response)) aliasContact(response.headers, from);
        },
        onLocalError: (error, target) => {
          this.#options.logger?.error({ err: error, target: target.name }, 'application branch failed');
        },
      },
      transaction,
      { recordRoute },
    );
    if (request.method === 'INVITE') this.#contexts.set(transaction, context);
    context.start(request, targets);
  }

  #cancel(transaction: ServerTransaction): void {
    const invite = this.#options.transactions.findInvite(transaction.request);
    const context = invite === undefined ? undefined : this.#contexts.get(invite);
    if (context === undefined) {
      transaction.respondStatelessly(createResponse(transaction.request, 481));
      return;
    }
    transaction.respond(createResponse(transaction.request, 200));
    context.cancel();
  }

  /** Removes the Proxy-Authorization and Authorization values for the domains served (their realms). */
  #consumeCredentials(request: SipRequest): void {
    consumeOwnCredentials(request.headers, (realm) => this.#options.local.isLocalDomain(realm));
  }

  /** Whether the Request-URI names this server or one of its domains. */
  #forUs(request: SipRequest): boolean {
    return isSipUri(request.uri) && this.#options.local.isLocalUri(request.uri);
  }

  /** Whether the Request-URI names the server itself: one of our addresses or domains, without a user. */
  #forTheServer(request: SipRequest): boolean {
    return this.#forUs(request) && !hasUser(request);
  }

  /** A request straight from a user agent (one Via) whose Contact does not lead back to it gets our alias. */
  #aliasFromUserAgent(request: SipRequest, source: MessageSource): void {
    if (request.headers.values('Via').length === 1) aliasContact(request.headers, source);
  }

  /** A response came straight from the user agent when the topmost Record-Route is ours (or there is none). */
  #cameFromUserAgent(response: SipResponse): boolean {
    const top = getNameAddrs(response.headers, 'Record-Route')?.[0];
    if (top === undefined) return true;
    return (
      isSipUri(top.uri) && this.#options.local.isListeningAddress(top.uri.host, top.uri.port, top.uri.secure)
    );
  }
}

/** Decrements Max-Forwards (adding 70 when absent); false when it was already 0 (RFC 3261 §16.3 step 3). */
function decrementMaxForwards(request: SipRequest): boolean {
  const current = getMaxForwards(request.headers);
  if (current === 0) return false;
  const next = String((current ?? 71) - 1);
  // One field, as every sender writes it: changed in place (set() would search, delete and splice).
  if (current === undefined || request.headers.count('Max-Forwards') > 1)
    request.headers.set('Max-Forwards', next);
  else request.headers.setFirst('Max-Forwards', next);
  return true;
}

function hasUser(request: SipRequest): boolean {
  return isSipUri(request.uri) && request.uri.user !== undefined;
}
