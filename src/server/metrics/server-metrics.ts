/**
 * The Prometheus series of `missive serve`, on one prom-client Registry that the composition root makes and
 * passes here (no global default registry). The layers below never import prom-client: each is handed one
 * of the small observers this class returns (SIP traffic, failed logins, message outcomes, HTTP requests,
 * journal latency), or is read at scrape time through a gauge's collect (transactions, connections,
 * bindings, WebSocket connections, pushes), which costs nothing between scrapes.
 *
 * Labels are bounded so that a peer cannot grow the registry: a method outside RFC 3261's and its
 * extensions' is counted as `other`, a status by its class, a refusal by its reason phrase without detail,
 * an HTTP request by its route pattern (never its path).
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { PushStatsSnapshot } from '../../push/push-stats.js';
import type { MessageOutcomes } from '../../messaging/outcomes.js';
import { getCSeq } from '../../sip/headers/cseq.js';
import type { SipMessage, SipRequest, SipResponse } from '../../sip/message/message.js';
import { MethodClassTally, MethodTally } from './sip-tally.js';

/** Told of each SIP message received and each one sent (sip-service.ts calls it; cheap, no allocation). */
export interface SipTraffic {
  received(message: SipMessage): void;
  sent(message: SipMessage): void;
  /**
   * A client transaction's first final response (the transaction layer's onClientFinal). A final response
   * retransmitted over UDP is received again, but it delivers nothing new.
   */
  answered(request: SipRequest, response: SipResponse): void;
}

export type LoginProtocol = 'sip' | 'msrp' | 'sylkrtc';

/** Values read at scrape time. */
export interface ScrapeSources {
  readonly serverTransactions: () => number;
  readonly clientTransactions: () => number;
  /** Open SIP connections (TCP, TLS, WS, WSS) by transport. */
  readonly connectionsByTransport: () => ReadonlyMap<string, number>;
  /** Registration bindings in the store (all instances sharing it). */
  readonly bindings: () => Promise<number>;
  /** Open sylkRTC (WebSocket API) connections. */
  readonly sylkRtcConnections: () => number;
}

export class ServerMetrics {
  readonly registry: Registry;
  /** The SIP series count into these on the hot path; the counters read them at scrape time (sip-tally.ts). */
  readonly #requestsTally = new MethodTally();
  readonly #responsesSentTally = new MethodClassTally();
  readonly #responsesReceivedTally = new MethodClassTally();
  readonly #deliveredCounts = { sip: 0, websocket: 0 };
  readonly #loginFailures: Counter<'protocol'>;
  readonly #messages: Counter<'outcome'>;
  readonly #refused: Counter<'reason'>;
  readonly #http: Counter<'route' | 'status'>;
  readonly #storage: Histogram<'operation'>;
  /** Series rendered outside prom-client (the relay's, with their own names), appended to the registry's. */
  readonly #texts: (() => string)[] = [];

