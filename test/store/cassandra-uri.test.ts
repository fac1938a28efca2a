// cassandra:// store URIs (src/store/cassandra/uri.ts) through parseStoreUri: what they mean, and what is refused.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseStoreUri, StoreUriError } from '../../src/store/index.js';

describe('cassandra:// store URIs', () => {
  it('names contact points, a keyspace, and defaults the rest', () => {
    assert.deepEqual(parseStoreUri('cassandra://127.0.0.1/sylkserver'), {
      backend: 'cassandra',
      location: {
        contactPoints: ['127.0.0.1:9042'],
        keyspace: 'sylkserver',
        datacenter: 'datacenter1',
        replication: 1,
        consistency: 'local_quorum',
      },
    });
  });

  it('takes several hosts with ports, IPv6, the data center, replication and consistency', () => {
    const parsed = parseStoreUri(
      'cassandra://db1:9142,[::1],db3.example.com:9043/Chat_1?datacenter=dc-east&replication=3&consistency=QUORUM',
    );
    assert.deepEqual(parsed, {
      backend: 'cassandra',
      location: {
        contactPoints: ['db1:9142', '[::1]:9042', 'db3.example.com:9043'],
        keyspace: 'Chat_1',
        datacenter: 'dc-east',
        replication: 3,
        consistency: 'quorum',
      },
    });
  });

  it('takes credentials, and never shows the password in an error', () => {
    const parsed = parseStoreUri('cassandra://missive:p%40ss:w0rd@db1,db2/chat');
    if (parsed.backend !== 'cassandra') assert.fail(parsed.backend);
    assert.deepEqual(parsed.location.credentials, { username: 'missive', password: 'p@ss:w0rd' });
    assert.deepEqual(parsed.location.contactPoints, ['db1:9042', 'db2:9042']);
    for (const uri of [
      'cassandra://u:S3cret-pw@bad host/ks',
      'cassandra://S3cret-pw@h/ks',
      'cassandra://u:S3cret-pw%ZZ@h/ks',
    ]) {
      assert.throws(
        () => parseStoreUri(uri),
        (error: unknown) => error instanceof StoreUriError && !error.message.includes('S3cret-pw'),
        uri,
      );
    }
  });

  it('refuses what it cannot use, saying why', () => {
    const refused: [string, RegExp][] = [
      ['cassandra://127.0.0.1', /needs a keyspace/],
      ['cassandra://127.0.0.1/', /not a CQL name/],
      ['cassandra://127.0.0.1/1abc', /not a CQL name/],
      ['cassandra://127.0.0.1/a-b', /not a CQL name/],
      [`cassandra://127.0.0.1/${'k'.repeat(49)}`, /not a CQL name/],
      ['cassandra://127.0.0.1:70000/ks', /not a port/],
      ['cassandra:///ks', /not a host/],
      ['cassandra://a b/ks', /not a host/],
      ['cassandra://h/ks?replication=0', /replication/],
      ['cassandra://h/ks?consistency=each_quorum', /consistency/],
      ['cassandra://h/ks?schema=x', /schema/],
      ['cassandra://h/ks?datacenter=%ZZ', /percent-encoding/],
      [`cassandra://${'h,'.repeat(70)}h/ks`, /contact points/],
    ];
    for (const [uri, message] of refused) {
      assert.throws(
        () => parseStoreUri(uri),
        (error: unknown) => error instanceof StoreUriError && message.test(error.message),
        uri,
      );
    }
  });
});
