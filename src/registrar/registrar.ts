/**
 * The registrar (RFC 3261 §10.3): REGISTER in, the response to send out. Steps in the RFC's order —
 * domain, Require (420), authentication (401), authorisation (403), the AOR (404), Contact `*` or each
 * Contact (400, 423, 439, 403, 500 on CSeq disorder) — then the writes, then a 200 listing the AOR's
 * bindings. Everything that can refuse a request does so before the first write; only a store failure
 * between writes can leave part of a request applied (the store has no multi-row transaction).
 */
import type { Logger } from 'pino';
import { getCallId } from '../sip/headers/call-id.js';
import { getCSeq } from '../sip/headers/cseq.js';
import { getNameAddrs, getTo } from '../sip/headers/name-addr.js';
import { getExpires } from '../sip/headers/numeric.js';
import { createResponse } from '../sip/message/create-response.js';
import { unsupportedOptionTags } from '../sip/message/extensions.js';
import { generateTag } from '../sip/message/ids.js';
import { type SipRequest, SipResponse } from '../sip/message/message.js';
import type { MessageSource } from '../sip/transport/types.js';
import { isSipUri } from '../sip/uri.js';
import { type Binding, type BindingSource, bindingKey, encodeBindingKey } from '../store/location/binding.js';
import type { LocationStore } from '../store/location/location-store.js';
import type { Clock } from '../time/clock.js';
import { type Aor, aorOfUri, isServedHost } from './aor.js';
import { readContacts, type RequestedContact } from './contacts.js';
import {
  DEFAULT_REGISTRAR_RETRY_AFTER_SECONDS,
  type RegistrarLimits,
  type RegistrarOptions,
  type RegistrationChange,
  type RegistrationListener,
  registrarLimits,
  type RequestAuthenticator,
} from './options.js';
import type { FlowBindings } from './flows.js';
import { outboundDecision } from './outbound.js';
import { OUT_OF_ORDER, type PlanRefusal, planContacts, planRemoveAll, type RegisterFacts } from './plan.js';
import { registeredReply } from './reply.js';

/** Option tags a REGISTER may require of us: Path (RFC 3327) and outbound (RFC 5626). */
export const REGISTRAR_OPTION_TAGS: ReadonlySet<string> = new Set(['path', 'outbound']);

const MAX_USER_AGENT = 256;

export class Registrar {
  readonly #authenticator: RequestAuthenticator;
  readonly #store: LocationStore;
  #domains: ReadonlySet<string>;
  readonly #clock: Clock;
  readonly #limits: RegistrarLimits;
  readonly #retryAfterSeconds: number;
  readonly #logger: Logger | undefined;
  readonly #flows: FlowBindings | undefined;
  readonly #listener: RegistrationListener | undefined;
  readonly #holder: string | undefined;

  constructor(options: RegistrarOptions) {
    this.#authenticator = options.authenticator;
    this.#store = options.locations;
    this.#domains = new Set([...options.domains].map((domain) => domain.toLowerCase()));
    this.#clock = options.clock;
    this.#limits = registrarLimits(options);
    this.#retryAfterSeconds = options.retryAfterSeconds ?? DEFAULT_REGISTRAR_RETRY_AFTER_SECONDS;
    this.#logger = options.logger;
    this.#flows = options.flows;
    this.#listener = options.listener;
    this.#holder = options.holder;
  }

  /** The domains this registrar has bindings for, anew (a reload); bindings of the others stay until they expire. */
  setDomains(domains: Iterable<string>): void {
    this.#domains = new Set([...domains].map((domain) => domain.toLowerCase()));
  }

  /** The response to send for a REGISTER received from `source`. Never rejects. */
  async handle(request: SipRequest, source: MessageSource): Promise<SipResponse> {
    try {
      return await this.#register(request, source);
    } catch (error) {
      // A store failure (StoreError) or anything unexpected: the client may retry; nothing crashes.
      this.#logger?.error({ err: error, callId: getCallId(request.headers) }, 'REGISTER failed');
      return this.#serverError(request);
    }
  }

