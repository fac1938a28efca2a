/**
 * The one interface between the proxy and a local application inside missive (the messaging service's SIP
 * adapter): for a request routed to a local user, the application decides before the proxy forks (RFC 3261
 * §16.5): it refuses the request (the proxy answers and no device gets it), takes it alone, or takes a branch
 * of the fork next to the user's devices. A branch of the application's may gate the final response
 * (LocalTarget.holdsFinal): routing forwards a device's 2xx only once the application's branch has answered.
 * A request leaving for another domain may get a branch too (LocalTarget.afterSuccess). Routing decides
 * where requests go; the application decides what it does with them. The sender is the identity the proxy
 * established, never a header the client wrote.
 */
import type { SipRequest, SipResponse } from '../sip/message/message.js';
import type { Aor } from '../registrar/aor.js';
import type { Binding } from '../store/location/binding.js';
import type { MessageSource } from '../sip/transport/types.js';
import type { Clock } from '../time/clock.js';
import type { LocalAddresses } from './local-addresses.js';
import type { OutboundRequests } from './outbound-requests.js';
import type { LocalAnswer, LocalTarget } from './proxy/forward-target.js';

/** Who sent a request, as routing established it (once): digest-authenticated, or asserted by a trusted peer. */
export type RoutedSender =
  | { readonly kind: 'authenticated'; readonly aor: Aor }
  /** A trusted peer's request: its From, as the peer asserts it; undefined when the From names no AOR. */
  | { readonly kind: 'trusted'; readonly asserted: Aor | undefined };

export interface RoutedRequest {
  readonly request: SipRequest;
  readonly sender: RoutedSender;
  readonly recipient: Aor;
  /** The recipient's live registrations, the branches the proxy forks to besides the application's. */
  readonly devices: readonly Binding[];
  /** Where the request came from (the sending device, or the peer). */
  readonly source?: MessageSource | undefined;
}

/** Standalone: a request from an authenticated local user to another domain, proxied there. */
export interface LeavingRequest {
  readonly request: SipRequest;
  readonly sender: Aor;
  readonly recipient: Aor;
  readonly source?: MessageSource | undefined;
}

/** The application's decision on a request for a local user, taken before any branch starts. */
export type ApplicationDecision =
  /** Answered now with this status; no branch starts. */
  | { readonly kind: 'refuse'; readonly answer: LocalAnswer }
  /** For the application alone: its branch is the only one. */
  | { readonly kind: 'serve'; readonly branch: LocalTarget }
  /** Forked to the recipient's devices, with the application's branch next to them. */
  | { readonly kind: 'fork'; readonly branch: LocalTarget };

export interface LocalApplication {
  /** The methods the application decides on; the proxy forks the others without asking. */
  readonly methods: ReadonlySet<string>;
  /** What happens to this request; a rejection is answered 500. */
  decide(routed: RoutedRequest): Promise<ApplicationDecision>;
  /** The application's branch for a request leaving for another domain, if any. */
  outgoingBranchFor?(leaving: LeavingRequest): LocalTarget | undefined;
  /**
   * A trusted peer's request (a proxy in front of missive forking to it): the application's answer when the
   * request is for the application itself, undefined when it is to be routed like any other.
   */
  answerTrusted?(request: SipRequest, source: MessageSource): Promise<LocalAnswer | undefined>;
  /** The application as a user agent of its own: INVITEs addressed to the server itself and their dialogs. */
  readonly userAgent?: ServerUserAgent | undefined;
}

/**
 * A user agent server inside missive (RFC 3261 §8.2, §12): the sessions addressed to the server itself (a
 * Request-URI without a user part naming a served domain or our address), such as the MSRP file transfers
 * of sylk spec §4.3.4. Routing hands it the INVITE once the sender is established, and every request of a
 * dialog it made (ACK, BYE) before treating them as a proxy would.
 */
export interface ServerUserAgent {
  /** The final response to an INVITE for the server itself, with its To tag, Contact and body. */
  invite(request: SipRequest, sender: RoutedSender, source: MessageSource | undefined): Promise<SipResponse>;
  /**
   * A request of one of its dialogs: the response to send (BYE), 'absorbed' (an ACK), or undefined when the
   * request is not of a dialog of its.
   */
  inDialog(request: SipRequest): SipResponse | 'absorbed' | undefined;
}

/** What a local application is made with: routing's outbound interface, the served domains, the clock. */
export interface ApplicationEnvironment {
  /** Requests of the application's own (outbound-requests.ts). */
  readonly requests: OutboundRequests;
  /** The served domains and the points listened on. */
  readonly local: LocalAddresses;
  readonly clock: Clock;
}
