/** What the message handlers share: the store, the storage rule, the event sink, the UAC, the clock. */
import type { Logger } from 'pino';
import type { Store } from '../store/store.js';
import type { Clock } from '../time/clock.js';
import type { MessagingEventSink } from './events.js';
import type { OwnMessageSender } from './own-messages.js';
import type { StoragePolicy } from './storage-policy.js';

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
  readonly logger?: Logger | undefined;
}

/** Sends one of the server's own MESSAGEs without waiting; a failure is logged. */
export function sendOwn(context: MessagingContext, message: Parameters<OwnMessageSender['send']>[0]): void {
  context.uac.send(message).catch((error: unknown) => {
    context.logger?.warn({ err: error, contentType: message.contentType }, 'own MESSAGE not sent');
  });
}
