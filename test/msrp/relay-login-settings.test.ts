/**
 * The `[Relay]` keys of the failed-login defences (standalone `missive relay`): uniform failures on by
 * default with msrprelay's `uniform_auth_failures = no` still honoured, and the login_* limits.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IniDocument } from '../../src/ini/ini.js';
import { readRelaySettings, SettingsError } from '../../src/msrp/relay/settings.js';

const read = (text: string) => readRelaySettings(IniDocument.parse(`[Relay]\n${text}`), '/nonexistent');

describe('relay settings: failed logins', () => {
  it('answers unknown users like wrong passwords unless told otherwise', () => {
    assert.equal(read('').uniformAuthFailures, true);
    assert.equal(read('uniform_auth_failures = no').uniformAuthFailures, false);
    assert.equal(read('uniform_auth_failures = yes').uniformAuthFailures, true);
  });

  it('reads the login limits, with the defaults of the shared limiter', () => {
    const defaults = read('');
    assert.deepEqual(
      [
        defaults.loginPairMaxFailures,
        defaults.loginSourceMaxFailures,
        defaults.loginFailureWindow,
        defaults.loginCooldown,
      ],
      [5, 60, 300, 300],
    );
    const set = read(
      'login_pair_max_failures = 3\nlogin_source_max_failures = 100\nlogin_failure_window = 60\nlogin_cooldown = 900',
    );
    assert.deepEqual(
      [set.loginPairMaxFailures, set.loginSourceMaxFailures, set.loginFailureWindow, set.loginCooldown],
      [3, 100, 60, 900],
    );
    assert.throws(() => read('login_pair_max_failures = 0'), SettingsError);
    assert.throws(() => read('login_cooldown = soon'), SettingsError);
  });
});
