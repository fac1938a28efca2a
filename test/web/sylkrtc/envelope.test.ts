/**
 * The sylkRTC envelope parser (src/web/sylkrtc/envelope.ts, fields.ts, python-repr.ts): the reference's
 * texts for known cases (sylk spec §1.3), property tests over generated valid requests and arbitrary JSON,
 * and a mutation test (the fuzz target of the security issue): valid requests corrupted byte by byte, cut,
 * with fields dropped or given values of another type. The parser must never throw, must answer only with
 * its defined results, an error only for a known type, a reply only when the object has a transaction, and
 * bounded error texts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { type FrameResult, parseFrame } from '../../../src/web/sylkrtc/envelope.js';
import { choicesText, parseAor } from '../../../src/web/sylkrtc/fields.js';
import { pythonRepr } from '../../../src/web/sylkrtc/python-repr.js';

const frame = (value: unknown): FrameResult => parseFrame(JSON.stringify(value));

describe('pythonRepr: values as the reference quotes them', () => {
  test('scalars, strings and containers', () => {
    const cases: [unknown, string][] = [
      [1, '1'],
      [-20, '-20'],
      [1.5, '1.5'],
      [1e21, '1e+21'],
      [1e-7, '1e-07'],
      [true, 'True'],
      [false, 'False'],
      [null, 'None'],
      ['processed', "'processed'"],
      ["it's", `"it's"`],
      [`it's "x"`, `'it\\'s "x"'`],
      ['a\nb\t\\', "'a\\nb\\t\\\\'"],
      ['\u0001é', "'\\x01é'"],
      [[1, 'a', null], "[1, 'a', None]"],
      [{ a: 1, b: [true] }, "{'a': 1, 'b': [True]}"],
      [{}, '{}'],
    ];
    for (const [value, text] of cases) assert.equal(pythonRepr(value), text, JSON.stringify(value));
  });

  test('floats below 1e-4 in exponent form, as Python writes them', () => {
    const cases: [number, string][] = [
      [0.0001, '0.0001'],
      [0.00001, '1e-05'],
      [0.000001, '1e-06'],
      [-0.0000025, '-2.5e-06'],
      [1.25e-10, '1.25e-10'],
      [1e-100, '1e-100'],
      [0.5, '0.5'],
    ];
    for (const [value, text] of cases) assert.equal(pythonRepr(value), text, String(value));
  });

  test('characters Python does not print (str.isprintable) are escaped, \\x, \\u or \\U by size', () => {
    const cases: [string, string][] = [
      ['a\u00a0b', "'a\\xa0b'"],
      ['\u200b', "'\\u200b'"],
      ['\u2028', "'\\u2028'"],
      ['\ufeff', "'\\ufeff'"],
      ['\u3000', "'\\u3000'"],
      ['\ue000', "'\\ue000'"],
      ['\u{e0001}', "'\\U000e0001'"],
      ['\u{f0000}', "'\\U000f0000'"],
      ['\ud800', "'\\ud800'"],
      ['a b', "'a b'"],
      ['ü 日本 😀', "'ü 日本 😀'"],
    ];
    for (const [value, text] of cases) assert.equal(pythonRepr(value), text, JSON.stringify(value));
  });

  test('long and deep values are cut', () => {
    assert.ok(pythonRepr('x'.repeat(10_000)).length <= 210);
    let deep: unknown = 1;
    for (let i = 0; i < 1000; i++) deep = [deep];
    assert.ok(pythonRepr(deep).length <= 210);
  });
});

describe('fields: the AOR rule and the choice text', () => {
  test('parseAor strips sip:/sips: and needs a SIP URI behind sip:', () => {
    assert.equal(parseAor('sip:alice@example.com'), 'alice@example.com');
    assert.equal(parseAor('sips:alice@example.com'), 'alice@example.com');
    assert.equal(parseAor('alice@example.com'), 'alice@example.com');
    assert.equal(parseAor('alice'), 'alice', 'no @ needed');
    assert.equal(parseAor('alice@'), undefined);
    assert.equal(parseAor(''), undefined);
    assert.equal(parseAor('tel:+1234'), undefined);
  });

  test('choicesText sorts and joins the last with "or"', () => {
    assert.equal(
      choicesText(['delivered', 'failed', 'displayed', 'forbidden', 'error']),
      'delivered, displayed, error, failed or forbidden',
    );
    assert.equal(choicesText(['one']), 'one');
  });
});

describe('parseFrame: the reference texts', () => {
  test('ignored: not JSON, not an object, no type, unknown type (no reply even with a transaction)', () => {
    assert.deepEqual(parseFrame('{'), { kind: 'ignored', reason: 'not-json' });
    assert.deepEqual(parseFrame('[1]'), { kind: 'ignored', reason: 'not-object' });
    assert.deepEqual(parseFrame('null'), { kind: 'ignored', reason: 'not-object' });
    assert.deepEqual(frame({ transaction: 't' }), { kind: 'ignored', reason: 'no-type' });
    assert.deepEqual(frame({ sylkrtc: 'foo-bar', transaction: 't' }), {
      kind: 'ignored',
      reason: 'unknown-type',
      type: 'foo-bar',
    });
    assert.deepEqual(frame({ sylkrtc: 7, transaction: 't' }), {
      kind: 'ignored',
      reason: 'unknown-type',
      type: undefined,
    });
    assert.deepEqual(frame({ sylkrtc: 'toString', transaction: 't' }), {
      kind: 'ignored',
      reason: 'unknown-type',
      type: 'toString',
    });
  });

  test('invalid: the first failing field in the reference order, a reply only with a transaction key', () => {
    assert.deepEqual(frame({ sylkrtc: 'account-add', account: 'a@b' }), {
      kind: 'invalid',
      type: 'account-add',
      error: "Mandatory property 'transaction' of 'AccountAddRequest' object is missing",
    });
    assert.deepEqual(frame({ sylkrtc: 'account-add', transaction: null, password: 'x' }), {
      kind: 'invalid',
      type: 'account-add',
      error: "Invalid value for 'transaction' property: None",
      reply: { transaction: null },
    });
    const error = (value: Record<string, unknown>): unknown => {
      const result = frame({ transaction: 't', ...value });
      assert.ok(result.kind === 'invalid', JSON.stringify(result));
      return result.error;
    };
    assert.equal(
      error({ sylkrtc: 'account-add', password: 'x' }),
      "Mandatory property 'account' of 'AccountAddRequest' object is missing",
    );
    assert.equal(
      error({ sylkrtc: 'account-add', account: 'a@b', password: 'x', display_name: 5 }),
      "Invalid value for 'display_name' property: 5",
    );
    assert.equal(
      error({ sylkrtc: 'account-add', account: 'a@b', password: 'x'.repeat(10_000) }),
      "the value's length must be between 1 and 9999 inclusive",
    );
    assert.equal(
      error({ sylkrtc: 'account-add', account: 'a@b', password: 'x', incoming_header_prefixes: ['X-', 3] }),
      'Invalid value for str: 3',
    );
    assert.equal(
      error({ sylkrtc: 'account-add', account: 'a@b', password: 'x', incoming_header_prefixes: 'X-' }),
      "Invalid value for 'incoming_header_prefixes' property: 'X-'",
    );
    assert.equal(
      error({
        sylkrtc: 'account-message',
        account: 'a@b',
        uri: 'b@c',
        message_id: 'm',
        content: 'x',
        content_type: 't',
        timestamp: 't',
        server_generated: 1,
      }),
      "Invalid value for 'server_generated' property: 1",
    );
    assert.equal(
      error({ sylkrtc: 'account-message', account: 'a@b', uri: null }),
      "Invalid value for 'uri' property: None",
    );
    assert.equal(
      error({
        sylkrtc: 'account-update-addressbook',
        account: 'a@b',
        action: 'drop',
        type: 'contact',
        data: {},
      }),
      "Invalid value for 'action' property: 'drop' (expected: add, delete or update)",
    );
    assert.equal(
      error({ sylkrtc: 'account-sync-conversations', account: 'a@b', limit: 1.5 }),
      "Invalid value for 'limit' property: 1.5",
    );
    assert.equal(error({ sylkrtc: 'lookup-public-key', uri: 'sip:' }), 'invalid SIP URI: sip:');
  });

  test('requests: AORs without scheme, optional fields absent or null, booleans as integers, extra fields ignored', () => {
    assert.deepEqual(
      frame({
        sylkrtc: 'account-add',
        transaction: 't',
        account: 'sip:a@b',
        password: 'h',
        display_name: null,
        extra: [1],
      }),
      {
        kind: 'request',
        request: {
          sylkrtc: 'account-add',
          transaction: 't',
          account: 'a@b',
          password: 'h',
          displayName: undefined,
          userAgent: undefined,
          incomingHeaderPrefixes: undefined,
        },
      },
    );
    assert.deepEqual(
      frame({
        sylkrtc: 'account-add',
        transaction: 't',
        account: 'a@b',
        password: 'h',
        incoming_header_prefixes: ['X-A', 'X-B', 'X-A'],
      }),
      {
        kind: 'request',
        request: {
          sylkrtc: 'account-add',
          transaction: 't',
          account: 'a@b',
          password: 'h',
          displayName: undefined,
          userAgent: undefined,
          incomingHeaderPrefixes: ['X-A', 'X-B'],
        },
      },
    );
    const sync = (extra: Record<string, unknown>): unknown => {
      const result = frame({
        sylkrtc: 'account-sync-conversations',
        transaction: 't',
        account: 'a@b',
        ...extra,
      });
      return result.kind === 'request' && result.request.sylkrtc === 'account-sync-conversations'
        ? result.request.limit
        : 'not a request';
    };
    assert.equal(sync({}), undefined);
    assert.equal(sync({ limit: null }), null);
    assert.equal(sync({ limit: true }), 1);
    assert.equal(sync({ limit: 20 }), 20);
    assert.deepEqual(frame({ sylkrtc: 'session-create', transaction: 't', sdp: 1 }), {
      kind: 'request',
      request: { sylkrtc: 'call', type: 'session-create', transaction: 't' },
    });
  });
});

/** Valid requests of every type, from their field rules. */
const aorArb = fc
  .tuple(
    fc.constantFrom('', 'sip:', 'sips:'),
    fc.stringMatching(/^[a-z][a-z0-9.]{0,8}$/),
    fc.stringMatching(/^[a-z]{1,8}\.[a-z]{2,3}$/),
  )
  .map(([scheme, user, host]) => `${scheme}${user}@${host}`);
