/**
 * Who "we" are: the SIP domains served and the addresses listened on. A URI is ours when its host is a served
 * domain, or it names one of our listening points (host and port, the port defaulting as RFC 3261 §19.1.2 says).
 */
import { normalizeHost } from '../sip/grammar/host.js';
import type { SipUri } from '../sip/uri.js';
import { defaultPort } from '../sip/transport/response-target.js';
import type { TransportProtocol } from '../sip/transport/types.js';

export interface ListeningPoint {
  readonly transport: TransportProtocol;
  /** The address written into Via and Record-Route (an IP address or a name that resolves to it). */
  readonly host: string;
  readonly port: number;
}

export class LocalAddresses {
  #domains: ReadonlySet<string>;
  readonly #points: ListeningPoint[] = [];

  constructor(domains: Iterable<string>) {
    this.#domains = new Set([...domains].map(normalizeHost));
  }

  /** The domains served, anew (a reload): requests from now on are judged by them. */
  setDomains(domains: Iterable<string>): void {
    this.#domains = new Set([...domains].map(normalizeHost));
  }

  addPoint(point: ListeningPoint): void {
    this.#points.push(point);
  }

  get domains(): ReadonlySet<string> {
    return this.#domains;
  }

  isLocalDomain(host: string): boolean {
    return this.#domains.has(normalizeHost(host));
  }

  /** Whether `uri` addresses this server itself, by domain or by listening address. */
  isLocalUri(uri: SipUri): boolean {
    return this.isLocalDomain(uri.host) || this.isListeningAddress(uri.host, uri.port, uri.secure);
  }

  isListeningAddress(host: string, port: number | undefined, secure = false): boolean {
    const wanted = normalizeHost(host);
    return this.#points.some(
      (point) =>
        normalizeHost(point.host) === wanted &&
        point.port === (port ?? (secure ? 5061 : defaultPort(point.transport))),
    );
  }

  /** The listening point of a transport (the first one when there are several). */
  pointFor(transport: TransportProtocol): ListeningPoint | undefined {
    return this.#points.find((point) => point.transport === transport);
  }
}
