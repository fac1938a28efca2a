/**
 * A lean sylkRTC client for `npm run bench:ws`: one WebSocket (subprotocol `sylkRTC-2`, no
 * per-message-deflate) from a chosen local address, the sylk spec §1.2 start-up (`ready-event` first), then
 * `account-add` with the account's HA1 and `account-register`, sent together (requests run in order, sylk
 * spec §1.3), and resolved on the `registered` state. Afterwards it only reports what the latency phase needs:
 * acks of `account-message` requests and `message` events. It keeps no frames (the test client in
 * test/web/sylkrtc/ keeps every one, which is fine for tens of connections and not for tens of thousands).
 */
import { createHash } from 'node:crypto';
import { WebSocket } from 'ws';

export const SUBPROTOCOL = 'sylkRTC-2';

export interface Subscriber {
  readonly account: string;
  readonly password: string;
}

/** The benchmark's subscribers: `bench<i>@domain` with password `pw-<i>`. */
export function benchSubscriber(index: number, domain: string): Subscriber {
  return { account: `bench${String(index)}@${domain}`, password: `pw-${String(index)}` };
}

/** sylkrtc.js's HA1: MD5 of `user:domain:password`. */
export function ha1(subscriber: Subscriber): string {
  const [user = '', domain = ''] = subscriber.account.split('@');
  return createHash('md5').update(`${user}:${domain}:${subscriber.password}`).digest('hex');
}

export interface ClientEvents {
  /** The `ack` or `error` of an `account-message` this client sent. */
  onMessageReply(transaction: string, error: string | undefined): void;
  /** A `message` event for this client's account. */
  onMessage(messageId: string): void;
}

interface Frame {
  readonly sylkrtc?: unknown;
  readonly transaction?: unknown;
  readonly event?: unknown;
  readonly state?: unknown;
  readonly reason?: unknown;
  readonly error?: unknown;
  readonly message_id?: unknown;
}

const REGISTER_TRANSACTION = 'r';

export class BenchClient {
  readonly subscriber: Subscriber;
  readonly #socket: WebSocket;
  readonly #events: ClientEvents;
  #registered: ((failure: string | undefined) => void) | undefined;

  private constructor(socket: WebSocket, subscriber: Subscriber, events: ClientEvents) {
    this.#socket = socket;
    this.subscriber = subscriber;
    this.#events = events;
  }

  /** Connects and registers; rejects with the reason when any step fails or `timeoutMs` passes. */
  static open(
    url: string,
    localAddress: string,
    subscriber: Subscriber,
    events: ClientEvents,
    timeoutMs: number,
  ): Promise<BenchClient> {
    const socket = new WebSocket(url, SUBPROTOCOL, {
      localAddress,
      perMessageDeflate: false,
      handshakeTimeout: timeoutMs,
    });
    const client = new BenchClient(socket, subscriber, events);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        finish('timed out before registered');
      }, timeoutMs);
      const finish = (failure: string | undefined): void => {
        clearTimeout(timer);
        client.#registered = undefined;
        if (failure === undefined) {
          resolve(client);
          return;
        }
        socket.terminate();
        reject(new Error(failure));
      };
      client.#registered = finish;
      socket.on('error', (error: Error) => {
        client.#registered?.(error.message);
      });
      socket.on('close', (code: number) => {
        client.#registered?.(`closed (${String(code)}) before registered`);
      });
      socket.on('message', (data: Buffer) => {
        client.#onFrame(data);
      });
    });
  }

  get open(): boolean {
    return this.#socket.readyState === WebSocket.OPEN;
  }

  /** Sends an `account-message`; returns its transaction (`m` and the message id, unique as it is). */
  sendMessage(to: string, messageId: string, content: string): string {
    const transaction = `m${messageId}`;
    this.#socket.send(
      JSON.stringify({
        sylkrtc: 'account-message',
        transaction,
        account: this.subscriber.account,
        uri: to,
        message_id: messageId,
        content,
        content_type: 'text/plain',
        timestamp: new Date().toISOString(),
      }),
    );
    return transaction;
  }

  close(): void {
    this.#socket.terminate();
  }

  #onFrame(data: Buffer): void {
    let frame: Frame;
    try {
      frame = JSON.parse(data.toString('utf8')) as Frame;
    } catch {
      this.#registered?.('a frame that is not JSON');
      return;
    }
    switch (frame.sylkrtc) {
      case 'ready-event':
        this.#startUp();
        return;
      case 'account-event':
        if (frame.event === 'registration-state') {
          if (frame.state === 'registered') this.#registered?.(undefined);
          else if (frame.state === 'failed')
            this.#registered?.(`registration failed: ${String(frame.reason)}`);
        } else if (frame.event === 'message' && typeof frame.message_id === 'string') {
          this.#events.onMessage(frame.message_id);
        }
        return;
      case 'ack':
      case 'error': {
        const transaction = typeof frame.transaction === 'string' ? frame.transaction : '';
        const error = frame.sylkrtc === 'error' ? String(frame.error) : undefined;
        if (transaction.startsWith('m')) this.#events.onMessageReply(transaction, error);
        else if (error !== undefined) this.#registered?.(`${transaction}: ${error}`);
        return;
      }
      default:
        return;
    }
  }

  /** account-add and account-register at once: the server runs them in order (sylk spec §1.3 rule 4). */
  #startUp(): void {
    const { account } = this.subscriber;
    this.#socket.send(
      JSON.stringify({
        sylkrtc: 'account-add',
        transaction: 'a',
        account,
        password: ha1(this.subscriber),
        user_agent: 'missive bench:ws',
      }),
    );
    this.#socket.send(
      JSON.stringify({ sylkrtc: 'account-register', transaction: REGISTER_TRANSACTION, account }),
    );
  }
}
