/**
 * A MESSAGE as the application acts on it: parsed and classified (formats/), with the identities decided by
 * the mode, never by the CPIM headers (spec §8.33). Standalone the sender is the digest-authenticated user;
 * behind a proxy (or from a trusted peer) it is the SIP From the proxy asserts.
 */
import type { ClassifiedMessage, ParsedMessage } from './formats/index.js';
import type { MessageSource } from '../sip/transport/types.js';

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