const text = fc.string({ maxLength: 40 });
const validRequestArb: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.record({ sylkrtc: fc.constant('ping'), transaction: text }),
  fc.record({ sylkrtc: fc.constant('lookup-public-key'), transaction: text, uri: aorArb }),
  fc.record(
    {
      sylkrtc: fc.constant('account-add'),
      transaction: text,
      account: aorArb,
      password: fc.string({ minLength: 1, maxLength: 64 }),
      display_name: fc.option(text),
      user_agent: text,
      incoming_header_prefixes: fc.array(text, { maxLength: 4 }),
    },
    { requiredKeys: ['sylkrtc', 'transaction', 'account', 'password'] },
  ),
  fc.record({
    sylkrtc: fc.constantFrom(
      'account-remove',
      'account-register',
      'account-unregister',
      'account-fetch-addressbook',
    ),
    transaction: text,
    account: aorArb,
  }),
  fc.record({
    sylkrtc: fc.constant('account-devicetoken'),
    transaction: text,
    account: aorArb,
    token: text,
    platform: text,
    device: text,
    silent: fc.boolean(),
    app: text,
  }),
  fc.record(
    {
      sylkrtc: fc.constant('account-message'),
      transaction: text,
      account: aorArb,
      uri: aorArb,
      message_id: text,
      content: text,
      content_type: text,
      timestamp: text,
      server_generated: fc.boolean(),
    },
    {
      requiredKeys: [
        'sylkrtc',
        'transaction',
        'account',
        'uri',
        'message_id',
        'content',
        'content_type',
        'timestamp',
      ],
    },
  ),
  fc.record({
    sylkrtc: fc.constant('account-disposition-notification'),
    transaction: text,
    account: aorArb,
    uri: aorArb,
    message_id: text,
    state: fc.constantFrom('delivered', 'failed', 'displayed', 'forbidden', 'error'),
    timestamp: text,
  }),
  fc.record(
    {
      sylkrtc: fc.constant('account-sync-conversations'),
      transaction: text,
      account: aorArb,
      message_id: fc.option(text),
      since: text,
      limit: fc.option(fc.integer()),
    },
    { requiredKeys: ['sylkrtc', 'transaction', 'account'] },
  ),
  fc.record({
    sylkrtc: fc.constantFrom('account-mark-conversation-read', 'account-remove-conversation'),
    transaction: text,
    account: aorArb,
    contact: aorArb,
  }),
  fc.record({
    sylkrtc: fc.constant('account-remove-message'),
    transaction: text,
    account: aorArb,
    message_id: text,
    contact: aorArb,
  }),
  fc.record({
    sylkrtc: fc.constant('account-update-addressbook'),
    transaction: text,
    account: aorArb,
    action: fc.constantFrom('add', 'update', 'delete'),
    type: fc.constantFrom('contact', 'group', 'policy'),
    data: fc.dictionary(text, fc.jsonValue({ maxDepth: 2 })),
  }),
);

