/** RFC 2782 ordering: priorities ascending, a weighted random choice within each (seeded, so reproducible). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { SrvRecord } from '../../../src/sip/dns/records.js';
import { orderSrv } from '../../../src/sip/dns/srv-order.js';

/** mulberry32: a small seeded generator of uniform numbers in [0, 1). */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const srvRecord = fc.record({
  name: fc.constantFrom('a.test', 'b.test', 'c.test', 'd.test'),
  port: fc.integer({ min: 1, max: 65535 }),
  priority: fc.integer({ min: 0, max: 3 }),
  weight: fc.integer({ min: 0, max: 100 }),
});

function key(record: SrvRecord): string {
  return `${record.priority}/${record.weight}/${record.name}:${record.port}`;
}

describe('SRV order (RFC 2782)', () => {
  test('every record comes out once, priorities never decrease', () => {
    fc.assert(
      fc.property(fc.array(srvRecord, { minLength: 2, maxLength: 12 }), fc.integer(), (records, seed) => {
        const ordered = orderSrv(records, seeded(seed));
        assert.deepEqual(ordered.map(key).sort(), records.map(key).sort());
        for (let i = 1; i < ordered.length; i++)
          assert.ok((ordered[i - 1]?.priority ?? 0) <= (ordered[i]?.priority ?? 0));
      }),
      { seed: 3263, numRuns: 500 },
    );
  });

  test('within a priority, the first pick follows the weights', () => {
    const records: SrvRecord[] = [
      { name: 'light.test', port: 5060, priority: 10, weight: 10 },
      { name: 'heavy.test', port: 5060, priority: 10, weight: 60 },
      { name: 'middle.test', port: 5060, priority: 10, weight: 30 },
      { name: 'backup.test', port: 5060, priority: 20, weight: 100 },
    ];
    const random = seeded(2782);
    const runs = 20_000;
    const first = new Map<string, number>();
    for (let i = 0; i < runs; i++) {
      const ordered = orderSrv(records, random);
      const name = ordered[0]?.name ?? '';
      first.set(name, (first.get(name) ?? 0) + 1);
      assert.equal(ordered[3]?.name, 'backup.test', 'the higher priority value always comes last');
    }
    // Expected shares: 10/101, 60/101, 30/101 (the running sum spans 0..100 inclusive).
    for (const [name, weight] of [
      ['light.test', 10],
      ['heavy.test', 60],
      ['middle.test', 30],
    ] as const) {
      const share = (first.get(name) ?? 0) / runs;
      const expected = weight / 101;
      assert.ok(Math.abs(share - expected) < 0.015, `${name}: ${share.toFixed(3)} vs ${expected.toFixed(3)}`);
    }
  });

  test('a weight-0 record is rarely first among weighted ones, and zero weights alone share evenly', () => {
    const random = seeded(7);
    const weighted: SrvRecord[] = [
      { name: 'zero.test', port: 1, priority: 0, weight: 0 },
      { name: 'some.test', port: 1, priority: 0, weight: 99 },
    ];
    let zeroFirst = 0;
    for (let i = 0; i < 10_000; i++) if (orderSrv(weighted, random)[0]?.name === 'zero.test') zeroFirst++;
    assert.ok(
      zeroFirst > 40 && zeroFirst < 170,
      `weight 0 first ${zeroFirst} times in 10000 (expected ~100)`,
    );

    const zeros: SrvRecord[] = [
      { name: 'x.test', port: 1, priority: 0, weight: 0 },
      { name: 'y.test', port: 1, priority: 0, weight: 0 },
    ];
    let xFirst = 0;
    for (let i = 0; i < 10_000; i++) if (orderSrv(zeros, random)[0]?.name === 'x.test') xFirst++;
    assert.ok(xFirst > 4500 && xFirst < 5500, `x first ${xFirst} times in 10000`);
  });

  test('a lone "." target means no service', () => {
    assert.deepEqual(orderSrv([{ name: '.', port: 0, priority: 0, weight: 0 }]), []);
  });
});
