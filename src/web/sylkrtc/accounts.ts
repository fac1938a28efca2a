/**
 * A connection's accounts (sylk spec §1.4.1–1.4.5, §1.7, §1.8), with missive's rule of sylk spec §8.32: account-add
 * binds nothing usable. Until account-register has checked the HA1 (ha1-check.ts) the account has no
 * subscription, so the connection gets none of its events, and every messaging request for it is refused
 * with `Account not authenticated`. A failed or undone registration (account-unregister, a failed
 * re-register, account-remove) takes that back at once. Deliberate differences from the reference, which
 * keeps `auth_state` after account-unregister (sylk spec §1.4.4) and never un-authenticates on a failed re-register.
 */
import type { Logger } from 'pino';
import { accountOfUri } from '../../messaging/formats/aor.js';
import {
  type AuthenticatedAccount,
  authenticatedAccount,
  type Caller,
  type DeviceRef,
  type MessagingService,
  type PushTokenRegistration,
  type Subscription,
} from '../../messaging/service.js';
import { SipUri } from '../../sip/uri.js';
import type { Ha1Check, Ha1Outcome } from './ha1-check.js';
import { eventFrame, deviceTokenOf, registerPushToken, removeDeviceToken } from './messaging-requests.js';
import { ACK, type Frame, type Outcome, refused } from './outcome.js';
import type {
  AccountAddRequest,
  AccountDeviceTokenRequest,
  AccountRegisterRequest,
  AccountRemoveRequest,
  AccountUnregisterRequest,
} from './requests.js';

export type RegistrationState = 'registering' | 'registered' | 'failed';

interface AccountRecord {
  /** As the client added it (without scheme): the frames' `account`, by which the client routes them. */
  readonly aor: string;
  /** `user@domain`, the domain lower-cased: the account the store and the messaging service know. */
  readonly account: string;
  readonly ha1: string;
  registration: RegistrationState | undefined;
  authenticated: AuthenticatedAccount | undefined;
  pushToken: PushTokenRegistration | undefined;
  subscription: Subscription | undefined;
}

export interface ConnectionAccountsOptions {
  readonly device: DeviceRef;
  /** The connection's source address, for the failed-login limiter. */
  readonly source: string;
  readonly ha1Check: Ha1Check;
  readonly messaging: MessagingService | undefined;
  /** sylk spec §1.7.1 step 6: the storage account of a registered account is created or its last login set. */
  readonly touchAccount: (account: string) => Promise<void>;
  readonly sipDomains: readonly string[];
  readonly maxAccounts: number;
  readonly send: (frame: Frame) => void;
  /** Told when the connection gains or loses its first registered account (the login deadline). */
  readonly onAuthenticated: () => void;
  readonly logger: Logger | undefined;
}

export class ConnectionAccounts {
  readonly #options: ConnectionAccountsOptions;
  readonly #accounts = new Map<string, AccountRecord>();
  #closed = false;

  constructor(options: ConnectionAccountsOptions) {
    this.#options = options;
  }