/** What any result must satisfy, for any input. */
function assertWellFormed(input: string, result: FrameResult): void {
  switch (result.kind) {
    case 'ignored':
      return;
    case 'invalid': {
      assert.ok(
        result.error.length > 0 && result.error.length < 400,
        `bounded error text: ${result.error.length}`,
      );
      const object = JSON.parse(input) as Record<string, unknown>;
      assert.equal(
        result.reply !== undefined,
        Object.hasOwn(object, 'transaction'),
        'a reply exactly when there is a transaction key',
      );
      return;
    }
    case 'request':
      assert.equal(typeof result.request.transaction, 'string');
      return;
  }
}

describe('parseFrame: properties', () => {
  test('every valid request of every type is a request, with its transaction and AORs without scheme', () => {
    fc.assert(
      fc.property(
        validRequestArb,
        fc.dictionary(fc.stringMatching(/^x_[a-z]{1,6}$/), fc.jsonValue({ maxDepth: 2 })),
        (request, extra) => {
          const result = frame({ ...extra, ...request });
          assert.ok(result.kind === 'request', JSON.stringify(result));
          assert.equal(result.request.transaction, request.transaction);
          if ('account' in result.request)
            assert.ok(!/^sips?:/.test(result.request.account), result.request.account);
        },
      ),
      { numRuns: 2000 },
    );
  });

  test('any JSON value: no throw, a well-formed result; an error only for a known type', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        const input = JSON.stringify(value);
        const result = parseFrame(input);
        assertWellFormed(input, result);
      }),
      { numRuns: 2000 },
    );
  });

  test('a valid request with one field given a value of another kind, or dropped, is invalid and names that field', () => {
    fc.assert(
      fc.property(
        validRequestArb,
        fc.nat(),
        fc.oneof(
          fc.constant(undefined),
          fc.integer(),
          fc.constant(null),
          fc.array(fc.integer(), { maxLength: 2 }),
          fc.constant({ a: 1 }),
        ),
        (request, pick, replacement) => {
          const keys = Object.keys(request).filter((key) => key !== 'sylkrtc');
          const key = keys[pick % keys.length];
          if (key === undefined) return;
          const mutated: Record<string, unknown> = Object.fromEntries(
            Object.entries(request).filter(([name]) => name !== key || replacement !== undefined),
          );
          if (replacement !== undefined) mutated[key] = replacement;
          const result = frame(mutated);
          assertWellFormed(JSON.stringify(mutated), result);
          // Optional fields may be absent or null, integers may be given as such, data is any object: else invalid.
          if (result.kind === 'invalid')
            assert.ok(
              result.error.includes(`'${key}'`) || result.error.startsWith('Invalid value for str'),
              result.error,
            );
        },
      ),
      { numRuns: 2000 },
    );
  });
});

