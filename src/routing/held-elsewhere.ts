/**
 * Several instances on one store (docs/scaling.md): a device's flow is a connection (or a UDP NAT binding)
 * of the instance it registered through, and only that instance can send over it. Another instance routes a
 * request for such a binding through the holder, as through an RFC 3327 Path entry pointing at an RFC 5626
 * edge proxy: the holder's address becomes the binding's route, and the flow travels in the Request-URI as
 * our `alias` (contact-alias.ts), which the holder, finding its own address in the Route, follows as it does
 * for any aliased URI. The proxy sees a next hop; it knows nothing of instances.
 */
import { isSipUri, parseUri, type SipUri } from '../sip/uri.js';
import type { Binding } from '../store/location/binding.js';
import { withAlias } from './contact-alias.js';

/** The instances of the cluster as routing needs them. */
export interface ClusterPeers {
  /** This instance's id. */
  readonly self: string;
  /** Where instance `id` is reached, while it is known and alive; undefined otherwise. */
  addressOf(id: string): SipUri | undefined;
}

/**
 * The binding as this instance routes it: unchanged when it holds the flow itself (or nobody does, or the
 * device registered through a Path, which every instance can follow alike); else routed through its
 * holder, without the connection id, which names a connection of the holder's, not ours.
 */
export function throughHolder(binding: Binding, peers: ClusterPeers): Binding {
  const holder = binding.holder;
  if (holder === undefined || holder === peers.self || binding.path.length > 0) return binding;
  const address = peers.addressOf(holder);
  const contact = parseUri(binding.contact);
  if (address === undefined || contact === undefined || !isSipUri(contact)) return binding;
  const { transport, host, port } = binding.source;
  const route = address.with({ params: new Map([...address.params, ['lr', null]]) });
  return {
    ...binding,
    contact: withAlias(contact, { transport, host, port }).toString(),
    path: [`<${route.toString()}>`],
    source: { transport, host, port },
  };
}
