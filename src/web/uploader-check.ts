/**
 * Who may upload a file as `sender` (sylk spec §8.36, better than the reference, which takes any WebSocket
 * from the same IP address that has added the account): the sender's API token (`Authorization: Apikey`,
 * the history API's, checked with its per-source failure limit), or else the sender registered now on a
 * sylkRTC connection (account-register succeeded: its password was checked). Never the client's address.
 */
import type { Context } from 'hono';
import type { WebEnv } from './peer.js';
import { peerAddress } from './peer.js';
import type { TokenCheck } from './token-check.js';

/** The sylkRTC API's one question (sylkrtc-api.ts): is this account registered on any connection now? */
export interface RegisteredAccounts {
  isRegistered(account: string): boolean;
}

export type UploaderVerdict =
  | { readonly kind: 'allowed' }
  | {
      readonly kind: 'refused';
      readonly status: 401 | 403 | 429 | 503;
      readonly text: string;
      readonly retryAfter?: number;
    };

export async function checkUploader(
  c: Context<WebEnv>,
  sender: string,
  tokens: TokenCheck,
  registered: RegisteredAccounts | undefined,
): Promise<UploaderVerdict> {
  const authorization = c.req.header('Authorization');
  if (authorization !== undefined) {
    const verdict = await tokens.check(peerAddress(c), sender, authorization);
    switch (verdict.kind) {
      case 'allowed':
        return { kind: 'allowed' };
      case 'denied':
        return refused(401, `Unauthorized: the Authorization header is not a valid API token of ${sender}`);
      case 'limited':
        return {
          kind: 'refused',
          status: 429,
          text: 'Too Many Requests',
          retryAfter: verdict.retryAfterSeconds,
        };
      case 'unavailable':
        return refused(503, 'Service Unavailable');
    }
  }
  if (registered?.isRegistered(sender) === true) return { kind: 'allowed' };
  // The reference's answer (sylk spec §4.3.2: 403), with what would have made it succeed.
  return refused(
    403,
    `Forbidden: ${sender} is not registered on any sylkRTC connection; register it (account-register) or send its API token (Authorization: Apikey <token>)`,
  );
}

function refused(status: 401 | 403 | 503, text: string): UploaderVerdict {
  return { kind: 'refused', status, text };
}