type Mutation = (text: string) => string;
const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fc.nat(), fc.integer({ min: 0, max: 0xffff })).map(
    ([p, code]): Mutation =>
      (t) =>
        t.length === 0
          ? t
          : t.slice(0, p % t.length) + String.fromCharCode(code) + t.slice((p % t.length) + 1),
  ),
  fc.nat().map(
    (p): Mutation =>
      (t) =>
        t.slice(0, p % (t.length + 1)),
  ),
  fc
    .tuple(
      fc.nat(),
      fc.constantFrom(
        '{',
        '}',
        '[',
        ']',
        '"',
        ',',
        ':',
        '\\',
        'null',
        '1e999',
        '-0',
        '"\\ud800"',
        '{"sylkrtc":"ping"}',
      ),
    )
    .map(
      ([p, s]): Mutation =>
        (t) =>
          t.slice(0, p % (t.length + 1)) + s + t.slice(p % (t.length + 1)),
    ),
  fc.tuple(fc.nat(), fc.nat({ max: 20 })).map(
    ([p, n]): Mutation =>
      (t) =>
        t.slice(0, p % (t.length + 1)) + t.slice((p % (t.length + 1)) + n),
  ),
  fc.constant((t: string): string => '['.repeat(5000) + t + ']'.repeat(5000)),
);

describe('parseFrame: mutation (fuzz target)', () => {
  test('valid requests corrupted: no throw, only defined results', () => {
    fc.assert(
      fc.property(
        validRequestArb,
        fc.array(mutationArb, { minLength: 1, maxLength: 4 }),
        (request, mutations) => {
          const input = mutations.reduce((t, mutate) => mutate(t), JSON.stringify(request));
          const result = parseFrame(input);
          assertWellFormed(input, result);
        },
      ),
      { numRuns: 5000 },
    );
  });
});
