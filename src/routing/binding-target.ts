/** A registered device as a forwarding target: its Contact as Request-URI, reached over its flow or its Path. */
import { parseUri } from '../sip/uri.js';
import type { ClientFailure } from '../sip/transaction/types.js';
import type { Binding } from '../store/location/binding.js';
import type { NetworkTarget } from './proxy/forward-target.js';

/** undefined when the stored Contact no longer parses (it was checked when stored). */
export function bindingTarget(binding: Binding): NetworkTarget | undefined {
  const uri = parseUri(binding.contact);
  if (uri === undefined) return undefined;
  const { transport, host, port, connectionId } = binding.source;
  // An outbound binding (reg-id kept by the registrar) over a connection is reachable over that flow only.
  const flowOnly = binding.regId !== undefined && transport !== 'udp';
  return {
    kind: 'network',
    uri,
    // The device is reached where its REGISTER came from (RFC 5626 flows, NAT, WebSocket .invalid hosts).
    // The stored connection id is taken only while its connection still comes from the recorded address:
    // another instance sharing the store, or an earlier run, may have given the same id to someone else.
    flow: { transport, host, port, connectionId, flowOnly, verifyAddress: true },
    path: binding.path,
  };
}

/**
 * A target per device: the flows of an outbound device (one +sip.instance, a reg-id each) make one target
 * whose flows are tried one after the other, the most recently registered first, never forked in parallel
 * (RFC 5626 §7); any other binding is a device of its own.
 */
export function deviceTargets(bindings: readonly Binding[]): NetworkTarget[] {
  // One registered device, the common case on every MESSAGE: no grouping, sorting or copying.
  if (bindings.length === 1) {
    const only = bindingTarget(bindings[0] as Binding);
    return only === undefined ? [] : [only];
  }
  const devices: Binding[][] = [];
  const byInstance = new Map<string, Binding[]>();
  for (const binding of bindings) {
    const instance = binding.regId === undefined ? undefined : binding.instanceId;
    const known = instance === undefined ? undefined : byInstance.get(instance);
    if (known !== undefined) {
      known.push(binding);
      continue;
    }
    const device = [binding];
    devices.push(device);
    if (instance !== undefined) byInstance.set(instance, device);
  }
  return devices.flatMap((device) => {
    const [first, ...fallbacks] = [...device]
      .sort((a, b) => b.updatedAt - a.updatedAt)
      .map(bindingTarget)
      .filter((target): target is NetworkTarget => target !== undefined);
    if (first === undefined) return [];
    return fallbacks.length === 0 ? [first] : [{ ...first, fallbacks }];
  });
}

/**
 * RFC 5626 §7: a device's next flow replaces the current one when it answered 430 (Flow Failed), or when it
 * could not be used for any reason but a timeout (a timeout has used the time the request had).
 */
export function triesNextFlow(outcome: { readonly status: number } | ClientFailure): boolean {
  return typeof outcome === 'string' ? outcome !== 'timeout' : outcome.status === 430;
}
