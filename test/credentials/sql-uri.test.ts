import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DatabaseUriError,
  describeConnection,
  parseDatabaseUri,
  type ServerConnection,
} from '../../src/sql/uri.js';

const parse = (uri: string) => parseDatabaseUri(uri, '/etc/msrprelay');

function server(uri: string): ServerConnection {
  const connection = parse(uri);
  assert.notEqual(connection.dialect, 'sqlite');
  return connection as ServerConnection;
}

/** Asserts a DatabaseUriError whose message matches `pattern` and does not contain `secret`. */
function rejects(uri: string, pattern: RegExp, secret?: string): void {
  assert.throws(
    () => parse(uri),
    (error: unknown) => {
      assert.ok(error instanceof DatabaseUriError, String(error));
      assert.match(error.message, pattern);
      if (secret !== undefined) assert.ok(!error.message.includes(secret), error.message);
      return true;
    },
    uri,
  );
}

describe('parseDatabaseUri: MySQL and PostgreSQL', () => {
  it("reads msrprelay's default and sample URIs", () => {
    assert.deepEqual(parse('mysql://user:pass@db/opensips'), {
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
    });
    const sample = server('mysql://opensips:opensipsrw@localhost/opensips');
    assert.equal(sample.user, 'opensips');
    assert.equal(sample.password, 'opensipsrw');
    assert.equal(sample.host, 'localhost');
  });

  it('reads postgres:// and postgresql:// alike, with a port', () => {
    for (const scheme of ['postgres', 'postgresql', 'PostgreSQL']) {
      const connection = server(`${scheme}://kamailio:pw@10.0.0.5:6432/kamailio`);
      assert.equal(connection.dialect, 'postgres');
      assert.equal(connection.host, '10.0.0.5');
      assert.equal(connection.port, 6432);
      assert.equal(connection.database, 'kamailio');
    }
  });

  it('percent-decodes the user, password and database', () => {
    const connection = server('mysql://us%40er:p%40ss%3Aw%2Frd%3F%23%25@db:3307/my%20db');
    assert.equal(connection.user, 'us@er');
    assert.equal(connection.password, 'p@ss:w/rd?#%');
    assert.equal(connection.database, 'my db');
    assert.equal(connection.port, 3307);
  });

  it("splits the user from the host at the last '@' and the password at the first ':'", () => {
    const connection = server('mysql://user:p@ss:w@rd@db/opensips');
    assert.equal(connection.user, 'user');
    assert.equal(connection.password, 'p@ss:w@rd');
    assert.equal(connection.host, 'db');
  });

  it('allows no user, no password, an empty password and no host', () => {
    const bare = server('postgres://db/opensips');
    assert.equal(bare.user, undefined);
    assert.equal(bare.password, undefined);
    const noPassword = server('mysql://root@127.0.0.1/test');
    assert.equal(noPassword.user, 'root');
    assert.equal(noPassword.password, undefined);
    assert.equal(server('mysql://root:@127.0.0.1/test').password, '');
    assert.equal(server('mysql://root@/test').host, 'localhost');
    assert.equal(server('mysql://root@:3307/test').port, 3307);
  });

  it('reads a bracketed IPv6 host', () => {
    const connection = server('postgres://u:p@[::1]:5433/db');
    assert.equal(connection.host, '::1');
    assert.equal(connection.port, 5433);
    assert.equal(server('postgres://u:p@[2001:db8::1]/db').port, undefined);
  });

  it('uses the documented parameters and lists the others as ignored', () => {
    const mysql = server(
      'mysql://u:p@db/opensips?charset=utf8mb4&unix_socket=%2Frun%2Fmysqld%2Fmysqld.sock&cache=0&debug=1',
    );
    assert.equal(mysql.charset, 'utf8mb4');
    assert.equal(mysql.socket, '/run/mysqld/mysqld.sock');
    assert.deepEqual(mysql.ignoredParameters, ['cache', 'debug']);
    const pg = server('postgresql://u:p@db/opensips?sslmode=require&charset=x');
    assert.equal(pg.sslMode, 'require');
    assert.equal(pg.charset, undefined);
    assert.deepEqual(pg.ignoredParameters, ['charset']);
    assert.equal(server('postgres://u@db/d?sslmode=verify-ca').sslMode, 'verify-full');
    assert.equal(server('postgres://u@db/d?sslmode=prefer').sslMode, 'disable');
    assert.equal(server('postgres://u@db/d?sslmode=VERIFY-FULL').sslMode, 'verify-full');
    assert.equal(server('mysql://u@db/d#fragment').database, 'd');
    assert.equal(server('mysql://u@db/d/').database, 'd');
  });

  it('rejects bad URIs with clear errors that never show the password', () => {
    rejects('', /unsupported database URI scheme missing/);
    rejects('opensips', /unsupported database URI scheme missing/);
    rejects(
      'oracle://u:Secret1@db/x',
      /unsupported database URI scheme 'oracle'.*mysql:\/\/, postgres:\/\//,
      'Secret1',
    );
    rejects('mssql://u:Secret1@db/x', /'mssql'/, 'Secret1');
    rejects('mysql:u:Secret1@db/x', /does not start with '\/\/'/, 'Secret1');
    rejects('mysql://u:Secret1@db', /names no database/, 'Secret1');
    rejects('mysql://u:Secret1@db/', /names no database/, 'Secret1');
    rejects('mysql://u:Secret1@db:0/x', /bad port/, 'Secret1');
    rejects('mysql://u:Secret1@db:65536/x', /bad port/, 'Secret1');
    rejects('mysql://u:Secret1@db:abc/x', /bad port/, 'Secret1');
    rejects('mysql://u:Secret1@d b/x', /bad host/, 'Secret1');
    rejects('mysql://u:Sec%zzret1@db/x', /bad percent-encoding in the password/, 'Sec%zzret1');
    rejects('mysql://u%zz:Secret1@db/x', /bad percent-encoding in the user name/, 'Secret1');
    rejects('postgres://u:Secret1@db/x?sslmode=bogus', /unsupported sslmode/, 'Secret1');
    rejects('postgres://u:Secret1@db/x?novalue', /bad URI parameter/, 'Secret1');
    rejects('mysql://u:Secret1@db/x?unix_socket=', /unix_socket= names no path/, 'Secret1');
    // Unencoded '/', '?' or '#' in a password: the error must not echo the pieces.
    rejects('mysql://u:Sec/ret1@db/x', /bad port/, 'ret1@db');
    rejects('mysql://u:Sec?ret1@db/x', /bad (port|URI parameter)/, 'ret1');
    rejects('mysql://user:pw/with/slash@db/x', /bad port|contains/, 'slash');
    rejects('mysql://u:pw@db/x/y', /contains '\/' or '@'/);
  });
});

