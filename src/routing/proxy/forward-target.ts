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
  handle(request: SipRequest): Promise<LocalAnswer>;
}

export type ForwardTarget = NetworkTarget | LocalTarget;
