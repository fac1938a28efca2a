/**
 * One sylkRTC WebSocket connection (sylk spec §1.2, §1.3, §1.6, §1.8). It starts in `starting`, sends exactly
 * one `ready-event` when started, and queues what arrives before. Each text frame is parsed (envelope.ts);
 * an invalid request is answered at once, a valid one joins the connection's FIFO and requests run strictly
 * one after another, each answered `ack` or `error`. Limits, each answered with an `error` that says which
 * while the connection stays: the frame size, the request rate (every frame counts) and the queue length;
 * a client that goes on sending a whole burst beyond the rate is closed (1008). The connection is
 * closed when it has no registered account `loginTimeoutSeconds` after it opened, when a Pong does not come
 * within half the ping interval, or when the client stops reading (maxBufferedBytes). Nothing here throws
 * into the socket's event handlers.
 */
import type { Logger } from 'pino';
import type { RawData, WebSocket } from 'ws';
import type { MessagingService } from '../../messaging/service.js';
import type { Clock, Timer } from '../../time/clock.js';
import { ConnectionAccounts } from './accounts.js';
import { parseFrame } from './envelope.js';
import type { Ha1Check } from './ha1-check.js';
import { lookUpPublicKey, runMessagingRequest } from './messaging-requests.js';
import {
  ACK,
  ackFrame,
  errorFrame,
  type Frame,
  INTERNAL_ERROR,
  type Outcome,
  READY_FRAME,
  refused,
} from './outcome.js';
import { RequestRate } from './request-rate.js';
import type { SylkRequest } from './requests.js';
import { POLICY_CLOSE_CODE, STARTUP_FAILED_CLOSE_CODE, type SylkRtcSettings } from './settings.js';

export const CALLS_UNSUPPORTED = 'Calls and video rooms are not supported by this server';
/** Time a peer has to answer our close frame. */
const CLOSE_GRACE_MS = 5000;

export const MESSAGING_UNAVAILABLE = 'Messaging is not available on this server';

export interface SylkRtcConnectionInit {
  readonly id: string;
  readonly socket: WebSocket;
  /** The client's address (for the failed-login limiter and the logs). */
  readonly source: string;
  readonly settings: SylkRtcSettings;
  readonly clock: Clock;
  readonly ha1Check: Ha1Check;
  readonly messaging: MessagingService | undefined;
  readonly touchAccount: (account: string) => Promise<void>;
  readonly logger: Logger | undefined;
  readonly onClose: (connection: SylkRtcConnection) => void;
}

type State = 'starting' | 'started' | 'closed';

export class SylkRtcConnection {
  readonly id: string;
  readonly #init: SylkRtcConnectionInit;
  readonly #socket: WebSocket;
  readonly #accounts: ConnectionAccounts;
  readonly #rate: RequestRate;
  readonly #queue: SylkRequest[] = [];
  /** Frames that arrived while starting (sylk spec §1.2 step 1). */
  readonly #early: [Buffer, boolean][] = [];
  readonly #logger: Logger | undefined;
  #state: State = 'starting';
  #running = false;
  /** Frames refused for the rate since the last one accepted. */
  #refusedInARow = 0;
  #loginTimer: Timer | undefined;
  #pingTimer: Timer | undefined;
  #pongTimer: Timer | undefined;

