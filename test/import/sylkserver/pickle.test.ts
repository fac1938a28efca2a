// The pickle reader against pickles Python itself writes (python3, every protocol, and protocol 0 as Python
// 2's SylkServer wrote it), hostile pickles refused without running anything, and arbitrary bytes never throwing.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { readPickle } from '../../../src/import/sylkserver/pickle.js';

/** The pickle of the Python expression `expression` in `protocol`, written by python3. */
function pickled(expression: string, protocol: number): Buffer {
  const script = `import pickle,sys\nsys.stdout.buffer.write(pickle.dumps(${expression}, protocol=${protocol}))`;
  return execFileSync('python3', ['-c', script]);
}

const TOKENS = `{'alice@example.com': {'com.agprojects.sylk-ios-d1': {'device_id': 'd1', 'platform': 'ios',
  'silent': '0', 'app_id': 'com.agprojects.sylk-ios', 'user_agent': 'Sylk 5.3 (iOS)', 'background_token': 'bg-1',
  'token': 'tok-1'}, 'org.x-d2': {'device_id': 'd2', 'platform': 'firebase', 'silent': '1', 'app_id': 'org.x',
  'user_agent': None, 'background_token': None, 'token': 'ünïcode ☃ \\\\ \\n line'}}, 'bob@example.com': {}}`;

const EXPECTED = {
  'alice@example.com': {
    'com.agprojects.sylk-ios-d1': {
      device_id: 'd1',
      platform: 'ios',
      silent: '0',
      app_id: 'com.agprojects.sylk-ios',
      user_agent: 'Sylk 5.3 (iOS)',
      background_token: 'bg-1',
      token: 'tok-1',
    },
    'org.x-d2': {
      device_id: 'd2',
      platform: 'firebase',
      silent: '1',
      app_id: 'org.x',
      user_agent: null,
      background_token: null,
      token: 'ünïcode ☃ \\ \n line',
    },
  },
  'bob@example.com': {},
};

describe('pickles', () => {
  for (const protocol of [0, 1, 2, 3, 4, 5]) {
    test(`SylkServer's device tokens in protocol ${protocol}`, () => {
      assert.deepEqual(readPickle(pickled(TOKENS, protocol)), { ok: true, value: EXPECTED });
    });
  }

  test('numbers, booleans, lists, tuples and shared references in protocols 0, 2 and 4', () => {
    const expression =
      "(lambda x: {'n': [0, 1, -1, 255, 256, 65535, 65536, -2**31, 2**31, 2**70, 1.5], 'b': [True, False, None], 't': (1, (2, 3), ()), 'same': [x, x]})(['shared'])";
    for (const protocol of [0, 2, 4]) {
      assert.deepEqual(readPickle(pickled(expression, protocol)), {
        ok: true,
        value: {
          n: [0, 1, -1, 255, 256, 65535, 65536, -(2 ** 31), 2 ** 31, 2n ** 70n, 1.5],
          b: [true, false, null],
          t: [1, [2, 3], []],
          same: [['shared'], ['shared']],
        },
      });
    }
  });

  test('sets and bytes (protocol 4; older protocols write them as calls, which are refused)', () => {
    assert.deepEqual(readPickle(pickled("{'s': {'a'}, 'f': frozenset(['b']), 'bytes': b'\\xff\\x00'}", 4)), {
      ok: true,
      value: { s: ['a'], f: ['b'], bytes: '\xff\x00' },
    });
    assert.equal(readPickle(pickled("{'s': {'a'}}", 2)).ok, false);
  });

  test("Python 2's protocol 0 strings (S opcode with escapes)", () => {
    const data = Buffer.from("(dp0\nS'alice@example.com'\np1\nS'it\\'s \\x41\\n'\np2\ns.", 'latin1');
    assert.deepEqual(readPickle(data), { ok: true, value: { 'alice@example.com': "it's A\n" } });
  });

  test('a pickle that names a class or calls a function is refused, and nothing runs', () => {
    const hostile = pickled("__import__('os').system", 2);
    const result = readPickle(hostile);
    assert.ok(!result.ok);
    assert.match(result.error, /not plain data/);
    const reduce = Buffer.from("cos\nsystem\n(S'touch /tmp/pwned'\ntR.", 'latin1');
    assert.equal(readPickle(reduce).ok, false);
  });

  test('truncated and garbled pickles are errors, never throws', () => {
    const whole = pickled(TOKENS, 4);
    for (let cut = 0; cut < whole.length; cut += 7)
      assert.equal(readPickle(whole.subarray(0, cut)).ok, false);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const result = readPickle(bytes);
        assert.equal(typeof result.ok, 'boolean');
      }),
      { numRuns: 2000 },
    );
  });
});
