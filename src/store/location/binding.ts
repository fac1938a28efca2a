/**
 * A registration binding (RFC 3261 §10.3) with the RFC 5626 outbound flow identity (`+sip.instance`,
 * `reg-id`) and RFC 8599 push parameters, and the key that identifies it within its AOR.
 */
export type TransportName = 'udp' | 'tcp' | 'tls' | 'ws' | 'wss';

export const TRANSPORTS: readonly TransportName[] = ['udp', 'tcp', 'tls', 'ws', 'wss'];

export interface BindingSource {
  readonly transport: TransportName;
  /** Where the REGISTER came from (the flow to reach the device through). */
  readonly host: string;
  readonly port: number;
  /**
   * The connection it came on, for connection-oriented transports; meaningful to the process that made it
   * only (ids are unique across processes, and a send checks the connection's address as well).
   */
  readonly connectionId?: string;
}

/** RFC 8599 `pn-provider`, `pn-prid`, `pn-param`, and any other `pn-*` parameters (Sylk's `pn-tok`…). */
export interface PushParameters {
  readonly provider: string;
  readonly prid: string;
  readonly param?: string;
  readonly extra: Readonly<Record<string, string>>;
}

export interface Binding {
  /** The address of record, as the registrar normalised it; compared exactly. */
  readonly aor: string;
  /** The Contact URI, compared exactly (the registrar applies RFC 3261 §19.1.4 beforehand). */
  readonly contact: string;
  /** `+sip.instance`, e.g. `<urn:uuid:…>`. */
  readonly instanceId?: string;
  /** RFC 5626 `reg-id`, 1 to 2^31-1. */
  readonly regId?: number;
  /** 0 to 1; absent ranks as 1. */
  readonly q?: number;
  /** Milliseconds since the epoch; the binding is live while expiresAt > now. */
  readonly expiresAt: number;
  readonly callId: string;
  readonly cseq: number;
  /** Path header URIs (RFC 3327), in order. */
  readonly path: readonly string[];
  readonly source: BindingSource;
  readonly userAgent?: string;
  readonly push?: PushParameters;
  /** Milliseconds since the epoch: the caller's clock when it wrote the binding. */
  readonly updatedAt: number;
  /**
   * Several instances on one store (docs/scaling.md): the id of the instance whose connection the flow is
   * on, which alone can send over it. Absent for a single instance.
   */
  readonly holder?: string;
}

/**
 * Which binding of an AOR a REGISTER refers to: its flow (instance and reg-id, RFC 5626 §6) when it has
 * both, else its Contact URI (RFC 3261 §10.3 step 7).
 */
export type BindingKey =
  | { readonly instanceId: string; readonly regId: number }
  | { readonly contact: string };

export function bindingKey(binding: Pick<Binding, 'contact' | 'instanceId' | 'regId'>): BindingKey {
  return binding.instanceId !== undefined && binding.regId !== undefined
    ? { instanceId: binding.instanceId, regId: binding.regId }
    : { contact: binding.contact };
}

/** The key as one column value; the two kinds cannot collide (different prefixes, reg-id has no space). */
export function encodeBindingKey(key: BindingKey): string {
  return 'contact' in key ? `contact ${key.contact}` : `flow ${key.regId} ${key.instanceId}`;
}