  /** The caller for a messaging request, or the reference's error (sylk spec §1.3). */
  callerFor(
    account: string,
  ): { readonly ok: true; readonly caller: Caller } | { readonly ok: false; readonly error: string } {
    const record = this.#accounts.get(account);
    if (record === undefined) return { ok: false, error: `Unknown account specified: ${account}` };
    if (record.authenticated === undefined) return { ok: false, error: 'Account not authenticated' };
    return { ok: true, caller: { account: record.authenticated, device: this.#options.device } };
  }

  add(request: AccountAddRequest): Outcome {
    const { account } = request;
    if (this.#accounts.has(account)) return refused(`Account ${account} already added`);
    const at = account.indexOf('@');
    const domain = at === -1 ? '' : account.slice(at + 1);
    const domains = this.#options.sipDomains;
    if (!domains.includes('*') && !domains.includes(domain))
      return refused(`SIP domain not allowed: ${domain}`);
    if (this.#accounts.size >= this.#options.maxAccounts) {
      return refused(`Too many accounts on this connection (limit ${String(this.#options.maxAccounts)})`);
    }
    this.#accounts.set(account, {
      aor: account,
      account: accountOf(account),
      ha1: request.password,
      registration: undefined,
      authenticated: undefined,
      pushToken: undefined,
      subscription: undefined,
    });
    return ACK;
  }

  remove(request: AccountRemoveRequest): Outcome {
    const record = this.#accounts.get(request.account);
    if (record === undefined) return refused(`Unknown account specified for remove: ${request.account}`);
    this.#deauthenticate(record);
    this.#accounts.delete(request.account);
    return ACK;
  }

  /** sylk spec §1.7.1: the ack, then `registering`, then `registered` or `failed`. */
  register(request: AccountRegisterRequest): Outcome {
    const record = this.#accounts.get(request.account);
    if (record === undefined) return refused(`Unknown account specified for register: ${request.account}`);
    return { kind: 'ack', afterAck: () => this.#register(record) };
  }

  async unregister(request: AccountUnregisterRequest): Promise<Outcome> {
    const record = this.#accounts.get(request.account);
    if (record === undefined) return refused(`Unknown account specified for unregister: ${request.account}`);
    const caller = this.#callerOf(record);
    this.#deauthenticate(record);
    // sylk spec §1.4.4: no registration-state event; sylkrtc.js resets its state on the ack.
    record.registration = undefined;
    const token = record.pushToken;
    if (caller === undefined || token === undefined || this.#options.messaging === undefined) return ACK;
    return removeDeviceToken(this.#options.messaging, caller, token);
  }

  async deviceToken(request: AccountDeviceTokenRequest): Promise<Outcome> {
    const record = this.#accounts.get(request.account);
    if (record === undefined) return refused(`Unknown account specified for token: ${request.account}`);
    record.pushToken = deviceTokenOf(request);
    const caller = this.#callerOf(record);
    // Stored now when authenticated, else when the registration succeeds (sylk spec §1.4.5).
    if (caller === undefined || this.#options.messaging === undefined) return ACK;
    return registerPushToken(this.#options.messaging, caller, record.pushToken);
  }

  /** Whether any account is registered (the login deadline is met). */
  get authenticated(): boolean {
    for (const record of this.#accounts.values()) if (record.authenticated !== undefined) return true;
    return false;
  }

  /** Whether `account` (`user@domain`, as the store names it) is registered here now. */
  isRegistered(account: string): boolean {
    for (const record of this.#accounts.values()) if (record.authenticated === account) return true;
    return false;
  }

  /** The connection closed: every subscription ends (sylk spec §1.2 step 4). */
  close(): void {
    this.#closed = true;
    for (const record of this.#accounts.values()) this.#deauthenticate(record);
    this.#accounts.clear();
  }

  async #register(record: AccountRecord): Promise<void> {
    // A new registration replaces the old one (sylk spec §1.7.1 step 2).
    this.#deauthenticate(record);
    this.#setState(record, 'registering');
    const outcome = await this.#options.ha1Check.verify(this.#options.source, record.account, record.ha1);
    // Removed, or the connection closed, while the store answered.
    if (this.#closed || this.#accounts.get(record.aor) !== record) return;
    if (outcome.kind !== 'ok') {
      this.#options.logger?.info(
        { account: record.aor, outcome: outcome.kind },
        'sylkRTC registration failed',
      );
      this.#setState(record, 'failed', failureReason(outcome));
      return;
    }
    const account = authenticatedAccount(record.account);
    record.authenticated = account;
    const { messaging, device, logger } = this.#options;
    if (messaging !== undefined) {
      // Subscribed before `registered` is sent, so that no event after it is missed.
      record.subscription = messaging.subscribe(account, device, (event) => {
        const frame = eventFrame(event);
        // Named as the client added the account, which is how it finds the account an event is for.
        if (frame !== undefined) this.#options.send({ ...frame, account: record.aor });
      });
    }
    try {
      await this.#options.touchAccount(record.account);
    } catch (error) {
      logger?.error({ err: error, account: record.aor }, 'storage account update failed');
    }
    if (messaging !== undefined && record.pushToken !== undefined) {
      const stored = await registerPushToken(messaging, { account, device }, record.pushToken);
      if (stored.kind === 'error')
        logger?.warn({ account: record.aor, error: stored.error }, 'push token not stored');
    }
    this.#setState(record, 'registered');
    this.#options.onAuthenticated();
    logger?.info({ account: record.aor }, 'sylkRTC account registered');
  }

  #callerOf(record: AccountRecord): Caller | undefined {
    return record.authenticated === undefined
      ? undefined
      : { account: record.authenticated, device: this.#options.device };
  }

  #deauthenticate(record: AccountRecord): void {
    record.subscription?.unsubscribe();
    record.subscription = undefined;
    record.authenticated = undefined;
  }

  /** sylk spec §1.5.1: each state only on a change. */
  #setState(record: AccountRecord, state: RegistrationState, reason?: string): void {
    if (record.registration === state) return;
    record.registration = state;
    this.#options.send({
      sylkrtc: 'account-event',
      account: record.aor,
      event: 'registration-state',
      state,
      ...(reason === undefined ? {} : { reason }),
    });
  }
}

/** `user@domain` of an AOR (URI parameters dropped, the domain lower-cased), as the SIP side names accounts. */
function accountOf(aor: string): string {
  const uri = SipUri.parse(`sip:${aor}`);
  if (uri === undefined) return aor;
  const account = accountOfUri(uri);
  const at = account.lastIndexOf('@');
  return at === -1 ? account.toLowerCase() : `${account.slice(0, at)}@${account.slice(at + 1).toLowerCase()}`;
}

/** The `reason` of a failed registration, as a registrar's answer would read (sylk spec §1.5.1). */
function failureReason(outcome: Exclude<Ha1Outcome, { kind: 'ok' }>): string {
  switch (outcome.kind) {
    case 'wrong':
      return outcome.reason ?? '403 Forbidden';
    case 'unavailable':
      return outcome.reason;
    case 'blocked':
      return '403 Too Many Failed Attempts';
    case 'store-failed':
      return '503 Service Unavailable';
  }
}
