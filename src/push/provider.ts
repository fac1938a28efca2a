/**
 * The seam between the push dispatcher (which decides who gets a push, queues, retries and removes tokens
 * that are gone) and the providers (which speak one service's protocol: a sylk-pushserver gateway, Apple
 * APNs, Firebase Cloud Messaging). A provider sends one push to one device and says what happened; it never
 * retries, queues or touches the token store itself, so every provider gets the same retry and removal rules.
 */

/** The device a push is for: a stored token (sylk spec §3.9) or an RFC 8599 binding's push parameters. */
export interface PushTarget {
  readonly account: string;
  /** The application id (`pn_app`, or the bundle id / project id an RFC 8599 `pn-param` names). */
  readonly appId: string;
  readonly deviceId: string;
  /** As the device sent it: ios, android, apple, firebase, apns, fcm… */
  readonly platform: string;
  /** The token this push goes to (for an iOS device with a background token, the dispatcher picks which). */
  readonly token: string;
  readonly silent: boolean;
}

/**
 * What the push says. `content` and `contentType` are absent when the operator chose pushes that carry only
 * the sender and the badge (so message text never leaves through a third party).
 */
export type PushNotification =
  | {
      readonly kind: 'message';
      /** A fresh UUID per message (sylk spec §5.2 `call-id`). */
      readonly callId: string;
      readonly messageId: string;
      readonly from: string;
      readonly fromDisplayName: string | null;
      readonly to: string;
      readonly badge: number;
      readonly contentType?: string;
      readonly content?: string;
    }
  | {
      /** RFC 8599 §4: wake a SIP device so that it registers again and the request can be forwarded to it. */
      readonly kind: 'wake';
      readonly callId: string;
      /** The SIP method waiting for the device (MESSAGE, INVITE). */
      readonly method: string;
      readonly from: string;
      readonly to: string;
    };

export interface PushDelivery {
  readonly target: PushTarget;
  readonly notification: PushNotification;
}

export type PushOutcome =
  | { readonly kind: 'sent' }
  /** The provider says the token will never work again (410, APNs Unregistered/BadDeviceToken, FCM UNREGISTERED). */
  | { readonly kind: 'token-gone'; readonly reason: string }
  /** Worth another try later: 429, 5xx, a network error or timeout. `afterMs` from Retry-After when given. */
  | { readonly kind: 'retry'; readonly reason: string; readonly afterMs?: number }
  /** Refused for good for this push (another 4xx, a payload the provider rejects); the token stays. */
  | { readonly kind: 'failed'; readonly reason: string };

export type PushProviderKind = 'sylk-pushserver' | 'apns' | 'fcm';

export interface PushProvider {
  readonly kind: PushProviderKind;
  /** Never throws: every failure is an outcome. */
  send(delivery: PushDelivery): Promise<PushOutcome>;
  /** Closes kept connections (the APNs HTTP/2 session); sends after close answer `failed`. */
  close(): Promise<void>;
}
