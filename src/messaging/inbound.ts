/**
 * A MESSAGE as the application acts on it: parsed and classified (formats/), with the identities decided by
 * the mode, never by the CPIM headers (sylk spec §8.33). Standalone the sender is the digest-authenticated user;
 * behind a proxy (or from a trusted peer) it is the SIP From the proxy asserts.
 */
import type { ClassifiedMessage, ParsedMessage } from './formats/index.js';
import type { MessageSource } from '../sip/transport/types.js';
import type { DeviceRef } from './service.js';

export interface Party {
  /** `user@domain`, domain lower-cased: the storage account and journal key. */
  readonly account: string;
  /** `sip:user@domain`. */
  readonly uri: string;
  readonly displayName: string | null;
}

export interface InboundMessage {
  readonly parsed: ParsedMessage;
  readonly classified: ClassifiedMessage;
  readonly sender: Party;
  readonly recipient: Party;
  /**
   * Keep the sender's outgoing copy: the sender is a native SIP device (standalone: always, it authenticated
   * with us; from a trusted peer: when it says X-Sylk-From-Sip).
   */
  readonly senderCopy: boolean;
  /**
   * Standalone: the recipient is in another domain (the MESSAGE was proxied there). Only user content is acted
   * on, and only the sender's copy kept.
   */
  readonly remoteRecipient: boolean;
  /** Standalone: where the request came from (the sending device), for replication to the others. */
  readonly source?: MessageSource | undefined;
  /** Standalone: copies go to the sender's other devices. */
  readonly replicate: boolean;
  /**
   * The state of the sender's copy: `accepted` once a SIP sender's MESSAGE was taken; `pending` for a message
   * a WebSocket device sent, until the SIP final answer (sylk spec §1.4.6 steps 2 and 6). Default accepted.
   */
  readonly senderState?: 'pending' | 'accepted' | undefined;
  /** A device of the messaging service's adapters that sent it: its sync copy is not sent back to it. */
  readonly origin?: MessageOrigin | undefined;
  /** The request's Content-Type, Content-Encoding and body as received, for replicated copies. */
  readonly wire: {
    readonly contentType: string;
    readonly contentEncoding: string | undefined;
    readonly body: Buffer;
  };
}

export function partyUri(account: string): string {
  return `sip:${account}`;
}

/** The WebSocket device a message came from, and the transaction of its request (sylk spec §1.5.3). */
export interface MessageOrigin {
  readonly device: DeviceRef;
  readonly transaction: string;
}
