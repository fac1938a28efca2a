/**
 * The RFC 5547 parsers (src/msrp/sdp/): a=file-selector round-trips through its formatter for any name,
 * type, size and hash; neither the selector nor the offer parser throws on any input, and both stay within
 * their bounds; an offer built from random streams is read back with the file stream's path, direction,
 * selector and transfer id, and its answer declines every other stream with port 0 (RFC 3264 §6).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  formatFileSelector,
  parseFileSelector,
  type FileSelector,
} from '../../../src/msrp/sdp/file-selector.js';
import { fileAnswer, parseFileOffer } from '../../../src/msrp/sdp/file-offer.js';

const hash = fc
  .array(fc.integer({ min: 0, max: 255 }), { minLength: 20, maxLength: 20 })
  .map((bytes) => `sha-1:${bytes.map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join(':')}`);
const token = fc.stringMatching(/^[a-z0-9][a-z0-9.+-]{0,15}$/);
const selector: fc.Arbitrary<FileSelector> = fc.record(
  {
    name: fc.string({ minLength: 0, maxLength: 60, unit: 'grapheme' }),
    type: fc.tuple(token, token).map(([a, b]) => `${a}/${b}`),
    size: fc.integer({ min: 0, max: 2 ** 40 }),
    hash,
  },
  { requiredKeys: [] },
);

describe('a=file-selector (RFC 5547 §5)', () => {
  test('what the formatter writes, the parser reads back', () => {
    fc.assert(
      fc.property(selector, (value) => {
        const parsed = parseFileSelector(formatFileSelector(value));
        assert.ok(parsed.ok, parsed.ok ? '' : parsed.reason);
        assert.deepEqual(
          parsed.selector,
          Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)),
        );
      }),
      { numRuns: 500 },
    );
  });

  test('any text: a result, never an exception', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 3000 }), (text) => {
        const parsed = parseFileSelector(text);
        if (text.length > 2048) assert.equal(parsed.ok, false);
      }),
      { numRuns: 1000 },
    );
  });

  test('a lower-case hash is kept upper-case; a short one, a bad size and an unclosed name are refused', () => {
    const lower = parseFileSelector(`hash:sha-1:${Array(20).fill('ab').join(':')}`);
    assert.ok(lower.ok);
    assert.equal(lower.selector.hash, `sha-1:${Array(20).fill('AB').join(':')}`);
    for (const bad of ['hash:sha-1:AB:CD', 'size:12x', 'name:"open', 'name:plain', 'type:nothing'])
      assert.equal(parseFileSelector(bad).ok, false, bad);
    const named = parseFileSelector('name:"My cool picture.jpg" type:image/jpeg size:32349');
    assert.deepEqual(named, {
      ok: true,
      selector: { name: 'My cool picture.jpg', type: 'image/jpeg', size: 32349 },
    });
  });
});

describe('an SDP offer for a file transfer', () => {
  const other = fc.constantFrom(
    'm=audio 4000 RTP/AVP 0 8',
    'm=video 5000 RTP/AVP 96',
    'm=message 2855 TCP/MSRP *',
  );
  const path = fc
    .array(fc.stringMatching(/^[a-z0-9]{1,10}$/), { minLength: 1, maxLength: 4 })
    .map((ids) =>
      ids.map((id, i) => `msrp${i % 2 === 0 ? '' : 's'}://10.0.0.${String(i + 1)}:2855/${id};tcp`),
    );

  test('is read back from random streams around it, and answered with the others declined', () => {
    fc.assert(
      fc.property(
        fc.array(other, { maxLength: 3 }),
        fc.array(other, { maxLength: 3 }),
        path,
        selector,
        fc.constantFrom('sendonly', 'recvonly'),
        fc.stringMatching(/^[A-Za-z0-9-]{1,30}$/),
        fc.boolean(),
        (before, after, uris, files, direction, transferId, secure) => {
          const stream = [
            `m=message 9 ${secure ? 'TCP/TLS/MSRP' : 'TCP/MSRP'} *`,
            `a=path:${uris.join(' ')}`,
            `a=${direction}`,
            `a=file-selector:${formatFileSelector(files)}`,
            `a=file-transfer-id:${transferId}`,
            'a=setup:actpass',
          ];
          const lines = [
            'v=0',
            'o=- 1 1 IN IP4 10.0.0.1',
            's=-',
            'c=IN IP4 10.0.0.1',
            't=0 0',
            ...before,
            ...stream,
            ...after,
          ];
          const result = parseFileOffer(Buffer.from(`${lines.join('\r\n')}\r\n`));
          assert.ok(result.kind === 'file', result.kind);
          const { offer } = result;
          assert.equal(offer.index, before.length);
          assert.deepEqual(offer.path, uris);
          assert.equal(offer.direction, direction === 'sendonly' ? 'push' : 'pull');
          assert.equal(offer.transferId, transferId);
          assert.equal(offer.secure, secure);
          assert.equal(offer.setup, 'actpass');
          const answer = fileAnswer(offer, {
            host: '192.0.2.1',
            port: 4000,
            uri: 'msrp://192.0.2.1:4000/s;tcp',
            selector: 'size:1',
            sessionVersion: 1,
          })
            .toString()
            .split('\r\n')
            .filter((line) => line.startsWith('m='));
          assert.equal(answer.length, before.length + 1 + after.length);
          answer.forEach((line, i) => {
            assert.equal(/^m=\S+ 0 /.test(line), i !== before.length, line);
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  test('any bytes: a result, never an exception', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 20_000 }), (bytes) => {
        const result = parseFileOffer(Buffer.from(bytes));
        assert.ok(['file', 'no-file-stream', 'malformed'].includes(result.kind));
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 80 }), { maxLength: 40 }), (lines) => {
        parseFileOffer(
          Buffer.from(['v=0', 'm=message 9 TCP/MSRP *', ...lines.map((l) => `a=${l}`)].join('\r\n')),
        );
      }),
      { numRuns: 500 },
    );
  });

  test('no file stream, no path, no direction, too big', () => {
    const base = ['v=0', 'o=- 1 1 IN IP4 10.0.0.1', 's=-', 't=0 0'];
    const read = (...lines: string[]) => parseFileOffer(Buffer.from([...base, ...lines].join('\r\n')));
    assert.equal(read('m=audio 4000 RTP/AVP 0').kind, 'no-file-stream');
    assert.equal(
      read('m=message 9 TCP/MSRP *', 'a=path:msrp://a:1/s;tcp', 'a=sendonly').kind,
      'no-file-stream',
    );
    assert.equal(read('m=message 9 TCP/MSRP *', 'a=file-selector:size:1', 'a=sendonly').kind, 'malformed');
    assert.equal(
      read('m=message 9 TCP/MSRP *', 'a=path:msrp://a:1/s;tcp', 'a=file-selector:size:1').kind,
      'malformed',
    );
    assert.equal(
      read('m=message 9 TCP/MSRP *', 'a=path:http://a/', 'a=file-selector:size:1', 'a=sendonly').kind,
      'malformed',
    );
    assert.equal(parseFileOffer(Buffer.alloc(17_000, 'a')).kind, 'malformed');
    assert.equal(parseFileOffer(Buffer.alloc(0)).kind, 'malformed');
  });
});
