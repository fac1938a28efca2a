/** What a Registrar is built from, with the defaults and the checks of its limits. */
import type { Logger } from 'pino';
import type { AuthContext, AuthOutcome } from '../sip/auth/authenticator.js';
import type { SipRequest } from '../sip/message/message.js';
import type { Binding } from '../store/location/binding.js';
import type { LocationStore } from '../store/location/location-store.js';
import type { Clock } from '../time/clock.js';
import type { FlowBindings } from './flows.js';

/** The part of DigestAuthenticator the registrar uses. */
export interface RequestAuthenticator {
  authenticate(request: SipRequest, context: AuthContext): Promise<AuthOutcome>;
}

/** What one accepted REGISTER changed in an AOR's bindings. */
export interface RegistrationChange {
  readonly aor: string;
  /** Bindings created or refreshed. */
  readonly stored: readonly Binding[];
  /** Bindings the device itself removed (`expires=0`, `Contact: *`); expiry is not a removal. */
  readonly removed: readonly Binding[];
  /** The AOR's live bindings once the change is written. */
  readonly live: readonly Binding[];
}

/**
 * Told of every accepted REGISTER's changes before the 200 goes (the push tokens of RFC 8599 devices,
 * src/push/registered-tokens.ts). A failure is logged and does not fail the REGISTER: the bindings are written.
 */
export interface RegistrationListener {
  changed(change: RegistrationChange): Promise<void>;
}

export interface RegistrarOptions {
  readonly authenticator: RequestAuthenticator;
  readonly locations: LocationStore;
  /**
   * Host names (and addresses, if clients register to one) this registrar serves. The Request-URI host must
   * be one (else 404 "Domain Not Served"), and so must the To domain (else 404 "Not Found", RFC 3261 §10.3 step 5).
   */
  readonly domains: Iterable<string>;
  readonly clock: Clock;
  /** Shorter non-zero requests get 423 with Min-Expires. Default 60 s. */
  readonly minExpires?: number | undefined;
  /** Longer requests are granted this. Default 3600 s. */
  readonly maxExpires?: number | undefined;
  /** When neither the Contact nor the request says. Default 3600 s. */
  readonly defaultExpires?: number | undefined;
  /** Live bindings per AOR; a REGISTER that would add one more gets 403. Default 10. */
  readonly maxContacts?: number | undefined;
  /** Retry-After of the 500 sent when the location store fails. Default 10 s. */
  readonly retryAfterSeconds?: number | undefined;
  readonly logger?: Logger | undefined;
  /** Told of every binding written, so that outbound bindings go with their connection (RFC 5626). */
  readonly flows?: FlowBindings | undefined;
  /** Told of the bindings each accepted REGISTER stored and removed. */
  readonly listener?: RegistrationListener | undefined;
  /** Several instances on one store: this instance's id, recorded in each binding it writes (Binding.holder). */
  readonly holder?: string | undefined;
}

export interface RegistrarLimits {
  readonly minExpires: number;
  readonly maxExpires: number;
  readonly defaultExpires: number;
  readonly maxContacts: number;
}

export const DEFAULT_MIN_EXPIRES = 60;
export const DEFAULT_MAX_EXPIRES = 3600;
export const DEFAULT_DEFAULT_EXPIRES = 3600;
export const DEFAULT_MAX_CONTACTS = 10;
export const DEFAULT_REGISTRAR_RETRY_AFTER_SECONDS = 10;

/** Throws RangeError for limits that contradict each other. */
export function registrarLimits(options: RegistrarOptions): RegistrarLimits {
  const minExpires = wholeNumber(options.minExpires ?? DEFAULT_MIN_EXPIRES, 'minExpires');
  const maxExpires = wholeNumber(options.maxExpires ?? DEFAULT_MAX_EXPIRES, 'maxExpires');
  const defaultExpires = wholeNumber(options.defaultExpires ?? DEFAULT_DEFAULT_EXPIRES, 'defaultExpires');
  const maxContacts = wholeNumber(options.maxContacts ?? DEFAULT_MAX_CONTACTS, 'maxContacts');
  if (maxExpires < 1 || minExpires > maxExpires)
    throw new RangeError('need 0 <= minExpires <= maxExpires, maxExpires >= 1');
  if (defaultExpires < minExpires) throw new RangeError('defaultExpires is below minExpires');
  if (maxContacts < 1) throw new RangeError('maxContacts must be at least 1');
  return { minExpires, maxExpires, defaultExpires, maxContacts };
}

/** Whole, non-negative, and small enough that now + it in milliseconds stays exact. */
function wholeNumber(value: number, name: string): number {
  if (!(Number.isInteger(value) && value >= 0 && value <= 2 ** 32 - 1)) {
    throw new RangeError(`${name} must be a whole number from 0 to 2^32-1`);
  }
  return value;
}
