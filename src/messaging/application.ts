/**
 * The SIP adapter of the messaging service: every MESSAGE that reaches missive for a local user enters the
 * service's intake (message-intake.ts: admitted, applied to the journal, answered, announced). Three entries:
 *
 * - standalone (decide): missive is the proxy; before it forks, the service decides (admission.ts): it
 *   refuses the MESSAGE (no device gets it), takes it alone (the SIP API requests), or takes a branch of the
 *   fork next to the recipient's devices. The sender is the digest-authenticated user.
 * - standalone, to another domain (outgoingBranchFor): once that domain took the MESSAGE, the sender's copy
 *   is stored and replicated to the sender's other devices before the sender gets the 2xx.
 * - behind a proxy (answerTrusted): a trusted peer (Kamailio forking to missive) sends the MESSAGE with
 *   `X-Sylk-App`; the service answers it itself. Identities are the SIP From/To the proxy asserts, and
 *   `X-Sylk-From-Sip` is honoured (only from trusted peers: the router sends nothing else here).
 */
import { type Aor, aorOfUri } from '../registrar/aor.js';
import type {
  ApplicationDecision,
  LeavingRequest,
  LocalApplication,
  RoutedRequest,
  ServerUserAgent,
} from '../routing/local-application.js';
import type { LocalAnswer, LocalTarget } from '../routing/proxy/forward-target.js';
import { getFrom, getTo, type NameAddr } from '../sip/headers/name-addr.js';
import type { SipRequest } from '../sip/message/message.js';
import type { MessageSource } from '../sip/transport/types.js';
import type { Identities } from './admission.js';
import { isApiRequest } from './formats/index.js';
import type { MessageIntake } from './message-intake.js';

export interface SipMessagingOptions {
  readonly intake: MessageIntake;
  /** Values of X-Sylk-App this application answers to (default webrtcgateway). */
  readonly applicationNames?: readonly string[] | undefined;
  /** INVITEs to the server itself: MSRP file transfers (msrp-file-transfer.ts); without it, routed as any. */
  readonly userAgent?: ServerUserAgent | undefined;
}

/** The SIP method the messaging service takes (RFC 3428). */
const METHODS: ReadonlySet<string> = new Set(['MESSAGE']);

export class SipMessagingApplication implements LocalApplication {
  readonly methods = METHODS;
  readonly #intake: MessageIntake;
  readonly #names: ReadonlySet<string>;
  readonly userAgent: ServerUserAgent | undefined;

  constructor(options: SipMessagingOptions) {
    this.#intake = options.intake;
    this.userAgent = options.userAgent;
    this.#names = new Set((options.applicationNames ?? ['webrtcgateway']).map((name) => name.toLowerCase()));
  }

  /**
   * Standalone: the service's decision, before the proxy forks. The branch it returns holds the sender's
   * 200 until the journal is written (a storage failure is the answer, and the sender retries).
   */
  async decide(routed: RoutedRequest): Promise<ApplicationDecision> {
    const identities = standaloneIdentities(routed);
    if (identities === undefined) return { kind: 'refuse', answer: { status: 400, reason: 'Missing From' } };
    const admission = await this.#intake.admit(routed.request, identities);
    if (!admission.admitted) return { kind: 'refuse', answer: admission.answer };
    const { message } = admission;
    const branch: LocalTarget = {
      kind: 'local',
      name: 'messaging',
      holdsFinal: true,
      handle: () => this.#intake.deliver(message),
    };
    // The SIP API requests are for the service (sylk spec §2.4): the recipient's devices never get them.
    return isApiRequest(message.inbound.classified.kind)
      ? { kind: 'serve', branch }
      : { kind: 'fork', branch };
  }

  /**
   * Standalone: a MESSAGE from a local user to another domain. The branch runs once that domain answered 2xx
   * (afterSuccess), and the 2xx reaches the sender only when the sender's copy is durable, as for local ones.
   * The MESSAGE has left already: what the admission refuses here only keeps the sender's copy out.
   */
  outgoingBranchFor(outgoing: LeavingRequest): LocalTarget {
    return {
      kind: 'local',
      name: 'messaging (sender copy)',
      afterSuccess: true,
      handle: (request) =>
        this.#intake.admitAndDeliver(request, {
          sender: outgoing.sender,
          recipient: outgoing.recipient,
          senderCopy: true,
          replicate: true,
          source: outgoing.source,
          remoteRecipient: true,
        }),
    };
  }

  /**
   * Behind a proxy: a MESSAGE from a trusted peer carrying X-Sylk-App is for the service, answered here (no
   * forking); without the header it is routed like any other. The caller (the router) has checked that the
   * source is a trusted peer.
   */
  answerTrusted(request: SipRequest, source: MessageSource): Promise<LocalAnswer | undefined> {
    if (!request.headers.has('X-Sylk-App')) return Promise.resolve(undefined);
    const app = request.headers.get('X-Sylk-App')?.trim().toLowerCase() ?? '';
    if (!this.#names.has(app)) return Promise.resolve({ status: 404, reason: 'Application Not Found' });
    const sender = partyAor(getFrom(request.headers));
    const recipient = partyAor(getTo(request.headers));
    if (sender === undefined || recipient === undefined)
      return Promise.resolve({ status: 400, reason: 'Missing or Invalid From/To' });
    return this.#intake.admitAndDeliver(request, {
      sender,
      recipient,
      senderCopy: request.headers.has('X-Sylk-From-Sip'),
      replicate: false,
      source,
    });
  }
}

/** The identities as routing established them (never worked out again here). */
function standaloneIdentities(routed: RoutedRequest): Identities | undefined {
  const { request } = routed;
  const authenticated = routed.sender.kind === 'authenticated';
  const sender = routed.sender.kind === 'authenticated' ? routed.sender.aor : routed.sender.asserted;
  if (sender === undefined) return undefined;
  return {
    sender,
    recipient: routed.recipient,
    // A device that authenticated with us is a native SIP sender; a trusted peer says so with the header.
    senderCopy: authenticated || request.headers.has('X-Sylk-From-Sip'),
    replicate: authenticated && sender.key !== routed.recipient.key,
    source: routed.source,
  };
}

function partyAor(nameAddr: NameAddr | undefined): Aor | undefined {
  return nameAddr === undefined ? undefined : aorOfUri(nameAddr.uri);
}
