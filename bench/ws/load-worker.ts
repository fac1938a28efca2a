/**
 * A load-generator process of `npm run bench:ws` (forked by run.ts, so that the server's process is measured
 * alone). Driven over the IPC channel (load-protocol.ts): `connect` opens and registers a range of the
 * benchmark's subscribers from one local address, a bounded number at a time; `send` sends `account-message`
 * at a fixed rate (open loop) from the even connections to the odd one beside each, and times each message
 * from its send to the recipient's `message` event (one clock: both ends live in this process); `close`
 * ends every connection and the process.
 */
import { performance } from 'node:perf_hooks';
import { BenchClient, benchSubscriber, type ClientEvents } from './client.js';
import type {
  ConnectCommand,
  ConnectReport,
  SendCommand,
  SendReport,
  WorkerCommand,
} from './load-protocol.js';

/** A delivery not seen this long after the last send counts as missing. */
const DRAIN_MS = 10_000;
const TICK_MS = 5;

class LoadWorker implements ClientEvents {
  readonly #clients: BenchClient[] = [];
  /** message id → send time, for messages being timed. */
  readonly #inFlight = new Map<string, number>();
  /** transaction → send time. */
  readonly #awaitingAck = new Map<string, number>();
  #latencies: number[] = [];
  #ackLatencies: number[] = [];
  #errors = new Map<string, number>();
  #recording = false;
  /** Acks and `message` events since the `send` command, warm-up included. */
  #ackedAll = 0;
  #deliveredAll = 0;
  #sequence = 0;

  async connect(command: ConnectCommand): Promise<ConnectReport> {
    const started = performance.now();
    const failures = new Map<string, number>();
    let next = 0;
    const opener = async (): Promise<void> => {
      for (let k = next++; k < command.count; k = next++) {
        const subscriber = benchSubscriber(command.first + k, command.domain);
        try {
          this.#clients.push(
            await BenchClient.open(command.url, command.localAddress, subscriber, this, command.timeoutMs),
          );
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          failures.set(reason, (failures.get(reason) ?? 0) + 1);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, command.concurrency) }, opener));
    return {
      type: 'connected',
      registered: this.#clients.length,
      failures: Object.fromEntries(failures),
      seconds: (performance.now() - started) / 1000,
    };
  }

  async send(command: SendCommand): Promise<SendReport> {
    const pairs = Math.floor(this.#clients.length / 2);
    if (pairs === 0 || command.rate <= 0) {
      return {
        type: 'sent',
        sent: 0,
        latencies: [],
        ackLatencies: [],
        missing: 0,
        errors: {},
        ackedAll: 0,
        deliveredAll: 0,
      };
    }
    this.#errors = new Map();
    this.#ackedAll = 0;
    this.#deliveredAll = 0;
    await this.#sendFor(command.warmupSeconds, command.rate, pairs);
    this.#latencies = [];
    this.#ackLatencies = [];
    this.#inFlight.clear();
    this.#awaitingAck.clear();
    this.#recording = true;
    const sent = await this.#sendFor(command.seconds, command.rate, pairs);
    const drainUntil = performance.now() + DRAIN_MS;
    while ((this.#inFlight.size > 0 || this.#awaitingAck.size > 0) && performance.now() < drainUntil) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    this.#recording = false;
    return {
      type: 'sent',
      sent,
      latencies: this.#latencies,
      ackLatencies: this.#ackLatencies,
      missing: this.#inFlight.size,
      errors: Object.fromEntries(this.#errors),
      ackedAll: this.#ackedAll,
      deliveredAll: this.#deliveredAll,
    };
  }

  close(): void {
    for (const client of this.#clients) client.close();
    this.#clients.length = 0;
  }

  onMessageReply(transaction: string, error: string | undefined): void {
    const sentAt = this.#awaitingAck.get(transaction);
    if (error === undefined) this.#ackedAll++;
    if (sentAt !== undefined) {
      this.#awaitingAck.delete(transaction);
      if (this.#recording) this.#ackLatencies.push(performance.now() - sentAt);
    }
    if (error !== undefined) this.#errors.set(error, (this.#errors.get(error) ?? 0) + 1);
  }

  onMessage(messageId: string): void {
    this.#deliveredAll++;
    const sentAt = this.#inFlight.get(messageId);
    if (sentAt === undefined) return;
    this.#inFlight.delete(messageId);
    if (this.#recording) this.#latencies.push(performance.now() - sentAt);
  }

  /** Sends at `rate` per second for `seconds` (open loop: what is due is sent, late or not); the count. */
  async #sendFor(seconds: number, rate: number, pairs: number): Promise<number> {
    const start = performance.now();
    const total = Math.round(seconds * rate);
    let sent = 0;
    while (sent < total) {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate) + 1);
      for (; sent < due; sent++) this.#sendOne(pairs);
      await new Promise((resolve) => setTimeout(resolve, TICK_MS));
    }
    return sent;
  }

  #sendOne(pairs: number): void {
    const pair = this.#sequence % pairs;
    const sender = this.#clients[2 * pair];
    const recipient = this.#clients[2 * pair + 1];
    const sequence = this.#sequence++;
    if (sender === undefined || recipient === undefined || !sender.open) {
      this.#errors.set('sender not open', (this.#errors.get('sender not open') ?? 0) + 1);
      return;
    }
    const messageId = `b${String(process.pid)}-${String(sequence)}`;
    const now = performance.now();
    this.#inFlight.set(messageId, now);
    const transaction = sender.sendMessage(recipient.subscriber.account, messageId, `message ${messageId}`);
    this.#awaitingAck.set(transaction, now);
  }
}

const worker = new LoadWorker();
const reply = (message: ConnectReport | SendReport | { type: 'closed' }): void => {
  process.send?.(message);
};
process.on('message', (message: WorkerCommand) => {
  switch (message.cmd) {
    case 'connect':
      void worker.connect(message).then(reply);
      return;
    case 'send':
      void worker.send(message).then(reply);
      return;
    case 'close':
      worker.close();
      process.send?.({ type: 'closed' }, () => {
        process.exit(0);
      });
      return;
  }
});
process.on('disconnect', () => {
  worker.close();
  process.exit(0);
});
