/**
 * The one interface between the proxy and the messaging application (issue 4): for each MESSAGE routed to a
 * local user, the application may take a branch of the fork, next to the user's devices, and answer it itself
 * (store, sync, push). The sender is the identity the proxy established, never a header the client wrote.
 */
import type { SipRequest } from '../sip/message/message.js';
import type { Aor } from '../registrar/aor.js';
import type { Binding } from '../store/location/binding.js';
import type { LocalTarget } from './proxy/forward-target.js';

export interface RoutedMessage {
  readonly request: SipRequest;
  /** The authenticated sender; undefined when the request came from a trusted peer without credentials. */
  readonly sender: Aor | undefined;
  readonly recipient: Aor;
  /** The recipient's live registrations, the branches the proxy forks to besides the application's. */
  readonly devices: readonly Binding[];
}

export interface MessagingApplication {
  /** The application's branch for this MESSAGE, or undefined to leave it to the devices alone. */
  branchFor(message: RoutedMessage): LocalTarget | undefined;
}
