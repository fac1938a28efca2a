/** What the message handlers share: the store, the storage rule, the event sink, the UAC, the clock. */
import type { Logger } from 'pino';
import type { Store } from '../store/store.js';
import type { Clock } from '../time/clock.js';
import type { MessagingEventSink } from './events.js';
import type { OwnMessageSender } from './own-messages.js';
import type { StoragePolicy } from './storage-policy.js';

/**
 * The stored files of file transfers (src/files/), as messaging needs them: removing a transfer's files
 * when its message is removed (sylk spec §1.4.10 step 1).
 */
export interface TransferFiles {
  /** Removes the transfer's directory (either layout of sylk spec §4.3.1); nothing when there is none. */
  removeTransfer(sender: string, receiver: string, transferId: string): Promise<void>;
}

export interface MessagingContext {
  readonly store: Store;
  readonly storage: StoragePolicy;
  readonly events: MessagingEventSink;
  readonly uac: OwnMessageSender;
  readonly clock: Clock;
  /** Base of the HTTP history URL in token replies (`https://host:port`, no trailing slash). */
  readonly publicUrl: string;
  /** The host of `sip:sylkserver@{host}`, the From of token replies (sylk spec §2.7 row D1). */
  readonly serverHost: () => string;
  readonly tokenLifetimeMs: number;
  readonly newId: () => string;
  /** Stored transfer files; undefined: none kept here. */
  readonly files?: TransferFiles | undefined;
  readonly logger?: Logger | undefined;
}

/** Sends one of the server's own MESSAGEs without waiting; a failure is logged. */
export function sendOwn(context: MessagingContext, message: Parameters<OwnMessageSender['send']>[0]): void {
  context.uac.send(message).catch((error: unknown) => {
    context.logger?.warn({ err: error, contentType: message.contentType }, 'own MESSAGE not sent');
  });
}
