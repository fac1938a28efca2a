/** The IPC messages between run.ts and its load-generator processes (load-worker.ts). */

export interface ConnectCommand {
  readonly cmd: 'connect';
  readonly url: string;
  /** The loopback address the connections come from (each has its own ephemeral ports). */
  readonly localAddress: string;
  readonly domain: string;
  /** Index of the first benchmark subscriber (bench<i>@domain) and how many to open. */
  readonly first: number;
  readonly count: number;
  /** Connections being opened at once. */
  readonly concurrency: number;
  readonly timeoutMs: number;
}

export interface SendCommand {
  readonly cmd: 'send';
  /** This process's share of the messages per second. */
  readonly rate: number;
  readonly warmupSeconds: number;
  readonly seconds: number;
}

export type WorkerCommand = ConnectCommand | SendCommand | { readonly cmd: 'close' };

export interface ConnectReport {
  readonly type: 'connected';
  readonly registered: number;
  /** Failure reason → count. */
  readonly failures: Readonly<Record<string, number>>;
  readonly seconds: number;
}

export interface SendReport {
  readonly type: 'sent';
  readonly sent: number;
  /** ms from send to the recipient's `message` event, one per delivered message. */
  readonly latencies: readonly number[];
  /** ms from send to the sender's `ack` (or `error`). */
  readonly ackLatencies: readonly number[];
  /** Messages whose `message` event had not come 10 s after the last send. */
  readonly missing: number;
  /** `error` texts → count. */
  readonly errors: Readonly<Record<string, number>>;
  /** Messages acknowledged, and `message` events received, warm-up included. */
  readonly ackedAll: number;
  readonly deliveredAll: number;
}
