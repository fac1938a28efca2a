import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Counter, Histogram, Registry } from 'prom-client';
import {
  type Family,
  type MetricType,
  parsePrometheusText,
  renderPrometheusText,
  sampleValue,
} from './prometheus-text.js';

const metricName = fc.stringMatching(/^[a-zA-Z_:][a-zA-Z0-9_:]{0,12}$/);
const labelName = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,8}$/);
const labels = fc.dictionary(labelName, fc.string({ unit: 'binary', maxLength: 12 }), { maxKeys: 3 });
const value = fc.oneof(fc.double(), fc.integer().map(Number));
const timestamp = fc.option(fc.integer({ min: -1e12, max: 1e13 }), { nil: undefined });

/** Families with names unique by an index, so that no sample name can belong to two families. */
const families = fc
  .array(
    fc.record({
      base: metricName,
      type: fc.constantFrom<MetricType>('counter', 'gauge', 'untyped', 'histogram'),
      help: fc.option(fc.string({ unit: 'binary', maxLength: 20 }), { nil: undefined }),
      samples: fc.array(fc.record({ labels, value, timestamp }), { maxLength: 4 }),
    }),
    { maxLength: 5 },
  )
  .map((drafts) =>
    drafts.map((draft, index): Family => {
      const name = `m${String(index)}_${draft.base}`;
      const sampleName = draft.type === 'histogram' ? `${name}_bucket` : name;
      return {
        name,
        type: draft.type,
        help: draft.help === undefined ? undefined : draft.help.replace(/^[ \t]+/, ''),
        samples: draft.samples.map((s) => ({ ...s, name: sampleName })),
      };
    }),
  );

function sameNumber(a: number, b: number): boolean {
  return (Number.isNaN(a) && Number.isNaN(b)) || a === b;
}

test('what the renderer writes, the parser reads back unchanged', () => {
  fc.assert(
    fc.property(families, (written) => {
      const parsed = parsePrometheusText(renderPrometheusText(written));
      assert.ok(parsed.ok, parsed.ok ? '' : `line ${String(parsed.line)}: ${parsed.error}`);
      assert.equal(parsed.families.size, written.length);
      for (const family of written) {
        const read = parsed.families.get(family.name);
        assert.ok(read !== undefined);
        assert.equal(read.type, family.type);
        assert.equal(read.help, family.help);
        assert.equal(read.samples.length, family.samples.length);
        family.samples.forEach((sample, i) => {
          const got = read.samples[i];
          assert.ok(got !== undefined);
          assert.equal(got.name, sample.name);
          assert.deepEqual({ ...got.labels }, { ...sample.labels });
          assert.ok(sameNumber(got.value, sample.value), `${String(got.value)} != ${String(sample.value)}`);
          assert.equal(got.timestamp, sample.timestamp);
        });
      }
    }),
  );
});

test('any text gets a result, never an exception', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 40 }),
          fc
            .array(
              fc.constantFrom(
                '# TYPE ',
                '# HELP ',
                'x',
                '_sum',
                '{',
                '}',
                '="',
                '"',
                '\\',
                ',',
                ' ',
                '1',
                'NaN',
                'counter',
                'histogram',
              ),
              { maxLength: 12 },
            )
            .map((parts) => parts.join('')),
        ),
        { maxLength: 8 },
      ),
      fc.boolean(),
      (lines, finalFeed) => {
        const parsed = parsePrometheusText(lines.join('\n') + (finalFeed ? '\n' : ''));
        assert.equal(typeof parsed.ok, 'boolean');
      },
    ),
  );
});

test("reads prom-client's own exposition, histogram included", async () => {
  const registry = new Registry();
  const counter = new Counter({
    name: 'c_total',
    help: 'a "counter"\\ with \n escapes',
    labelNames: ['k'],
    registers: [registry],
  });
  counter.labels('a "quoted"\\ value\n').inc(3);
  const histogram = new Histogram({ name: 'h_seconds', help: 'h', buckets: [0.1, 1], registers: [registry] });
  histogram.observe(0.5);
  const parsed = parsePrometheusText(await registry.metrics());
  assert.ok(parsed.ok);
  assert.equal(sampleValue(parsed, 'c_total', { k: 'a "quoted"\\ value\n' }), 3);
  assert.equal(parsed.families.get('c_total')?.help, 'a "counter"\\ with \n escapes');
  assert.equal(sampleValue(parsed, 'h_seconds_bucket', { le: '0.1' }), 0);
  assert.equal(sampleValue(parsed, 'h_seconds_bucket', { le: '+Inf' }), 1);
  assert.equal(sampleValue(parsed, 'h_seconds_count'), 1);
});

test('refuses what the format does not allow, naming the line', () => {
  const cases: [string, RegExp][] = [
    ['x 1', /final line feed/],
    ['# TYPE x counter\n# TYPE x counter\n', /second TYPE/],
    ['x 1\n# TYPE x counter\n', /after its samples/],
    ['# TYPE x histogram\nx 1\n', /not of its family's type/],
    ['x{a="\\t"} 1\n', /bad escape/],
    ['x{a="1",a="2"} 1\n', /twice/],
    ['x{1a="1"} 1\n', /bad label name/],
    ['x{a="1" 1\n', /expected , or }/],
    ['x one\n', /bad value/],
    ['x 1 2 3\n', /expected a value/],
    ['x 1 1.5\n', /bad timestamp/],
    ['9x 1\n', /bad metric name/],
    ['# TYPE x widget\n', /bad TYPE/],
  ];
  for (const [text, error] of cases) {
    const parsed = parsePrometheusText(text);
    assert.ok(!parsed.ok, text);
    assert.match(parsed.error, error, text);
  }
  const second = parsePrometheusText('x 1\ny two\n');
  assert.ok(!second.ok && second.line === 2);
});
