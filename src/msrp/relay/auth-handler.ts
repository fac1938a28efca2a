/**
 * AUTH on the relay (RFC 4976 §5; relay spec §2.2–§2.6): the AUTH of a NEW connection creates its session
 * once the authenticator accepts it, and an AUTH on a session's connection refreshes the session's expiry.
 * The connection only holds its input while a (possibly remote) credential lookup runs, and keeps its own
 * count of failed attempts.
 */
import { detachedCopy } from '../../text/detached-copy.js';
import type { Clock } from '../../time/clock.js';
import type { MsrpHead } from '../message.js';
import { makeMsrpUri } from '../uri.js';
import { authRealm, authRequestOf, expiresOf, grantHeaders, refreshHeaders } from './auth-answers.js';
import type { Authenticator, AuthSuccess } from './authenticator.js';
import type { Paths } from './checks.js';
import { KeptPath } from './kept-path.js';
import type { LazyLog } from './lazy-log.js';
import type { RelayPeer } from './peer.js';
import { Session, type SessionServices } from './session.js';
import type { RelaySettings } from './settings.js';
import type { UnboundSessions } from './unbound-sessions.js';

/** The connection an AUTH came on, as its handling sees it. */
export interface AuthClient extends RelayPeer {
  readonly remoteAddress: string;
  readonly log: LazyLog;
  /** Still waiting for the AUTH that makes its session: a lookup answered after a close is dropped. */
  readonly awaitingAuth: boolean;
  /** Reads nothing more until `releaseInput`: the messages after an AUTH wait for its answer. */
  holdInput(): void;
  releaseInput(): void;
  /** Counts a failed AUTH on this connection; returns how many there were. */
  countFailedAuth(): number;
  /** The AUTH succeeded: this connection is the source of `session`, its far side `path` (NEW → UNBOUND). */
  authenticated(session: Session, path: KeptPath): void;
}

/** Where granted sessions go and are counted (the relay's state provides it). */
export interface AuthServices extends SessionServices {
  readonly clock: Clock;
  readonly unbound: UnboundSessions;
}

/** What the relay's URI in Use-Path is made of: the listener of this configuration. */
export interface RelayAddress {
  readonly hostname: string;
  /** The port actually listened on. */
  readonly port: number;
  readonly secure: boolean;
}

export class AuthHandler {
  readonly #authenticator: Authenticator;
  readonly #settings: RelaySettings;
  readonly #address: RelayAddress;
  readonly #services: AuthServices;

  constructor(
    authenticator: Authenticator,
    settings: RelaySettings,
    address: RelayAddress,
    services: AuthServices,
  ) {
    this.#authenticator = authenticator;
    this.#settings = settings;
    this.#address = address;
    this.#services = services;
  }

  /** The AUTH of a connection without a session (relay spec §2.2, one To-Path URI). */
  authenticate(client: AuthClient, head: MsrpHead, paths: Paths): void {
    if (paths.to[0] === undefined) return;
    const request = authRequestOf(head, paths, this.#settings, {
      ip: client.remoteAddress,
      secure: this.#address.secure,
    });
    if (request.authorization === undefined) {
      client.respond(head, paths, 401, 'Unauthenticated', this.#authenticator.challenge(request));
      return;
    }
    // Bounds first, so that a 423 does not spend the nonce the client will answer again with.
    const expires = this.#boundedExpires(client, head, paths);
    if (expires === undefined) return;
    client.holdInput();
    this.#authenticator
      .authenticate(request)
      .then(
        (outcome) => {
          if (!client.awaitingAuth) return;
          switch (outcome.kind) {
            case 'challenge':
              client.respond(head, paths, 401, 'Unauthenticated', outcome.headers);
              return;
            case 'error':
              client.respond(head, paths, outcome.code, outcome.comment);
              return;
            case 'login-failed':
              this.#loginFailed(client, head, paths, outcome.username, outcome.reason);
              return;
            case 'success':
              this.#createSession(client, head, paths, expires, outcome);
          }
        },
        (error: unknown) => {
          client.log.error('AUTH failed unexpectedly', { err: error });
          client.destroy();
        },
      )
      .finally(() => {
        client.releaseInput();
      });
  }

  /** An AUTH on a session's connection: a new expiry for the session (relay spec §2.6). */
  refresh(client: RelayPeer, session: Session, head: MsrpHead, paths: Paths): void {
    const expires = this.#boundedExpires(client, head, paths);
    if (expires === undefined) return;
    session.refresh(expires);
    client.respond(head, paths, 200, 'OK', refreshHeaders(paths, expires));
  }

  #loginFailed(client: AuthClient, head: MsrpHead, paths: Paths, username: string, reason: string): void {
    this.#services.stats.authFailed();
    if (this.#settings.logFailedAuth) client.log.warn(`AUTH failed for username "${username}": ${reason}`);
    if (client.countFailedAuth() >= this.#settings.maxAuthAttempts) {
      client.destroy();
      return;
    }
    client.respond(head, paths, 403, `Unauthorized: Login failed: ${reason}`);
  }

  /** The AUTH's Expires, or undefined once answered 423 (relay spec §2.6). */
  #boundedExpires(client: RelayPeer, head: MsrpHead, paths: Paths): number | undefined {
    const expires = expiresOf(this.#settings, head);
    if (typeof expires === 'number') return expires;
    client.respond(head, paths, 423, 'Parameter out of bounds', [expires]);
    return undefined;
  }

  #createSession(
    client: AuthClient,
    head: MsrpHead,
    paths: Paths,
    expires: number,
    { username: receivedUsername, nonce, authenticationInfo }: AuthSuccess,
  ): void {
    const services = this.#services;
    // Copies: the session keeps these for its lifetime, and slices would keep the whole AUTH message alive.
    // The nonce is one already (the spent-nonce list keeps the same string), and so is a configured realm.
    const named = authRealm(this.#settings, paths);
    const realm = named === this.#settings.defaultDomain ? named : detachedCopy(named);
    const id = nonce ?? services.tids.next();
    const username = detachedCopy(receivedUsername);
    const { hostname, port, secure } = this.#address;
    const relayUri = makeMsrpUri({ secure, host: hostname, port, sessionId: id });
    const session = new Session(id, username, realm, expires, client, services, services.clock.now());
    client.authenticated(session, KeptPath.of(paths.from));
    services.unbound.add(session);
    services.stats.sessionCreated();
    client.log.info('AUTH succeeded, creating new session');
    client.respond(head, paths, 200, 'OK', grantHeaders(paths, relayUri, expires, authenticationInfo));
  }
}
