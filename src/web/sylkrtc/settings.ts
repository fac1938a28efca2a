/**
 * The sylkRTC API's settings and limits (sylk spec §1.1, sylk spec §7.1, and sylk spec §8.41: the reference has no limits). Each
 * limit is answered with an `error` that says which, and the connection is kept where it can be.
 */

export interface SylkRtcSettings {
  /** Allowed Origin patterns (`web_origins`, sylk spec §1.1); `*` matches anything. */
  readonly webOrigins: readonly string[];
  /** Domains account-add accepts (`sip_domains`); `*`: any. */
  readonly sipDomains: readonly string[];
  /** Seconds between WebSocket Ping frames; no Pong within half of it closes the connection. */
  readonly pingIntervalSeconds: number;
  /**
   * The largest request frame handled. A larger one, up to twice this, is answered with an error and the
   * connection kept; beyond that the WebSocket layer closes the connection (1009, RFC 6455 §7.4.1).
   */
  readonly maxFrameBytes: number;
  /** Requests per second a connection may keep sending (a token bucket); beyond: an error. */
  readonly requestsPerSecond: number;
  /** Requests a connection may send at once before requestsPerSecond applies. */
  readonly requestBurst: number;
  /** Requests waiting in a connection's queue; beyond: an error. */
  readonly maxQueuedRequests: number;
  /** Accounts added on one connection. */
  readonly maxAccounts: number;
  /** A connection without a registered account this long after it opened is closed. */
  readonly loginTimeoutSeconds: number;
  /** Bytes queued towards a client that does not read; beyond, the connection is closed. */
  readonly maxBufferedBytes: number;
}

export const DEFAULT_SYLKRTC_SETTINGS: SylkRtcSettings = {
  webOrigins: ['*'],
  sipDomains: ['*'],
  pingIntervalSeconds: 120,
  // A 64 KiB message (--max-message-bytes) written as JSON, escapes included, and its envelope.
  maxFrameBytes: 256 * 1024,
  requestsPerSecond: 20,
  // sylkrtc.js sends a long text as one request per 4 KiB piece, all at once.
  requestBurst: 100,
  maxQueuedRequests: 200,
  maxAccounts: 10,
  loginTimeoutSeconds: 60,
  maxBufferedBytes: 32 * 1024 * 1024,
};

/** The close code for a start-up failure (sylk spec §1.2). */
export const STARTUP_FAILED_CLOSE_CODE = 3000;
/** RFC 6455 §7.4.1: the server goes away. */
export const GOING_AWAY_CLOSE_CODE = 1001;
/** RFC 6455 §7.4.1: a policy (here: the login deadline) was violated. */
export const POLICY_CLOSE_CODE = 1008;
