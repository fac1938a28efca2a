// The key a per-source limit counts under.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sourceKey } from '../../src/web/source-key.js';

test('IPv4 is itself, IPv4-mapped IPv6 is its IPv4 address, IPv6 is its /64', () => {
  const cases: [string, string][] = [
    ['192.0.2.7', '192.0.2.7'],
    ['::ffff:192.0.2.7', '192.0.2.7'],
    ['::FFFF:127.0.0.2', '127.0.0.2'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:0DB8:0001:0002:ffff::9', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::1', '2001:db8:1:2::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['64:ff9b::192.0.2.7', '64:ff9b:0:0::/64'],
    ['', ''],
    ['not an address', 'not an address'],
  ];
  for (const [address, key] of cases) assert.equal(sourceKey(address), key, address);
});

test('two addresses of one /64 share a key; of two /64s they do not', () => {
  assert.equal(sourceKey('2001:db8:a:b::1'), sourceKey('2001:db8:a:b:ffff:ffff:ffff:ffff'));
  assert.notEqual(sourceKey('2001:db8:a:b::1'), sourceKey('2001:db8:a:c::1'));
});
