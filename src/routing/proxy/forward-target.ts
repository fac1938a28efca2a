/** Where a proxied request can go: a device (over the network) or an application inside missive. */
import type { SipRequest } from '../../sip/message/message.js';
import type { SendTarget } from '../../sip/transport/types.js';
import type { Uri } from '../../sip/uri.js';

export interface NetworkTarget {
  readonly kind: 'network';
  /** The new Request-URI (a registered Contact, or the request's own URI). */
  readonly uri: Uri;
  /** The flow to use instead of resolving the URI (a registration's source address and connection). */
  readonly flow?: SendTarget | undefined;
  /** RFC 3327 Path of the registration: Route entries put in front. */
  readonly path?: readonly string[] | undefined;
  /** Find the next hop by DNS (RFC 3263) when it is a host name, and fail over between what DNS gives. */
  readonly locate?: boolean | undefined;
  /**
   * The device's other flows (RFC 5626 §7), in order: when this one fails (430, or no way to send over it)
   * the next replaces it in the same branch. Any other final answer ends the branch.
   */
  readonly fallbacks?: readonly NetworkTarget[] | undefined;
}

/** A final status from an application; its response is built from the proxied request. */
export interface LocalAnswer {
  readonly status: number;
  readonly reason?: string | undefined;
}

export interface LocalTarget {
  readonly kind: 'local';
  /** For logs. */
  readonly name: string;
  /**
   * Non-INVITE: this branch gates the final response: a 2xx from a device is held until the branch has
   * answered, and the branch's 5xx is the answer whatever the devices said, so that the sender retries.
   * What the application does before it answers (making a write durable, say) is its own business.
   */
  readonly holdsFinal?: boolean | undefined;
  /**
   * Non-INVITE: the branch starts only once a network branch has answered 2xx, and that 2xx waits for it as
   * for holdsFinal; when none succeeds it never runs (the application acts only on what the next hop took).
   */
  readonly afterSuccess?: boolean | undefined;
  handle(request: SipRequest): Promise<LocalAnswer>;
}

/**
 * A device that cannot be reached yet (RFC 8599: asleep, being woken by a push): the branch waits for
 * `resolve`, then goes on as a network branch to the target it gives, or ends 480 when it gives none.
 */
export interface DeferredTarget {
  readonly kind: 'deferred';
  /** For logs. */
  readonly name: string;
  /** Never rejects by contract; a rejection ends the branch 500. */
  resolve(): Promise<NetworkTarget | undefined>;
}

export type ForwardTarget = NetworkTarget | LocalTarget | DeferredTarget;
