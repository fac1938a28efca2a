/**
 * A registrar on a real SQLite store in a temporary directory, with a manual clock, and a client that
 * answers its challenges the way phones do: one nonce reused with a growing nc, a new one when told stale.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getContacts } from '../../src/sip/headers/contact.js';
import type { NameAddr } from '../../src/sip/headers/name-addr.js';
import type { SipRequest, SipResponse } from '../../src/sip/message/message.js';
import type { MessageSource } from '../../src/sip/transport/types.js';
import { DigestAuthenticator } from '../../src/sip/auth/index.js';
import { Registrar, type RegistrarOptions } from '../../src/registrar/index.js';
import { openStore, type LocationStore, type Store } from '../../src/store/index.js';
import { ManualClock } from '../support/manual-clock.js';
import { challengesOf, digestAuthorization, firstNonce } from '../sip/auth/digest-client.js';
import { message, parseRequest } from '../sip/helpers.js';

export const T0 = 1_700_000_000_000;
export const SOURCE: MessageSource = {
  transport: 'udp',
  host: '192.0.2.10',
  port: 5062,
  local: { host: '192.0.2.1', port: 5060 },
};

export interface RegisterInput {
  /** Whose credentials (default alice). */
  readonly user?: string;
  /** The AOR user in To (default: user). */
  readonly toUser?: string;
  readonly toDomain?: string;
  readonly uri?: string;
  /** Contact field values, one line each. */
  readonly contacts?: readonly string[];
  readonly expires?: number | string;
  readonly callId?: string;
  readonly cseq?: number;
  /** Further header lines. */
  readonly headers?: readonly string[];
  /** Via lines before ours (a proxy in between). */
  readonly proxies?: number;
  /** false: send no credentials at all. */
  readonly auth?: boolean;
  readonly source?: MessageSource;
}

const PASSWORDS: Readonly<Record<string, string>> = { alice: 'secret', bob: 'hunter2' };

export class Harness {
  readonly clock = new ManualClock(T0);
  readonly #nonces = new Map<string, { nonce: string; realm: string; nc: number }>();
  #cseq = 1;
  readonly registrar: Registrar;
  readonly #dir: string;

  private constructor(
    dir: string,
    readonly store: Store,
    options: Partial<RegistrarOptions>,
    locations: LocationStore,
  ) {
    this.#dir = dir;
    const authenticator = new DigestAuthenticator({
      credentials: store.subscribers.credentials,
      clock: this.clock,
    });
    this.registrar = new Registrar({
      authenticator,
      locations,
      domains: ['example.com'],
      clock: this.clock,
      ...options,
    });
  }

  static async open(
    options: Partial<RegistrarOptions> = {},
    wrap: (locations: LocationStore) => LocationStore = (l) => l,
  ): Promise<Harness> {
    const dir = await mkdtemp(join(tmpdir(), 'missive-registrar-'));
    const store = await openStore(`sqlite://${join(dir, 'store.db')}`);
    for (const [user, password] of Object.entries(PASSWORDS))
      await store.subscribers.add(user, 'example.com', password);
    return new Harness(dir, store, options, wrap(store.locations));
  }

  async close(): Promise<void> {
    await this.store.close();
    await rm(this.#dir, { recursive: true, force: true });
  }

  /** A REGISTER as a phone sends it, answering a challenge (a stale one too) when there is one. */
  async register(input: RegisterInput = {}): Promise<SipResponse> {
    const user = input.user ?? 'alice';
    const source = input.source ?? SOURCE;
    if (input.auth === false) return this.registrar.handle(this.request(input, undefined), source);
    for (let attempt = 0; attempt < 3; attempt++) {
      let state = this.#nonces.get(user);
      if (state === undefined) {
        const challenge = await this.registrar.handle(this.request(input, undefined), source);
        if (challenge.status !== 401) return challenge;
        state = { nonce: firstNonce(challenge), realm: challengesOf(challenge)[0]?.realm ?? '', nc: 0 };
        this.#nonces.set(user, state);
      }
      state.nc++;
      const authorization = digestAuthorization({
        username: user,
        realm: state.realm,
        password: PASSWORDS[user] ?? 'unknown',
        nonce: state.nonce,
        method: 'REGISTER',
        uri: input.uri ?? 'sip:example.com',
        nc: state.nc,
      });
      const response = await this.registrar.handle(this.request(input, authorization), source);
      if (response.status !== 401) return response;
      this.#nonces.delete(user);
    }
    throw new Error('could not authenticate');
  }

  /** The REGISTER itself, parsed from text as the transport would. */
  request(input: RegisterInput, authorization: string | undefined): SipRequest {
    const user = input.toUser ?? input.user ?? 'alice';
    const domain = input.toDomain ?? 'example.com';
    const vias = Array.from(
      { length: input.proxies ?? 0 },
      (_, i) => `Via: SIP/2.0/TCP edge${i}.example.com;branch=z9hG4bKproxy${i}`,
    );
    return parseRequest(
      message([
        `REGISTER ${input.uri ?? 'sip:example.com'} SIP/2.0`,
        ...vias,
        'Via: SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bKclient;rport=5062',
        'Max-Forwards: 70',
        `From: <sip:${user}@${domain}>;tag=from1`,
        `To: <sip:${user}@${domain}>`,
        `Call-ID: ${input.callId ?? 'call-1@192.0.2.10'}`,
        `CSeq: ${input.cseq ?? this.#cseq++} REGISTER`,
        ...(input.contacts ?? []).map((contact) => `Contact: ${contact}`),
        ...(input.expires === undefined ? [] : [`Expires: ${input.expires}`]),
        'User-Agent: TestPhone/1.0',
        ...(input.headers ?? []),
        ...(authorization === undefined ? [] : [`Authorization: ${authorization}`]),
        'Content-Length: 0',
      ]),
    );
  }
}

/** The Contacts of a 200, as `uri → expires` in order. */
export function contactsOf(
  response: SipResponse,
): { uri: string; expires: string | undefined; contact: NameAddr }[] {
  const list = getContacts(response.headers);
  if (list === undefined || list === '*') throw new Error('no contact list');
  return list.map((contact) => ({
    uri: contact.uri.toString(),
    expires: contact.params.get('expires') ?? undefined,
    contact,
  }));
}
