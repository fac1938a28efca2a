import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IniDocument } from '../../src/ini/ini.js';
import { readDatabaseSettings } from '../../src/credentials/sql/settings.js';
import { SettingsError } from '../../src/msrp/relay/settings.js';

const read = (...lines: string[]) =>
  readDatabaseSettings(IniDocument.parse(`${lines.join('\n')}\n`), '/etc/msrprelay');

function fails(pattern: RegExp, ...lines: string[]): SettingsError {
  let caught: unknown;
  assert.throws(
    () => read(...lines),
    (error: unknown) => {
      caught = error;
      return error instanceof SettingsError && pattern.test(error.message);
    },
    pattern.source,
  );
  return caught as SettingsError;
}

describe('readDatabaseSettings', () => {
  it("has msrprelay's defaults without a [Database] section", () => {
    assert.deepEqual(read('[Relay]', 'backend = database'), {
      connection: {
        dialect: 'mysql',
        host: 'db',
        port: undefined,
        user: 'user',
        password: 'pass',
        database: 'opensips',
        socket: undefined,
        charset: undefined,
        sslMode: 'disable',
        ignoredParameters: [],
      },
      cleartextPasswords: true,
      table: 'subscriber',
      usernameColumn: 'username',
      domainColumn: 'domain',
      passwordColumn: 'password',
      ha1Column: 'ha1',
      ha1Sha256Column: undefined,
      timeoutMs: 5000,
    });
  });

  it('reads every option', () => {
    const settings = read(
      '[Database]',
      'uri = sqlite:subscribers.db',
      'cleartext_passwords = No',
      'subscriber_table = kamailio.accounts',
      'username_col = user',
      'domain_col = realm',
      'password_col = secret',
      'ha1_col = digest',
      'ha1_sha256_col = digest256',
      'lookup_timeout = 1.5',
    );
    assert.deepEqual(settings.connection, {
      dialect: 'sqlite',
      path: '/etc/msrprelay/subscribers.db',
      ignoredParameters: [],
    });
    assert.equal(settings.cleartextPasswords, false);
    assert.equal(settings.table, 'kamailio.accounts');
    assert.equal(settings.usernameColumn, 'user');
    assert.equal(settings.domainColumn, 'realm');
    assert.equal(settings.passwordColumn, 'secret');
    assert.equal(settings.ha1Column, 'digest');
    assert.equal(settings.ha1Sha256Column, 'digest256');
    assert.equal(settings.timeoutMs, 1500);
  });

  it('takes values from [DEFAULT] and interpolation, and an empty ha1_sha256_col as none', () => {
    const settings = read(
      '[DEFAULT]',
      'dbpass = s3cret',
      '[Database]',
      'uri = postgres://opensips:%(dbpass)s@127.0.0.1/opensips',
      'cleartext_passwords = off',
      'ha1_sha256_col =',
    );
    assert.equal(settings.connection.dialect, 'postgres');
    assert.equal((settings.connection as { password: string }).password, 's3cret');
    assert.equal(settings.cleartextPasswords, false);
    assert.equal(settings.ha1Sha256Column, undefined);
  });

  it('names the option in each error, lists them all, and never shows the password', () => {
    const error = fails(
      /cleartext_passwords = maybe.*subscriber_table = subscriber; DROP TABLE x.*username_col = user name/,
      '[Database]',
      'cleartext_passwords = maybe',
      'subscriber_table = subscriber; DROP TABLE x',
      'username_col = user name',
    );
    assert.equal(error.problems.length, 3);
    const uri = fails(
      /^\[Database\] uri: unsupported database URI scheme 'oracle'/,
      '[Database]',
      'uri = oracle://u:Topsecret@db/x',
    );
    assert.ok(!uri.message.includes('Topsecret'));
    fails(/\[Database\] uri: .*names no database/, '[Database]', 'uri = mysql://u:p@db');
    fails(/\[Database\] uri: unsupported database URI scheme missing/, '[Database]', 'uri =');
    fails(/\[Database\] domain_col = 9lives/, '[Database]', 'domain_col = 9lives');
    fails(/\[Database\] password_col = /, '[Database]', 'password_col =');
    fails(/\[Database\] ha1_col = a\.b/, '[Database]', 'ha1_col = a.b');
    fails(/\[Database\] ha1_sha256_col = x-y/, '[Database]', 'ha1_sha256_col = x-y');
    fails(/\[Database\] subscriber_table = a\.b\.c/, '[Database]', 'subscriber_table = a.b.c');
    for (const value of ['0', '-1', 'soon', '', '1e9']) {
      fails(/\[Database\] lookup_timeout = /, '[Database]', `lookup_timeout = ${value}`);
    }
  });
});