  constructor(registry: Registry) {
    this.registry = registry;
    const registers = [registry];
    collectDefaultMetrics({ register: registry });
    const requestsTally = this.#requestsTally;
    const responsesSentTally = this.#responsesSentTally;
    const responsesReceivedTally = this.#responsesReceivedTally;
    const deliveredCounts = this.#deliveredCounts;
    new Counter({
      name: 'missive_sip_requests_received_total',
      help: 'SIP requests received, by method (retransmissions included).',
      labelNames: ['method'],
      registers,
      collect() {
        requestsTally.publish(this);
      },
    });
    new Counter({
      name: 'missive_sip_responses_sent_total',
      help: 'SIP responses sent, by the method of their request and status class.',
      labelNames: ['method', 'class'],
      registers,
      collect() {
        responsesSentTally.publish(this);
      },
    });
    new Counter({
      name: 'missive_sip_responses_received_total',
      help: 'SIP responses received (to requests missive sent or forwarded), by method and status class.',
      labelNames: ['method', 'class'],
      registers,
      collect() {
        responsesReceivedTally.publish(this);
      },
    });
    new Counter({
      name: 'missive_messages_delivered_total',
      help: 'Messages handed to a device: the first 2xx of a SIP device (not its retransmissions), or a message event sent to a sylkRTC connection.',
      labelNames: ['via'],
      registers,
      collect() {
        this.reset();
        for (const via of ['sip', 'websocket'] as const)
          if (deliveredCounts[via] > 0) this.labels(via).inc(deliveredCounts[via]);
      },
    });
    this.#loginFailures = new Counter({
      name: 'missive_login_failures_total',
      help: 'Failed logins (wrong password or unknown account), by protocol.',
      labelNames: ['protocol'],
      registers,
    });
    this.#messages = new Counter({
      name: 'missive_messages_total',
      help: 'MESSAGEs taken in by the messaging service: stored, duplicate (a retry) or refused.',
      labelNames: ['outcome'],
      registers,
    });
    this.#refused = new Counter({
      name: 'missive_messages_refused_total',
      help: 'MESSAGEs refused, by reason phrase.',
      labelNames: ['reason'],
      registers,
    });
    this.#http = new Counter({
      name: 'missive_http_requests_total',
      help: 'HTTP requests on the web port, by route pattern and status.',
      labelNames: ['route', 'status'],
      registers,
    });
    this.#storage = new Histogram({
      name: 'missive_storage_seconds',
      help: 'Journal reads and writes, by operation.',
      labelNames: ['operation'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    for (const outcome of ['stored', 'duplicate', 'refused']) this.#messages.labels(outcome).inc(0);
    for (const protocol of ['sip', 'msrp', 'sylkrtc']) this.#loginFailures.labels(protocol).inc(0);
  }

  /** The exposition text: the registry's series, then the texts added. */
  async render(): Promise<string> {
    let text = await this.registry.metrics();
    for (const more of this.#texts) text += more();
    return text;
  }

  /** Series in Prometheus text format that another part renders itself (the relay's). */
  addText(render: () => string): void {
    this.#texts.push(render);
  }

  /** Counts SIP traffic; handed to the SIP service. */
  readonly sip: SipTraffic = {
    received: (message) => {
      if (message.kind === 'request') this.#requestsTally.add(message.method);
      else this.#responsesReceivedTally.add(getCSeq(message.headers)?.method, message.status);
    },
    sent: (message) => {
      if (message.kind === 'response')
        this.#responsesSentTally.add(getCSeq(message.headers)?.method, message.status);
    },
    answered: (request, response) => {
      if (request.method === 'MESSAGE' && response.status >= 200 && response.status < 300)
        this.#deliveredCounts.sip++;
    },
  };

  readonly messages: MessageOutcomes = {
    stored: () => {
      this.#messages.labels('stored').inc();
    },
    duplicate: () => {
      this.#messages.labels('duplicate').inc();
    },
    refused: (answer) => {
      this.#messages.labels('refused').inc();
      this.#refused.labels(reasonLabel(answer.reason ?? String(answer.status))).inc();
    },
  };

  /** A message event handed to one sylkRTC connection. */
  deliveredOverWebSocket(): void {
    this.#deliveredCounts.websocket++;
  }

  loginFailed(protocol: LoginProtocol): void {
    this.#loginFailures.labels(protocol).inc();
  }

  /** One answered HTTP request; `route` is the matched pattern (`/history/:account`), never the path. */
  httpRequest(route: string, status: number): void {
    this.#http.labels(route, String(status)).inc();
  }

  /** One journal operation took `seconds`. */
  storage(operation: string, seconds: number): void {
    this.#storage.labels(operation).observe(seconds);
  }

  /** The gauges read at scrape time. */
  addScrapeSources(sources: ScrapeSources): void {
    const registers = [this.registry];
    new Gauge({
      name: 'missive_sip_transactions',
      help: 'SIP transactions kept (in progress, or completed and absorbing retransmissions), by side.',
      labelNames: ['side'],
      registers,
      collect() {
        this.labels('server').set(sources.serverTransactions());
        this.labels('client').set(sources.clientTransactions());
      },
    });
    new Gauge({
      name: 'missive_sip_connections',
      help: 'Open SIP connections, by transport.',
      labelNames: ['transport'],
      registers,
      collect() {
        const counts = sources.connectionsByTransport();
        for (const transport of ['tcp', 'tls', 'ws', 'wss'])
          this.labels(transport).set(counts.get(transport) ?? 0);
      },
    });
    new Gauge({
      name: 'missive_registrations',
      help: 'Registration bindings in the store.',
      registers,
      async collect() {
        this.set(await sources.bindings());
      },
    });
    new Gauge({
      name: 'missive_sylkrtc_connections',
      help: 'Open sylkRTC WebSocket API connections.',
      registers,
      collect() {
        this.set(sources.sylkRtcConnections());
      },
    });
  }

  /**
   * Push dispatch counters, read from a snapshot at scrape time: each key of the snapshot becomes
   * `missive_push_<key>` (e.g. sent, failed). For the push dispatcher's `pushStats()`.
   */
  addPushStats(snapshot: () => PushStatsSnapshot): void {
    const registers = [this.registry];
    // Cumulative in the dispatcher: each scrape sets the series to the snapshot's values.
    new Counter({
      name: 'missive_pushes_total',
      help: 'Pushes by provider and result: sent, failed (refused, gone, or given up), retried, dropped (queue full).',
      labelNames: ['provider', 'result'],
      registers,
      collect() {
        this.reset();
        for (const [provider, counters] of Object.entries(snapshot().byProvider)) {
          for (const result of ['sent', 'failed', 'retried', 'dropped'] as const) {
            this.labels(provider, result).inc(counters[result]);
          }
        }
      },
    });
    new Counter({
      name: 'missive_push_tokens_removed_total',
      help: 'Device tokens removed because the provider said they are gone, by provider.',
      labelNames: ['provider'],
      registers,
      collect() {
        this.reset();
        for (const [provider, counters] of Object.entries(snapshot().byProvider)) {
          this.labels(provider).inc(counters.tokensRemoved);
        }
      },
    });
    new Counter({
      name: 'missive_pushes_unrouted_total',
      help: 'Pushes not sent: no provider is configured for the device app.',
      registers,
      collect() {
        this.reset();
        this.inc(snapshot().unrouted);
      },
    });
    new Gauge({
      name: 'missive_push_queue',
      help: 'Pushes waiting (queued, for a slot or their next try) and being sent (in_flight).',
      labelNames: ['state'],
      registers,
      collect() {
        const now = snapshot();
        this.labels('queued').set(now.queued);
        this.labels('in_flight').set(now.inFlight);
      },
    });
  }
}

/** `Invalid Public Key: bad packet` → `Invalid Public Key`: the detail after a colon is per message. */
function reasonLabel(reason: string): string {
  const colon = reason.indexOf(':');
  return (colon < 0 ? reason : reason.slice(0, colon)).slice(0, 64);
}
