/**
 * A MESSAGE, whichever adapter it came through, taken in by the messaging service: admitted (admission.ts:
 * parsed and classified once, limits, ids, quota), then applied to the journals with its events. The answer
 * is 200 only once every journal write the MESSAGE causes is durable; a storage failure answers 500 so that
 * the sender retries (and the retry is deduplicated by its Message-ID). Bad input, and what the limits refuse,
 * gets a 4xx (admission.ts says which). Answers are SIP statuses: the SIP adapter's words, which the other
 * adapters map (service-refusal.ts).
 */
import { normalizeAor } from '../registrar/aor.js';
import type { SipRequest } from '../sip/message/message.js';
import { InvalidInputError } from '../store/errors.js';
import {
  issueApiToken,
  markConversationRead,
  removeConversation,
  removeMessage,
  sendPublicKey,
} from './account-operations.js';
import type { Admission, AdmittedMessage, Identities, MessageAdmission } from './admission.js';
import type { MessagingContext } from './context.js';
import {
  deliverImdn,
  deliverMessage,
  deliverPrivateKey,
  deliverPublicKey,
  RefusedMessage,
} from './deliveries.js';
import type { InboundMessage } from './inbound.js';
import type { IntakeAnswer } from './intake-answer.js';
import type { MessageOutcomes } from './outcomes.js';

/** What applying a MESSAGE did: a journal write, a retry of one already made, or an answer with neither. */
type Applied = 'stored' | 'duplicate' | 'answered';

export class MessageIntake {
  readonly #context: MessagingContext;
  readonly #admission: MessageAdmission;
  readonly #outcomes: MessageOutcomes | undefined;

  constructor(context: MessagingContext, admission: MessageAdmission, outcomes?: MessageOutcomes) {
    this.#context = context;
    this.#admission = admission;
    this.#outcomes = outcomes;
  }

  /** The admission's answer; a storage failure while deciding is a 500, so that the sender retries. */
  async admit(request: SipRequest, identities: Identities): Promise<Admission> {
    let admission: Admission;
    try {
      admission = await this.#admission.decide(request, identities);
    } catch (error) {
      admission = { admitted: false, answer: this.#failure(error, 'MESSAGE not admitted') };
    }
    if (!admission.admitted) this.#outcomes?.refused(admission.answer);
    return admission;
  }

  async admitAndDeliver(request: SipRequest, identities: Identities): Promise<IntakeAnswer> {
    const admission = await this.admit(request, identities);
    return admission.admitted ? this.deliver(admission.message) : admission.answer;
  }

  async deliver(admitted: AdmittedMessage): Promise<IntakeAnswer> {
    const message = admitted.inbound;
    let answer: IntakeAnswer;
    try {
      const applied = await this.#apply(admitted);
      if (applied === 'stored' && message.replicate) this.#replicate(message);
      if (applied === 'stored') this.#outcomes?.stored();
      else if (applied === 'duplicate') this.#outcomes?.duplicate();
      return { status: 200, reason: 'OK' };
    } catch (error) {
      answer =
        error instanceof RefusedMessage
          ? { status: error.status, reason: error.reason }
          : this.#failure(error, 'MESSAGE not stored', message.classified.kind);
    }
    this.#outcomes?.refused(answer);
    return answer;
  }

  #failure(error: unknown, what: string, kind?: string): IntakeAnswer {
    if (error instanceof InvalidInputError) {
      this.#context.logger?.info({ err: error.message }, 'MESSAGE refused by the store');
      return { status: 400, reason: 'Invalid Message' };
    }
    this.#context.logger?.error({ err: error, kind }, what);
    return { status: 500, reason: 'Storage Failure' };
  }

  async #apply(admitted: AdmittedMessage): Promise<Applied> {
    const context = this.#context;
    const message = admitted.inbound;
    const kind = message.classified;
    context.logger?.debug(
      { kind: kind.kind, from: message.sender.account, to: message.recipient.account },
      'MESSAGE',
    );
    // To another domain only user content has a sender's copy; API requests, keys and IMDNs are theirs.
    if (message.remoteRecipient && kind.kind !== 'message' && kind.kind !== 'file-transfer')
      return 'answered';
    const requester = { account: message.sender.account, origin: message.origin?.device };
    const written = (fresh: boolean): Applied => (fresh ? 'stored' : 'duplicate');
    switch (kind.kind) {
      case 'api-token':
        await issueApiToken(context, requester);
        return 'answered';
      case 'pgp-key-lookup':
        await sendPublicKey(context, requester, message.recipient.account);
        return 'answered';
      case 'message-remove':
        await removeMessage(context, requester, message.recipient.account, kind.messageId);
        return 'answered';
      case 'conversation-read':
        await markConversationRead(context, requester, contactKey(kind.contact));
        return 'answered';
      case 'conversation-remove':
        await removeConversation(context, requester, contactKey(kind.contact), kind.timestamp);
        return 'answered';
      case 'is-composing':
        // Neither stored nor copied to the sender's other devices: it is about this conversation, now.
        return 'answered';
      case 'imdn':
        return written(await deliverImdn(context, message, kind.imdn));
      case 'pgp-public-key':
        if (admitted.publicKey === undefined) throw new RefusedMessage(400, 'Invalid Public Key');
        return written(await deliverPublicKey(context, message, admitted.publicKey));
      case 'pgp-private-key':
        return written(await deliverPrivateKey(context, message));
      case 'file-transfer':
      case 'message':
        return written(await deliverMessage(context, message, admitted.planned));
    }
  }

  /** Standalone: the sender's other devices get a copy (Request-URI = the device, To = the real recipient). */
  #replicate(message: InboundMessage): void {
    this.#context.uac
      .send({
        deliverTo: message.sender.account,
        from: message.sender.uri,
        to: message.recipient.uri,
        contentType: message.wire.contentType,
        body: message.wire.body,
        headers: [
          ['X-Replicated-Message', 'yes'],
          ...(message.wire.contentEncoding === undefined
            ? []
            : [['Content-Encoding', message.wire.contentEncoding] as const]),
        ],
        exceptSource: message.source,
      })
      .catch((error: unknown) => {
        this.#context.logger?.warn({ err: error }, 'replicated MESSAGE not sent');
      });
  }
}

/** Contacts from API bodies, as journal keys (domain lower-cased). */
export function contactKey(contact: string): string {
  return normalizeAor(contact) ?? contact;
}
