/**
 * Behind a proxy, missive is not the registrar, so the HA1 a sylkRTC client gives in account-add is checked
 * where the reference checks it (sylk spec §1.7.1, option (a)): by a REGISTER to the outbound proxy with
 * digest credentials computed from that HA1. The REGISTER carries no Contact, so it is a query (RFC 3261
 * §10.2.3): the proxy authenticates it and answers with the account's bindings, and no binding is made
 * that would send the account's MESSAGEs to missive as if it were a device. A 401/407 challenge is answered
 * once (MD5, qop=auth or none, as an HA1 allows); the answer after that is the outcome.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { parseAuthParams } from '../auth/auth-params.js';
import { computeDigestResponse, digestHash } from '../auth/digest.js';
import type { OutboundRequests } from '../routing/outbound-requests.js';
import { SipHeaders } from '../sip/headers/header-list.js';
import { generateCallId, generateTag } from '../sip/message/ids.js';
import { SipRequest, type SipResponse } from '../sip/message/message.js';
import { isSipUri, parseUri, type SipUri } from '../sip/uri.js';
import { withLr } from './own-messages.js';

/** The proxy's final answer, or a failure to reach it (408 on a timeout, 503 otherwise, RFC 3261 §8.1.3.1). */
export interface UpstreamAnswer {
  readonly status: number;
  readonly reason: string;
}

export interface UpstreamRegistrationOptions {
  readonly requests: OutboundRequests;
  readonly outboundProxy: SipUri;
  readonly logger?: Logger | undefined;
}

/** Bounds a header value taken from the proxy's challenge (a nonce, a realm, an opaque). */
const MAX_PARAM_CHARS = 512;

export class UpstreamRegistration {
  readonly #options: UpstreamRegistrationOptions;
  readonly #route: string;

  constructor(options: UpstreamRegistrationOptions) {
    this.#options = options;
    this.#route = `<${withLr(options.outboundProxy)}>`;
  }

  /** REGISTERs `account` (`user@domain`) with digest from `ha1`; the proxy's final answer. */
  async register(account: string, ha1: string): Promise<UpstreamAnswer> {
    const at = account.lastIndexOf('@');
    const user = account.slice(0, at);
    const domain = account.slice(at + 1);
    const registrar = parseUri(`sip:${domain}`);
    if (at <= 0 || registrar === undefined || !isSipUri(registrar))
      return { status: 400, reason: 'Bad Request' };
    const dialog = { callId: generateCallId(), tag: generateTag() };
    const first = await this.#send(this.#request(account, registrar, dialog, 1, undefined));
    const answer = { status: first.status, reason: first.reason };
    if (first.response === undefined || (first.status !== 401 && first.status !== 407)) return answer;
    const header = first.status === 401 ? 'WWW-Authenticate' : 'Proxy-Authenticate';
    const credentials = answerChallenge(first.response.headers.get(header), user, ha1, 'REGISTER', registrar);
    // A challenge an HA1 cannot answer (another algorithm, no nonce): the account is not verified.
    if (credentials === undefined) return answer;
    const name = first.status === 401 ? 'Authorization' : 'Proxy-Authorization';
    const second = await this.#send(this.#request(account, registrar, dialog, 2, [name, credentials]));
    return { status: second.status, reason: second.reason };
  }

  #request(
    account: string,
    registrar: SipUri,
    dialog: { readonly callId: string; readonly tag: string },
    cseq: number,
    authorization: readonly [string, string] | undefined,
  ): SipRequest {
    const headers = SipHeaders.of([
      ['Route', this.#route],
      ['Max-Forwards', '70'],
      ['From', `<sip:${account}>;tag=${dialog.tag}`],
      ['To', `<sip:${account}>`],
      ['Call-ID', dialog.callId],
      ['CSeq', `${String(cseq)} REGISTER`],
      ...(authorization === undefined ? [] : [authorization]),
    ]);
    return new SipRequest({ method: 'REGISTER', uri: registrar, headers, body: Buffer.alloc(0) });
  }

  async #send(request: SipRequest): Promise<UpstreamAnswer & { readonly response?: SipResponse }> {
    return new Promise((resolve) => {
      let done = false;
      const settle = (answer: UpstreamAnswer & { readonly response?: SipResponse }): void => {
        if (done) return;
        done = true;
        resolve(answer);
      };
      this.#options.requests
        .throughServer(this.#options.outboundProxy, request, {
          onResponse: (response) => {
            if (response.status >= 200)
              settle({ status: response.status, reason: response.reason, response });
          },
          onFailure: (failure) => {
            settle(
              failure === 'timeout'
                ? { status: 408, reason: 'Request Timeout' }
                : { status: 503, reason: 'Service Unavailable' },
            );
          },
        })
        .catch((error: unknown) => {
          this.#options.logger?.warn({ err: error }, 'upstream REGISTER not sent');
          settle({ status: 503, reason: 'Service Unavailable' });
        });
    });
  }
}

/** The Authorization value answering a Digest challenge with a precomputed MD5 HA1 (RFC 2617 §3.2.2). */
function answerChallenge(
  challenge: string | undefined,
  user: string,
  ha1: string,
  method: string,
  uri: SipUri,
): string | undefined {
  const match = /^\s*Digest\s+/i.exec(challenge ?? '');
  if (challenge === undefined || match === null) return undefined;
  const params = parseAuthParams(challenge.slice(match[0].length));
  const realm = params?.get('realm');
  const nonce = params?.get('nonce');
  const algorithm = params?.get('algorithm') ?? 'MD5';
  if (realm === undefined || nonce === undefined || algorithm.toUpperCase() !== 'MD5') return undefined;
  if (realm.length > MAX_PARAM_CHARS || nonce.length > MAX_PARAM_CHARS) return undefined;
  const opaque = params?.get('opaque');
  const qops = (params?.get('qop') ?? '').split(',').map((qop) => qop.trim().toLowerCase());
  const digestUri = uri.toString();
  const fields = [
    `username=${quoted(user)}`,
    `realm=${quoted(realm)}`,
    `nonce=${quoted(nonce)}`,
    `uri=${quoted(digestUri)}`,
    'algorithm=MD5',
  ];
  const key = ha1.toLowerCase();
  if (qops.includes('auth')) {
    const cnonce = randomBytes(8).toString('hex');
    const nc = '00000001';
    const response = computeDigestResponse({
      algorithm: 'MD5',
      ha1: key,
      nonce,
      nc,
      cnonce,
      method,
      uri: digestUri,
    });
    fields.push(`response="${response}"`, 'qop=auth', `nc=${nc}`, `cnonce="${cnonce}"`);
  } else if (params?.has('qop') === true) {
    // Only auth-int offered: a body digest this client does not make.
    return undefined;
  } else {
    const ha2 = digestHash('MD5', `${method}:${digestUri}`);
    fields.push(`response="${digestHash('MD5', `${key}:${nonce}:${ha2}`)}"`);
  }
  if (opaque !== undefined && opaque.length <= MAX_PARAM_CHARS) fields.push(`opaque=${quoted(opaque)}`);
  return `Digest ${fields.join(', ')}`;
}

/** A quoted-string (RFC 3261 §25.1): the proxy's values may hold a quote or a backslash. */
function quoted(text: string): string {
  return `"${text.replace(/[\\"]/g, (char) => `\\${char}`)}"`;
}
