/**
 * msrprelay's `[Database]` section, typed, with its defaults, plus missive's `ha1_sha256_col` and
 * `lookup_timeout`. A bad value is a SettingsError naming the option.
 */
import { type IniDocument, parseBoolean } from '../../ini/ini.js';
import { SettingsError } from '../../ini/settings-error.js';
import { isSqlIdentifier, isSqlTableName } from '../../sql/identifiers.js';
import { type CredentialTable, DEFAULT_CREDENTIAL_TABLE } from './query.js';
import { DEFAULT_LOOKUP_TIMEOUT_MS } from './store.js';
import { type DatabaseConnection, DatabaseUriError, parseDatabaseUri } from '../../sql/uri.js';

export interface DatabaseSettings extends CredentialTable {
  readonly connection: DatabaseConnection;
  /** `lookup_timeout` (seconds in the file). */
  readonly timeoutMs: number;
}

/** msrprelay's code default (its sample config has `mysql://opensips:opensipsrw@localhost/opensips`). */
export const DEFAULT_DATABASE_URI = 'mysql://user:pass@db/opensips';

const SECTION = 'Database';

/** `configDir` anchors a relative `sqlite:` path. Throws SettingsError listing every bad option. */
export function readDatabaseSettings(ini: IniDocument, configDir: string): DatabaseSettings {
  const problems: string[] = [];
  const raw = (key: string): string | undefined => ini.get(SECTION, key);

  const uriText = raw('uri') ?? DEFAULT_DATABASE_URI;
  let connection: DatabaseConnection | undefined;
  try {
    connection = parseDatabaseUri(uriText, configDir);
  } catch (error) {
    if (!(error instanceof DatabaseUriError)) throw error;
    problems.push(`[${SECTION}] uri: ${error.message}`); // the value is not echoed: it holds the password
  }

  let cleartextPasswords = DEFAULT_CREDENTIAL_TABLE.cleartextPasswords;
  const cleartextText = raw('cleartext_passwords');
  if (cleartextText !== undefined) {
    const parsed = parseBoolean(cleartextText);
    if (parsed === undefined) {
      problems.push(
        `[${SECTION}] cleartext_passwords = ${cleartextText}: expected yes/no, true/false, on/off or 1/0`,
      );
    }
    cleartextPasswords = parsed ?? cleartextPasswords;
  }

  const name = (key: string, fallback: string, qualified = false): string => {
    const value = raw(key) ?? fallback;
    if (!(qualified ? isSqlTableName(value) : isSqlIdentifier(value))) {
      const shape = qualified ? 'an SQL table name (identifier or schema.identifier)' : 'an SQL column name';
      problems.push(
        `[${SECTION}] ${key} = ${value}: expected ${shape} of letters, digits and '_', not starting with a digit`,
      );
    }
    return value;
  };
  const defaults = DEFAULT_CREDENTIAL_TABLE;
  const table = name('subscriber_table', defaults.table, true);
  const usernameColumn = name('username_col', defaults.usernameColumn);
  const domainColumn = name('domain_col', defaults.domainColumn);
  const passwordColumn = name('password_col', defaults.passwordColumn);
  const ha1Column = name('ha1_col', defaults.ha1Column);
  const sha256Text = raw('ha1_sha256_col');
  const ha1Sha256Column =
    sha256Text === undefined || sha256Text === '' ? undefined : name('ha1_sha256_col', '');

  let timeoutMs = DEFAULT_LOOKUP_TIMEOUT_MS;
  const timeoutText = raw('lookup_timeout');
  if (timeoutText !== undefined) {
    const seconds = timeoutText.trim() === '' ? NaN : Number(timeoutText);
    if (!(Number.isFinite(seconds) && seconds >= 0.001 && seconds <= 3600)) {
      problems.push(
        `[${SECTION}] lookup_timeout = ${timeoutText}: expected a number of seconds from 0.001 to 3600`,
      );
    } else {
      timeoutMs = Math.round(seconds * 1000);
    }
  }

  if (problems.length > 0 || connection === undefined) throw new SettingsError(problems);
  return {
    connection,
    cleartextPasswords,
    table,
    usernameColumn,
    domainColumn,
    passwordColumn,
    ha1Column,
    ha1Sha256Column,
    timeoutMs,
  };
}