  async #register(request: SipRequest, source: MessageSource): Promise<SipResponse> {
    if (request.method !== 'REGISTER') {
      const response = reply(request, 405, 'Method Not Allowed');
      response.headers.add('Allow', 'REGISTER');
      return response;
    }
    // RFC 3261 §10.3 step 1: only the domains this registrar has bindings for.
    if (!isSipUri(request.uri) || !isServedHost(request.uri.host, this.#domains)) {
      return reply(request, 404, 'Domain Not Served');
    }
    // Step 2 (RFC 3261 §8.2.2.3): an extension we do not know cannot be honoured.
    const unsupported = [
      ...unsupportedOptionTags(request.headers, 'Require', REGISTRAR_OPTION_TAGS),
      ...unsupportedOptionTags(request.headers, 'Proxy-Require', REGISTRAR_OPTION_TAGS),
    ];
    if (unsupported.length > 0) {
      const response = reply(request, 420, 'Bad Extension');
      response.headers.add('Unsupported', [...new Set(unsupported)].join(', '));
      return response;
    }
    const callId = getCallId(request.headers);
    const cseq = getCSeq(request.headers);
    if (callId === undefined) return reply(request, 400, 'Missing Or Invalid Call-ID');
    if (cseq === undefined || cseq.method !== 'REGISTER') return reply(request, 400, 'Invalid CSeq');
    const to = getTo(request.headers);
    if (to === undefined) return reply(request, 400, 'Invalid To');
    // Step 5, before authentication because the realm is the To domain.
    const aor = aorOfUri(to.uri);
    if (aor === undefined || !this.#domains.has(aor.domain)) return reply(request, 404, 'Not Found');

    // Steps 3 and 4: who is asking, and may they change this AOR's bindings.
    const auth = await this.#authenticator.authenticate(request, {
      realm: aor.domain,
      kind: 'www',
      sourceAddress: source.host,
    });
    if (auth.kind === 'rejected') return auth.response;
    if (auth.identity.username !== aor.user) return reply(request, 403, 'Forbidden');