describe('parseDatabaseUri: SQLite', () => {
  it('reads sqlite:///abs, sqlite:/abs and sqlite:relative (from the config directory)', () => {
    assert.deepEqual(parse('sqlite:///var/lib/kamailio/db.sqlite'), {
      dialect: 'sqlite',
      path: '/var/lib/kamailio/db.sqlite',
      ignoredParameters: [],
    });
    assert.deepEqual(
      parse('sqlite:/var/lib/kamailio/db.sqlite'),
      parse('sqlite:///var/lib/kamailio/db.sqlite'),
    );
    assert.equal((parse('sqlite:subscribers.db') as { path: string }).path, '/etc/msrprelay/subscribers.db');
    assert.equal((parse('sqlite:data/../subs.db') as { path: string }).path, '/etc/msrprelay/subs.db');
    assert.equal(
      (parse('sqlite:///tmp/my%20db.sqlite?timeout=5') as { path: string }).path,
      '/tmp/my db.sqlite',
    );
    assert.deepEqual(parse('sqlite:/x.db?timeout=5&debug=1').ignoredParameters, ['timeout', 'debug']);
    assert.equal(
      (parseDatabaseUri('SQLite:rel.db', 'conf') as { path: string }).path,
      `${process.cwd()}/conf/rel.db`,
    );
  });

  it('rejects a host, a missing path and an in-memory database', () => {
    rejects('sqlite://host/path.db', /names no host/);
    rejects('sqlite:', /no file path/);
    rejects('sqlite:///', /no file path/);
    rejects('sqlite:/:memory:', /in-memory/);
    rejects('sqlite:%zz', /bad percent-encoding in the SQLite path/);
  });
});

describe('describeConnection', () => {
  it('shows the URI without the password', () => {
    assert.equal(
      describeConnection(parse('mysql://opensips:opensipsrw@localhost/opensips')),
      'mysql://opensips@localhost/opensips',
    );
    assert.equal(describeConnection(parse('postgres://u:p@[::1]:5433/db')), 'postgres://u@[::1]:5433/db');
    assert.equal(describeConnection(parse('sqlite:subs.db')), 'sqlite:///etc/msrprelay/subs.db');
    assert.ok(!describeConnection(parse('mysql://u:S3cret@db/x?unix_socket=/s')).includes('S3cret'));
  });
});
