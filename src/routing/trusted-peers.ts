/**
 * Sources whose requests are taken without digest authentication (another proxy, an application server, a
 * benchmark's load generator), as CIDR blocks: `10.0.0.0/8`, `192.0.2.7`, `2001:db8::/32`.
 */
import { BlockList, isIP } from 'node:net';
import type { RequestAuthenticator } from '../registrar/options.js';
import type { AuthContext, AuthOutcome } from '../sip/auth/authenticator.js';
import { unescapeText } from '../sip/grammar/percent.js';
import { getFrom, getTo } from '../sip/headers/name-addr.js';
import type { SipRequest } from '../sip/message/message.js';
import { isSipUri } from '../sip/uri.js';

/** Answers remembered per address: BlockList.check builds a SocketAddress each time. */
const MAX_REMEMBERED = 4096;

export class TrustedPeers {
  #list = new BlockList();
  readonly #answers = new Map<string, boolean>();
  #empty = true;

  constructor(cidrs: Iterable<string>) {
    for (const cidr of cidrs) this.add(cidr);
  }

  /** Throws a TypeError naming the entry when it is not an address or CIDR block. */
  add(cidr: string): void {
    const [address = '', bits, extra] = cidr.trim().split('/');
    const family = isIP(address);
    const prefix = bits === undefined ? (family === 6 ? 128 : 32) : Number(bits);
    const max = family === 6 ? 128 : 32;
    if (family === 0 || extra !== undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > max) {
      throw new TypeError(`not an IP address or CIDR block: ${cidr}`);
    }
    this.#list.addSubnet(address, prefix, family === 6 ? 'ipv6' : 'ipv4');
    this.#empty = false;
    this.#answers.clear();
  }

  /** The whole list anew (a reload); throws like add() and then keeps the old one. */
  replace(cidrs: Iterable<string>): void {
    const next = new TrustedPeers(cidrs);
    this.#list = next.#list;
    this.#empty = next.#empty;
    this.#answers.clear();
  }

  has(address: string): boolean {
    if (this.#empty) return false;
    const known = this.#answers.get(address);
    if (known !== undefined) return known;
    const family = isIP(address);
    const answer = family !== 0 && this.#list.check(address, family === 6 ? 'ipv6' : 'ipv4');
    if (this.#answers.size >= MAX_REMEMBERED) this.#answers.clear();
    this.#answers.set(address, answer);
    return answer;
  }
}

/**
 * Digest authentication that trusted peers skip: their requests count as authenticated for the identity they
 * claim (the To user for a registration, the From user for a proxied request).
 */
export class TrustingAuthenticator implements RequestAuthenticator {
  readonly #inner: RequestAuthenticator;
  readonly #peers: TrustedPeers;

  constructor(inner: RequestAuthenticator, peers: TrustedPeers) {
    this.#inner = inner;
    this.#peers = peers;
  }

  authenticate(request: SipRequest, context: AuthContext): Promise<AuthOutcome> {
    if (!this.#peers.has(context.sourceAddress)) return this.#inner.authenticate(request, context);
    const claimed = context.kind === 'www' ? getTo(request.headers) : getFrom(request.headers);
    const user = claimed === undefined || !isSipUri(claimed.uri) ? undefined : claimed.uri.user;
    if (user === undefined) return this.#inner.authenticate(request, context);
    return Promise.resolve({
      kind: 'authenticated',
      identity: { username: unescapeText(user), realm: context.realm },
    });
  }
}
