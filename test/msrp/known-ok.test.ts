import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HeaderList, type MsrpHead } from '../../src/msrp/message.js';
import type { Paths } from '../../src/msrp/relay/checks.js';
import { KnownOk } from '../../src/msrp/relay/known-ok.js';
import { parseMsrpPath } from '../../src/msrp/uri.js';

const TO = 'msrp://relay.example.com:2855/r1;tcp';
const FROM = 'msrp://b.example.com:9000/b1;tcp';

function head(status: number, comment: string, headers: [string, string][]): MsrpHead {
  const list = new HeaderList();
  for (const [name, value] of headers) list.add(name, value);
  return {
    tid: 'first',
    method: undefined,
    status,
    comment,
    headers: list,
    hasBody: false,
    malformedLines: 0,
  };
}

const paths: Paths = {
  to: parseMsrpPath(TO) ?? [],
  from: parseMsrpPath(FROM) ?? [],
  toText: TO,
  fromText: FROM,
};

function ok(tid: string, closingTid = tid, flag = '$'): string {
  return `MSRP ${tid} 200 OK\r\nTo-Path: ${TO}\r\nFrom-Path: ${FROM}\r\n-------${closingTid}${flag}\r\n`;
}

describe('KnownOk: the next hop’s plain 200s', () => {
  const known = KnownOk.learn(
    head(200, 'OK', [
      ['To-Path', TO],
      ['From-Path', FROM],
    ]),
    paths,
  );

  test('is learned only from a plain 200 with exactly To-Path and From-Path', () => {
    assert.ok(known !== undefined);
    const learn = (h: MsrpHead): KnownOk | undefined => KnownOk.learn(h, paths);
    assert.equal(
      learn(
        head(202, 'OK', [
          ['To-Path', TO],
          ['From-Path', FROM],
        ]),
      ),
      undefined,
    );
    assert.equal(
      learn(
        head(200, 'Fine', [
          ['To-Path', TO],
          ['From-Path', FROM],
        ]),
      ),
      undefined,
    );
    assert.equal(
      learn(
        head(200, 'OK', [
          ['From-Path', FROM],
          ['To-Path', TO],
        ]),
      ),
      undefined,
    );
    assert.equal(
      learn(
        head(200, 'OK', [
          ['To-Path', TO],
          ['From-Path', FROM],
          ['X', 'y'],
        ]),
      ),
      undefined,
    );
    assert.equal(
      learn(
        head(200, 'OK', [
          ['to-path', TO],
          ['From-Path', FROM],
        ]),
      ),
      undefined,
    );
    assert.equal(
      learn(
        head(200, 'OK', [
          ['To-Path', `${TO} `],
          ['From-Path', FROM],
        ]),
      ),
      undefined,
    );
  });

  test('matches each of several 200s in one read, and gives their tids and ends', () => {
    assert.ok(known !== undefined);
    const chunk = Buffer.from(ok('a1') + ok('bb22') + ok('c'));
    const tids: string[] = [];
    for (let pos = 0; pos < chunk.length; pos = known.end) {
      const tid = known.match(chunk, pos);
      assert.ok(tid !== undefined, `a 200 at ${pos}`);
      tids.push(tid);
    }
    assert.deepEqual(tids, ['a1', 'bb22', 'c']);
    assert.equal(known.end, chunk.length);
  });

  test('leaves to the parser anything not byte for byte the pattern', () => {
    assert.ok(known !== undefined);
    const misses = [
      ok('a1', 'a2'), // end-line of another transaction
      ok('a1', 'a1', '+'), // not a complete message's flag
      ok('a1').replace('200 OK', '200 Ok'),
      ok('a1').replace(FROM, FROM.replace('b1', 'b2')),
      ok('a1').replace('\r\n-------', '\r\nX: y\r\n-------'),
      `MSRP ${'t'.repeat(65)} 200 OK\r\nTo-Path: ${TO}\r\nFrom-Path: ${FROM}\r\n-------${'t'.repeat(65)}$\r\n`,
      `MSRP  200 OK\r\nTo-Path: ${TO}\r\nFrom-Path: ${FROM}\r\n-------$\r\n`,
      `MSRP a1 SEND\r\nTo-Path: ${TO}\r\nFrom-Path: ${FROM}\r\n-------a1$\r\n`,
    ];
    for (const text of misses) assert.equal(known.match(Buffer.from(text), 0), undefined, text);
    const whole = Buffer.from(ok('a1'));
    for (let cut = 1; cut < whole.length; cut++) {
      assert.equal(known.match(whole.subarray(0, cut), 0), undefined, `cut at ${cut}`);
    }
  });
});