  constructor(init: SylkRtcConnectionInit) {
    this.id = init.id;
    this.#init = init;
    this.#socket = init.socket;
    this.#logger = init.logger?.child({ connection: init.id });
    const { settings } = init;
    this.#rate = new RequestRate(init.clock, settings.requestsPerSecond, settings.requestBurst);
    this.#accounts = new ConnectionAccounts({
      device: { id: init.id },
      source: init.source,
      ha1Check: init.ha1Check,
      messaging: init.messaging,
      touchAccount: init.touchAccount,
      sipDomains: settings.sipDomains,
      maxAccounts: settings.maxAccounts,
      send: (frame) => {
        this.send(frame);
      },
      onAuthenticated: () => {
        this.#loginTimer?.cancel();
        this.#loginTimer = undefined;
      },
      logger: this.#logger,
    });
    const socket = init.socket;
    socket.binaryType = 'nodebuffer';
    socket.on('message', (data: RawData, isBinary: boolean) => {
      this.#onFrame(toBuffer(data), isBinary);
    });
    socket.on('pong', () => {
      this.#pongTimer?.cancel();
      this.#pongTimer = undefined;
    });
    socket.on('error', (error) => {
      // ws closes the connection itself (a frame too large: 1009); 'close' follows.
      this.#logger?.debug({ err: error }, 'sylkRTC connection error');
    });
    socket.on('close', () => {
      this.#onClosed();
    });
    this.#loginTimer = init.clock.schedule(settings.loginTimeoutSeconds * 1000, () => {
      this.#logger?.info('sylkRTC connection closed: no account registered in time');
      this.close(POLICY_CLOSE_CODE, 'No account registered in time');
    });
    this.#schedulePing();
  }

  /**
   * sylk spec §1.2: start-up done, `ready-event` sent and the queued requests run; `failure`: closed with
   * code 3000 and the reason.
   */
  started(failure?: string): void {
    if (this.#state !== 'starting') return;
    if (failure !== undefined) {
      this.close(STARTUP_FAILED_CLOSE_CODE, failure);
      return;
    }
    this.#state = 'started';
    this.send(READY_FRAME);
    for (const [data, isBinary] of this.#early.splice(0)) this.#onFrame(data, isBinary);
    void this.#pump();
  }

  /** Sends one frame; a client that does not read is closed rather than buffered for without end. */
  send(frame: Frame): void {
    if (this.#state === 'closed' || this.#socket.readyState !== this.#socket.OPEN) return;
    const text = JSON.stringify(frame);
    if (this.#socket.bufferedAmount + text.length > this.#init.settings.maxBufferedBytes) {
      this.#logger?.warn('sylkRTC connection closed: the client does not read');
      this.#socket.terminate();
      return;
    }
    this.#socket.send(text);
  }

  /** Whether `account` (`user@domain`) is registered on this connection now (account-register succeeded). */
  isRegistered(account: string): boolean {
    return !this.closed && this.#accounts.isRegistered(account);
  }

  get closed(): boolean {
    return this.#state === 'closed';
  }

  close(code: number, reason: string): void {
    if (this.#state === 'closed') return;
    try {
      this.#socket.close(code, reason.slice(0, 60));
    } catch {
      // A reason over 123 bytes once encoded (ws refuses it): closed without one.
      this.#socket.close(code);
    }
    // A peer that never answers the close frame is cut off.
    const socket = this.#socket;
    this.#init.clock.schedule(CLOSE_GRACE_MS, () => {
      if (socket.readyState !== socket.CLOSED) socket.terminate();
    });
    this.#onClosed();
  }

  #onFrame(data: Buffer, isBinary: boolean): void {
    if (this.#state === 'closed') return;
    if (this.#state === 'starting') {
      // Held whole, answers included, so that the ready-event is the first frame the client gets.
      if (this.#early.length < this.#init.settings.maxQueuedRequests) this.#early.push([data, isBinary]);
      return;
    }
    // Every frame costs a token, answered or not: garbage is no way around the rate.
    const withinRate = this.#rate.take();
    if (withinRate) this.#refusedInARow = 0;
    else if (++this.#refusedInARow > this.#init.settings.requestBurst) {
      // A client that keeps sending a burst's worth beyond the rate is not listening to the errors.
      this.#logger?.info('sylkRTC connection closed: too many requests');
      this.close(POLICY_CLOSE_CODE, 'Too many requests');
      return;
    }
    if (isBinary) {
      this.#logger?.debug({ bytes: data.length }, 'sylkRTC binary frame ignored');
      return;
    }
    const parsed = parseFrame(data.toString('utf8'));
    const { settings } = this.#init;
    const refusal = !withinRate
      ? `Too many requests (limit ${String(settings.requestsPerSecond)} per second)`
      : data.length > settings.maxFrameBytes
        ? // Under ws's hard limit (twice this): answered, and the connection kept.
          `Request too large: ${String(data.length)} bytes (limit ${String(settings.maxFrameBytes)})`
        : undefined;
    if (refusal !== undefined) {
      const reply =
        parsed.kind === 'request'
          ? { transaction: parsed.request.transaction }
          : parsed.kind === 'invalid'
            ? parsed.reply
            : undefined;
      if (reply !== undefined) this.send(errorFrame(reply.transaction, refusal));
      return;
    }
    switch (parsed.kind) {
      case 'ignored':
        this.#logger?.debug({ reason: parsed.reason, type: parsed.type }, 'sylkRTC frame ignored');
        return;
      case 'invalid':
        // account-add's text may quote the password field: not logged.
        this.#logger?.debug(
          { type: parsed.type, error: parsed.type === 'account-add' ? undefined : parsed.error },
          'sylkRTC request invalid',
        );
        if (parsed.reply !== undefined) this.send(errorFrame(parsed.reply.transaction, parsed.error));
        return;
      case 'request':
        this.#enqueue(parsed.request);
        return;
    }
  }

  #enqueue(request: SylkRequest): void {
    const { settings } = this.#init;
    if (this.#queue.length >= settings.maxQueuedRequests) {
      this.send(
        errorFrame(
          request.transaction,
          `Too many requests waiting (limit ${String(settings.maxQueuedRequests)})`,
        ),
      );
      return;
    }
    this.#queue.push(request);
    void this.#pump();
  }

  /** Runs the queued requests one after another (sylk spec §1.3 rule 4). */
  async #pump(): Promise<void> {
    if (this.#running || this.#state !== 'started') return;
    this.#running = true;
    try {
      for (let request = this.#queue.shift(); request !== undefined; request = this.#queue.shift()) {
        if (this.closed) return;
        const outcome = await this.#execute(request);
        if (outcome.kind === 'error') {
          this.send(errorFrame(request.transaction, outcome.error));
          continue;
        }
        this.send(ackFrame(request.transaction));
        if (outcome.afterAck !== undefined) await this.#guarded(request, outcome.afterAck);
      }
    } finally {
      this.#running = false;
    }
  }

  async #execute(request: SylkRequest): Promise<Outcome> {
    try {
      return await this.#dispatch(request);
    } catch (error) {
      this.#logger?.error({ err: error, request: request.sylkrtc }, 'sylkRTC request failed');
      return refused(INTERNAL_ERROR);
    }
  }

  async #guarded(request: SylkRequest, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      this.#logger?.error({ err: error, request: request.sylkrtc }, 'sylkRTC request failed after its ack');
    }
  }

  #dispatch(request: SylkRequest): Outcome | Promise<Outcome> {
    const messaging = this.#init.messaging;
    switch (request.sylkrtc) {
      case 'ping':
        return ACK;
      case 'lookup-public-key':
        if (messaging === undefined) return refused(MESSAGING_UNAVAILABLE);
        return lookUpPublicKey(messaging, request.uri, (frame) => {
          this.send(frame);
        });
      case 'account-add':
        return this.#accounts.add(request);
      case 'account-remove':
        return this.#accounts.remove(request);
      case 'account-register':
        return this.#accounts.register(request);
      case 'account-unregister':
        return this.#accounts.unregister(request);
      case 'account-devicetoken':
        return this.#accounts.deviceToken(request);
      case 'call':
        return refused(CALLS_UNSUPPORTED);
      default: {
        const caller = this.#accounts.callerFor(request.account);
        if (!caller.ok) return refused(caller.error);
        if (messaging === undefined) return refused(MESSAGING_UNAVAILABLE);
        return runMessagingRequest(messaging, caller.caller, request, (frame) => {
          this.send(frame);
        });
      }
    }
  }

  /** WebSocket Ping frames (sylk spec §1.1): no Pong within half the interval closes the connection. */
  #schedulePing(): void {
    const intervalMs = this.#init.settings.pingIntervalSeconds * 1000;
    this.#pingTimer = this.#init.clock.schedule(intervalMs, () => {
      if (this.#state === 'closed') return;
      if (this.#pongTimer === undefined) {
        this.#pongTimer = this.#init.clock.schedule(intervalMs / 2, () => {
          this.#logger?.info('sylkRTC connection closed: no pong');
          this.#socket.terminate();
        });
      }
      try {
        this.#socket.ping();
      } catch {
        // Not open any more: 'close' follows.
      }
      this.#schedulePing();
    });
  }

  #onClosed(): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#queue.length = 0;
    this.#early.length = 0;
    this.#loginTimer?.cancel();
    this.#pingTimer?.cancel();
    this.#pongTimer?.cancel();
    this.#accounts.close();
    this.#init.onClose(this);
  }
}

/** ws hands a message over as one Buffer with binaryType 'nodebuffer'; the other shapes are for safety. */
function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
