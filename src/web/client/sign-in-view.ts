/** The sign-in form: account, password, "stay signed in"; the HA1 is computed here (sylk spec §1.4.1). */
import { el } from './dom.js';
import { md5Hex } from './md5.js';

export interface SignInRequest {
  readonly account: string;
  readonly ha1: string;
  readonly staySignedIn: boolean;
}

export type AccountCheck =
  | { readonly ok: true; readonly account: string }
  | { readonly ok: false; readonly reason: string };

/** `user@domain`, an optional `sip:` in front tolerated. */
export function checkSignInAccount(input: string): AccountCheck {
  const account = input.trim().replace(/^sips?:/i, '');
  const at = account.indexOf('@');
  if (at <= 0 || at === account.length - 1 || account.indexOf('@', at + 1) !== -1 || /\s/.test(account)) {
    return { ok: false, reason: 'Enter the account as name@domain' };
  }
  return { ok: true, account };
}

export function signInView(
  submit: (request: SignInRequest) => Promise<string | undefined>,
  message = '',
): HTMLElement {
  const account = el('input', {
    id: 'account',
    name: 'account',
    type: 'text',
    autocomplete: 'username',
    placeholder: 'name@domain',
    required: true,
    autocapitalize: 'off',
    spellcheck: 'false',
  });
  const password = el('input', {
    id: 'password',
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
  });
  const stay = el('input', { id: 'stay', name: 'stay', type: 'checkbox' });
  const status = el('p', { class: 'form-error', role: 'alert', id: 'sign-in-error' }, message);
  const button = el('button', { type: 'submit' }, 'Sign in');
  const form = el(
    'form',
    { class: 'sign-in', 'aria-labelledby': 'sign-in-title' },
    el('h1', { id: 'sign-in-title' }, 'missive chat'),
    el('label', { for: 'account' }, 'Account'),
    account,
    el('label', { for: 'password' }, 'Password'),
    password,
    el('label', { class: 'check' }, stay, ' Stay signed in on this device'),
    button,
    status,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const checked = checkSignInAccount(account.value);
    if (!checked.ok) {
      status.textContent = checked.reason;
      account.focus();
      return;
    }
    const [user, domain] = checked.account.split('@') as [string, string];
    button.disabled = true;
    status.textContent = '';
    void submit({
      account: checked.account,
      ha1: md5Hex(`${user}:${domain}:${password.value}`),
      staySignedIn: stay.checked,
    }).then((failure) => {
      button.disabled = false;
      if (failure !== undefined) {
        status.textContent = failure;
        password.select();
      }
    });
  });
  queueMicrotask(() => {
    account.focus();
  });
  return el('main', { class: 'sign-in-page' }, form);
}