    const contacts = readContacts(request.headers);
    if (!contacts.ok) return reply(request, 400, contacts.reason);
    const path = readPath(request);
    if (path === undefined) return reply(request, 400, 'Malformed Path');
    const now = this.#clock.now();
    const facts: RegisterFacts = {
      aor: aor.key,
      callId,
      cseq: cseq.seq,
      now,
      headerExpires: getExpires(request.headers),
      path,
      source: bindingSource(source),
      userAgent: userAgentOf(request),
      flows: false,
      holder: this.#holder,
    };
    let outbound = false;
    const written: Written = { stored: [], removed: [] };
    if (contacts.contacts === '*') {
      const refused = await this.#removeAll(request, aor, facts, written);
      if (refused !== undefined) return refused;
    } else if (contacts.contacts.length > 0) {
      const updated = await this.#update(request, contacts.contacts, facts, written);
      if (updated instanceof SipResponse) return updated;
      outbound = updated;
    }
    const bindings = await this.#store.lookup(aor.key, now);
    if (written.stored.length > 0 || written.removed.length > 0)
      await this.#tell({ aor: aor.key, ...written, live: bindings }, callId);
    this.#logger?.debug({ aor: aor.key, callId, bindings: bindings.length }, 'REGISTER accepted');
    return registeredReply(request, bindings, now, { path, outbound });
  }

  /**
   * Step 6: `Contact: *` with `Expires: 0` and nothing else removes every binding of the AOR. Returns the
   * refusal, if any.
   */
  async #removeAll(
    request: SipRequest,
    aor: Aor,
    facts: RegisterFacts,
    written: Written,
  ): Promise<SipResponse | undefined> {
    if (facts.headerExpires !== 0) {
      return reply(request, 400, 'Contact * Requires Expires: 0');
    }
    const existing = await this.#store.lookup(aor.key, facts.now);
    const refused = planRemoveAll(existing, facts);
    if (refused !== undefined) return this.#refusal(request, refused);
    await this.#store.removeAll(aor.key);
    written.removed.push(...existing);
    return undefined;
  }

  /**
   * Step 7 for each Contact. Returns the refusal, or whether RFC 5626 outbound processing applied to a
   * reg-id (the reply then says `Supported: outbound`).
   */
  async #update(
    request: SipRequest,
    contacts: readonly RequestedContact[],
    facts: RegisterFacts,
    written: Written,
  ): Promise<SipResponse | boolean> {
    const decision = outboundDecision(request.headers, contacts);
    if (decision === 'first-hop-lacks-support') {
      return reply(request, 439, 'First Hop Lacks Outbound Support');
    }
    const flows = decision === 'apply';
    const withFlows = { ...facts, flows };
    const existing = await this.#store.lookup(facts.aor, facts.now);
    const plan = planContacts(contacts, existing, withFlows, this.#limits);
    if (plan.kind === 'refuse') return this.#refusal(request, plan);
    const removals = new Set(plan.removals.map(encodeBindingKey));
    for (const key of plan.removals) await this.#store.remove(facts.aor, key);
    written.removed.push(
      ...existing.filter((binding) => removals.has(encodeBindingKey(bindingKey(binding)))),
    );
    for (const binding of plan.upserts) {
      // The store's own ordering check: a concurrent REGISTER of the same binding got in first.
      if ((await this.#store.upsert(binding)) === 'stale') return reply(request, 500, OUT_OF_ORDER);
      written.stored.push(binding);
      await this.#flows?.stored(binding);
    }
    return flows && plan.upserts.some((binding: Binding) => binding.regId !== undefined);
  }

  /** The listener's failure is not the REGISTER's: the bindings are written, the device gets its 200. */
  async #tell(change: RegistrationChange, callId: string): Promise<void> {
    try {
      await this.#listener?.changed(change);
    } catch (error) {
      this.#logger?.error({ err: error, aor: change.aor, callId }, 'registration listener failed');
    }
  }

  #refusal(request: SipRequest, plan: PlanRefusal): SipResponse {
    const response = reply(request, plan.status, plan.reason);
    if (plan.status === 423) response.headers.add('Min-Expires', String(this.#limits.minExpires));
    return response;
  }

  #serverError(request: SipRequest): SipResponse {
    const response = reply(request, 500, 'Server Internal Error');
    response.headers.add('Retry-After', String(this.#retryAfterSeconds));
    return response;
  }
}

/** What a REGISTER wrote, for the listener. */
interface Written {
  readonly stored: Binding[];
  readonly removed: Binding[];
}

function reply(request: SipRequest, status: number, reason: string): SipResponse {
  return createResponse(request, status, reason, { toTag: generateTag() });
}

/** Path values as received, in order (RFC 3327); undefined when malformed (refused, not half-stored). */
function readPath(request: SipRequest): string[] | undefined {
  return getNameAddrs(request.headers, 'Path') === undefined ? undefined : request.headers.values('Path');
}

function bindingSource(source: MessageSource): BindingSource {
  const { transport, host, port, connectionId } = source;
  return connectionId === undefined ? { transport, host, port } : { transport, host, port, connectionId };
}

/** For display and logs only: control characters would be refused by the store, so they become spaces. */
function userAgentOf(request: SipRequest): string | undefined {
  const value = request.headers.get('User-Agent');
  if (value === undefined) return undefined;
  const cleaned = value
    .replace(/\p{Cc}/gu, ' ')
    .trim()
    .slice(0, MAX_USER_AGENT);
  return cleaned === '' ? undefined : cleaned;
}
