/** sourceKey: what one source is, for the failed-login limits. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sourceKey } from '../../src/auth/source-key.js';

describe('sourceKey', () => {
  it('keeps an IPv4 address as it is, and an IPv4-mapped IPv6 address as its IPv4 address', () => {
    assert.equal(sourceKey('192.0.2.7'), '192.0.2.7');
    assert.equal(sourceKey('::ffff:192.0.2.7'), '192.0.2.7');
    assert.equal(sourceKey('::FFFF:192.0.2.7'), '192.0.2.7');
    assert.equal(sourceKey('::ffff:c000:207'), '192.0.2.7', 'written in hex');
    assert.equal(sourceKey('0:0:0:0:0:ffff:c000:207'), '192.0.2.7', 'written in full');
  });

  it('counts an IPv6 address as its /64, whatever its spelling or zone', () => {
    const key = sourceKey('2001:db8:0:1::1');
    assert.equal(key, '2001:db8:0:1::/64');
    for (const same of ['2001:0DB8:0000:0001:ffff:eeee:dddd:cccc', '2001:db8::1:0:0:0:9', 'fe80::1%eth0']) {
      assert.equal(sourceKey(same), same.startsWith('fe80') ? 'fe80:0:0:0::/64' : key, same);
    }
    assert.notEqual(sourceKey('2001:db8:0:2::1'), key);
    assert.equal(sourceKey('::1'), '0:0:0:0::/64');
    assert.equal(sourceKey('64:ff9b::192.0.2.1'), '64:ff9b:0:0::/64');
  });

  it('leaves anything else as it is', () => {
    assert.equal(sourceKey('not an address'), 'not an address');
  });
});
