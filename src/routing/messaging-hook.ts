/**
 * The one interface between the proxy and the messaging application (issue 4): for each MESSAGE routed to a
 * local user, the application decides before the proxy forks: it refuses the MESSAGE (the proxy answers and
 * no device gets it), takes it alone, or takes a branch of the fork next to the user's devices and answers it
 * itself (store, sync, push). Messaging decides, routing forks. A MESSAGE leaving for another domain may get a
 * branch too, for the sender's copy. The sender is the identity the proxy established, never a header the
 * client wrote.
 */
import type { SipRequest } from '../sip/message/message.js';
import type { Aor } from '../registrar/aor.js';
import type { Binding } from '../store/location/binding.js';
import type { MessageSource } from '../sip/transport/types.js';
import type { LocalAnswer, LocalTarget } from './proxy/forward-target.js';

export interface RoutedMessage {
  readonly request: SipRequest;
  /** The authenticated sender; undefined when the request came from a trusted peer without credentials. */
  readonly sender: Aor | undefined;
  readonly recipient: Aor;
  /** The recipient's live registrations, the branches the proxy forks to besides the application's. */
  readonly devices: readonly Binding[];
  /** Where the request came from (the sending device, or the peer). */
  readonly source?: MessageSource | undefined;
}

/** Standalone: a MESSAGE from an authenticated local user to another domain, proxied there. */
export interface OutgoingMessage {
  readonly request: SipRequest;
  readonly sender: Aor;
  readonly recipient: Aor;
  readonly source?: MessageSource | undefined;
}

/** The application's decision on a MESSAGE for a local user, taken before any branch starts. */
export type MessageDecision =
  /** Answered now with this status; no branch starts. */
  | { readonly kind: 'refuse'; readonly answer: LocalAnswer }
  /** For the application alone (the SIP API requests): its branch is the only one. */
  | { readonly kind: 'serve'; readonly branch: LocalTarget }
  /** Forked to the recipient's devices, with the application's branch next to them. */
  | { readonly kind: 'fork'; readonly branch: LocalTarget };

export interface MessagingApplication {
  /** What happens to this MESSAGE; a rejection is answered 500. */
  decide(message: RoutedMessage): Promise<MessageDecision>;
  /** The application's branch for a MESSAGE leaving for another domain (the sender's copy), if any. */
  outgoingBranchFor?(message: OutgoingMessage): LocalTarget | undefined;
  /**
   * Behind a proxy: a MESSAGE from a trusted peer that names an application (X-Sylk-App) is answered by the
   * application itself, not forked. Absent: such MESSAGEs are routed like any other.
   */
  answerTrusted?(request: SipRequest, source: MessageSource): Promise<LocalAnswer>;
}
