/**
 * Push tokens per (account, app, device) (sylk spec §3.9). Splitting an iOS `pn_tok` into token and
 * background token is the caller's (the messaging layer's) job; the store keeps what it is given.
 */
export interface PushToken {
  readonly account: string;
  /** `pn_app` */
  readonly appId: string;
  /** `pn_device` */
  readonly deviceId: string;
  readonly token: string;
  readonly backgroundToken?: string;
  /** `pn_type`: ios, android, firebase… */
  readonly platform: string;
  /** `pn_silent` */
  readonly silent: boolean;
  readonly userAgent?: string;
  /** UTC milliseconds, the caller's clock when it wrote the token. */
  readonly updatedAt: number;
}

export interface PushTokenStore {
  /** Creates or replaces the token of (account, appId, deviceId). */
  upsert(token: PushToken): Promise<void>;
  /** false when there was no such token. */
  remove(account: string, appId: string, deviceId: string): Promise<boolean>;
  /** How many tokens were removed. */
  removeAll(account: string): Promise<number>;
  /** The account's tokens, by app then device. */
  list(account: string): Promise<PushToken[]>;
}
