/**
 * The messaging events of each account, to the devices that subscribed for it (sylk spec §1.5): an adapter
 * subscribes once the device has authenticated, for that account alone, and an event reaches only the
 * subscribers of the account it is about (sylk spec §8.32), never the device that caused it (sylk spec
 * §1.5.3). Push events are not for devices: they go to the push dispatcher alone.
 */
import type { Logger } from 'pino';
import type { MessagePush, MessagingEvent, MessagingEventSink } from './events.js';
import { type DeviceEvent, isDeviceEvent } from './remote-event.js';
import type { DeviceRef, Subscription } from './service.js';

interface Subscriber {
  readonly device: DeviceRef;
  readonly listener: (event: MessagingEvent) => void;
}

export interface AccountSubscriptionsOptions {
  /** Where push events go (the push dispatcher); without one they are dropped. */
  readonly onPush?: ((push: MessagePush) => void) | undefined;
  /** Told about a listener that threw; the other subscribers still get the event. */
  readonly logger?: Logger | undefined;
  /** Told each time a message event is handed to a device (the server's metrics). */
  readonly onMessageDelivered?: (() => void) | undefined;
  /** Several instances: the devices' events also go to the account's devices on the other instances. */
  readonly fanout?: EventFanout | undefined;
}

/** Where events go to reach the devices connected to other instances (cluster-events.ts, over the store). */
export interface EventFanout {
  publish(event: DeviceEvent): void;
}

export class AccountSubscriptions implements MessagingEventSink {
  readonly #byAccount = new Map<string, Set<Subscriber>>();
  readonly #onPush: ((push: MessagePush) => void) | undefined;
  readonly #logger: Logger | undefined;
  readonly #onMessageDelivered: (() => void) | undefined;
  readonly #fanout: EventFanout | undefined;

  constructor(options: AccountSubscriptionsOptions = {}) {
    this.#onPush = options.onPush;
    this.#logger = options.logger;
    this.#onMessageDelivered = options.onMessageDelivered;
    this.#fanout = options.fanout;
  }

  /** `account` is the authenticated `user@domain`; the adapter ends the subscription when the device goes. */
  subscribe(account: string, device: DeviceRef, listener: (event: MessagingEvent) => void): Subscription {
    const subscriber: Subscriber = { device, listener };
    let subscribers = this.#byAccount.get(account);
    if (subscribers === undefined) {
      subscribers = new Set();
      this.#byAccount.set(account, subscribers);
    }
    subscribers.add(subscriber);
    return {
      unsubscribe: () => {
        const current = this.#byAccount.get(account);
        if (current === undefined) return;
        current.delete(subscriber);
        // No entry is kept for an account nobody listens to: the map holds live devices only.
        if (current.size === 0) this.#byAccount.delete(account);
      },
    };
  }

  /** How many devices listen to `account` (for tests and metrics). */
  subscriberCount(account: string): number {
    return this.#byAccount.get(account)?.size ?? 0;
  }

  emit(event: MessagingEvent, origin?: DeviceRef): void {
    if (!isDeviceEvent(event)) {
      this.#deliver(() => this.#onPush?.(event.push), event);
      return;
    }
    this.#toDevices(event, origin);
    // The origin device is one of ours: every device on another instance gets the event.
    this.#fanout?.publish(event);
  }

  /** An event another instance emitted: to this instance's devices of the account, and no further. */
  emitFromElsewhere(event: DeviceEvent): void {
    this.#toDevices(event, undefined);
  }

  #toDevices(event: DeviceEvent, origin: DeviceRef | undefined): void {
    const subscribers = this.#byAccount.get(event.account);
    if (subscribers === undefined) return;
    // A copy: a listener may unsubscribe (its device closing) while the event goes round.
    for (const subscriber of [...subscribers]) {
      if (origin !== undefined && subscriber.device.id === origin.id) continue;
      this.#deliver(() => {
        subscriber.listener(event);
      }, event);
      if (event.kind === 'message') this.#onMessageDelivered?.();
    }
  }

  #deliver(call: () => void, event: MessagingEvent): void {
    try {
      call();
    } catch (error) {
      this.#logger?.error({ err: error, kind: event.kind, account: event.account }, 'event listener failed');
    }
  }
}
