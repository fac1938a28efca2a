/**
 * "Stay signed in": the account and its HA1 in localStorage, only when the person asked for it (the HA1
 * signs in as the account, so it is kept nowhere otherwise). Never the password.
 */
const KEY = 'missive.chat.login';

export interface SavedLogin {
  readonly account: string;
  readonly ha1: string;
}

export function loadLogin(): SavedLogin | undefined {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(KEY) ?? 'null');
    if (typeof value !== 'object' || value === null) return undefined;
    const { account, ha1 } = value as Record<string, unknown>;
    return typeof account === 'string' && typeof ha1 === 'string' ? { account, ha1 } : undefined;
  } catch {
    return undefined;
  }
}

export function saveLogin(login: SavedLogin): void {
  localStorage.setItem(KEY, JSON.stringify(login));
}

export function forgetLogin(): void {
  localStorage.removeItem(KEY);
}
