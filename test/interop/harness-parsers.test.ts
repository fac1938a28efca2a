/**
 * The pure parts of the interop harness and of the SIP benchmark, without any peer: readers of sipp's
 * files and of baresip's output, sipp's command line, and the rate search.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { searchMaxRate } from '../../bench/sip/search.js';
import { summarize } from '../../bench/sip/latency.js';
import { parseReceivedMessages, parseTracedResponses, registered } from './harness/baresip-output.js';
import { sippArgs } from './harness/sipp.js';
import {
  acknowledgedCallIds,
  parseTracedMessages,
  parseCounts,
  parseErrorCodes,
  parseRtt,
  parseSippDuration,
  parseStats,
} from './harness/sipp-stats.js';

const DATE = (s: string): string => `2026-11-22\t07:43:${s}\t17953334${s}`;

test('parseStats reads the last row by header name', () => {
  const header =
    'StartTime;CurrentTime;ElapsedTime(C);TotalCallCreated;SuccessfulCall(C);FailedCall(C);Retransmissions(C);ResponseTime1(C);';
  const rows = [
    `${DATE('25.000000')};${DATE('25.100000')};00:00:00;1;0;0;0;00:00:00:000000;`,
    `${DATE('25.000000')};${DATE('27.500000')};00:00:02;20;19;1;3;00:00:00:001500;`,
  ];
  const stats = parseStats([header, ...rows, ''].join('\n'));
  assert.ok(stats);
  assert.equal(stats.totalCalls, 20);
  assert.equal(stats.successful, 19);
  assert.equal(stats.failed, 1);
  assert.equal(stats.retransmissions, 3);
  assert.equal(stats.elapsedSeconds, 2);
  assert.ok(Math.abs(stats.wallSeconds - 2.5) < 1e-6);
  assert.equal(stats.responseTime1Ms, 1.5);
  assert.equal(stats.failedUnexpected, 0, 'a missing column reads as 0');
  assert.equal(parseStats(''), undefined);
  assert.equal(parseStats(header), undefined, 'no data row yet');
});

test('parseSippDuration takes HH:MM:SS and HH:MM:SS:micro', () => {
  assert.equal(parseSippDuration('00:00:03'), 3000);
  assert.equal(parseSippDuration('01:02:03:004000'), 3_723_004);
  assert.equal(parseSippDuration('2562047788015:12:55:808000') !== undefined, true);
  assert.equal(parseSippDuration('soon'), undefined);
});

test('parseCounts keeps the per-message columns of the last row', () => {
  const text = [
    'CurrentTime;ElapsedTime;0_REGISTER_Sent;1_401_Recv;2_200_Recv;',
    `${DATE('25.3')};00:00:00:000000;0;0;0;`,
    `${DATE('25.4')};00:00:00:105000;2;1;1;`,
  ].join('\n');
  const counts = parseCounts(text);
  assert.equal(counts.get('0_REGISTER_Sent'), 2);
  assert.equal(counts.get('1_401_Recv'), 1);
  assert.equal(counts.has('ElapsedTime'), false);
});

test('parseRtt and parseErrorCodes', () => {
  assert.deepEqual(parseRtt('Date_ms;response_time_ms;rtd_no\n12.001;0;1\n24.001;4;1\n30;8;2\n'), [0, 4]);
  assert.deepEqual(parseRtt('Date_ms;response_time_ms;rtd_no\n30;8;2\n', 2), [8]);
  const codes = parseErrorCodes(
    `${DATE('12.0')};00:00:00:003000;\n${DATE('12.3')};00:00:00:307000;404,404,500,\n`,
  );
  assert.deepEqual(
    [...codes],
    [
      [404, 2],
      [500, 1],
    ],
  );
});

test('baresip output: received MESSAGEs, traced responses, registration', () => {
  const trace = (direction: string, message: string): string =>
    `\x1b[36;1m#\n${direction}\n${message}\x1b[;m\n`;
  const output = [
    'baresip is ready.',
    trace(
      'TLS 127.0.0.1:5081 -> 127.0.0.1:40000',
      'SIP/2.0 407 Proxy Authentication Required\r\nCSeq: 7 MESSAGE\r\n',
    ),
    trace('TLS 127.0.0.1:5081 -> 127.0.0.1:40000', 'SIP/2.0 200 OK\r\nCSeq: 8 MESSAGE\r\n'),
    '\x1b[32mAll 1 useragent registered successfully! (4 ms)\x1b[;m',
    '\rsip:bob@example.test: "sipp message 1\r\n"',
    '\rsip:carol@example.test: "hi"',
  ].join('\n');
  assert.deepEqual(parseTracedResponses(output), [
    { status: 407, cseq: 7, method: 'MESSAGE' },
    { status: 200, cseq: 8, method: 'MESSAGE' },
  ]);
  assert.deepEqual(parseReceivedMessages(output), [
    { from: 'sip:bob@example.test', text: 'sipp message 1' },
    { from: 'sip:carol@example.test', text: 'hi' },
  ]);
  assert.equal(registered(output), true);
  assert.equal(registered('baresip is ready.'), false);
});

test('latency summary: percentiles, mean, and the clock tick', () => {
  const summary = summarize([0, 0, 0, 4, 8, 4, 0, 12]);
  assert.equal(summary.p50, 0);
  assert.equal(summary.p99, 12);
  assert.equal(summary.mean, 3.5);
  assert.equal(summary.tickMs, 4);
  assert.ok(Number.isNaN(summarize([0, 0]).tickMs));
});

test('the rate search doubles, then bisects to the precision', async () => {
  const capacity = 5300;
  const tried: number[] = [];
  const outcome = await searchMaxRate(
    (rate) => {
      tried.push(rate);
      return Promise.resolve({ rate, passed: rate <= capacity });
    },
    { startRate: 1000, growth: 2, maxRate: 50_000, precision: 0.05, maxProbes: 12 },
  );
  assert.deepEqual(tried.slice(0, 4), [1000, 2000, 4000, 8000]);
  assert.ok(outcome.best !== undefined && outcome.firstFailure !== undefined);
  assert.ok(outcome.best.rate <= capacity && outcome.firstFailure.rate > capacity);
  assert.ok((outcome.firstFailure.rate - outcome.best.rate) / outcome.best.rate <= 0.05);
});

test('the rate search stops at the ceiling and below the lowest rate', async () => {
  const capped = await searchMaxRate((rate) => Promise.resolve({ rate, passed: true }), {
    startRate: 1000,
    growth: 2,
    maxRate: 3000,
    precision: 0.05,
    maxProbes: 12,
  });
  assert.equal(capped.best?.rate, 3000);
  assert.equal(capped.firstFailure, undefined);
  const hopeless = await searchMaxRate((rate) => Promise.resolve({ rate, passed: false }), {
    startRate: 1000,
    growth: 2,
    maxRate: 3000,
    precision: 0.05,
    maxProbes: 12,
  });
  assert.equal(hopeless.best, undefined);
  assert.equal(hopeless.firstFailure?.rate, 50);
});

test('sippArgs: the digest-uri is the Request-URI the scenario sends, unless given', () => {
  const auth = { username: 'alice', password: 'secret' };
  const authUri = (args: readonly string[]): string | undefined => args[args.indexOf('-auth_uri') + 1];
  const register = sippArgs({ scenario: 'register', service: 'alice', auth }, 5070, 'stats.csv');
  assert.equal(authUri(register), 'example.test');
  const message = sippArgs(
    { scenario: 'message-uac-auth', service: 'bob', domain: 'example.org', auth },
    5070,
    'stats.csv',
  );
  assert.equal(authUri(message), 'bob@example.org');
  const given = sippArgs(
    { scenario: 'invite-uac', service: 'bob', auth: { ...auth, uri: 'x.test' } },
    1,
    's',
  );
  assert.equal(authUri(given), 'x.test');
  assert.ok(!sippArgs({ scenario: 'message-uac', service: 'bob' }, 1, 's').includes('-auth_uri'));
});

test('acknowledgedCallIds takes the Call-IDs of received 200s only', () => {
  const block = (what: string, start: string, callId: string): string =>
    `----------------------------------------------- 2026-12-04\t02:55:00.000000\n` +
    `UDP message ${what} [300] bytes :\n\n${start}\r\nVia: SIP/2.0/UDP 127.0.0.1:5060\r\n` +
    `Call-ID: ${callId}\r\nCSeq: 1 MESSAGE\r\n\r\n`;
  const trace = [
    block('sent', 'MESSAGE sip:bob@crash.test SIP/2.0', '1-42@127.0.0.1'),
    block('received', 'SIP/2.0 200 OK', '1-42@127.0.0.1'),
    block('sent', 'MESSAGE sip:bob@crash.test SIP/2.0', '2-42@127.0.0.1'),
    block('received', 'SIP/2.0 100 Trying', '2-42@127.0.0.1'),
    block('received', 'SIP/2.0 500 Server Error', '3-42@127.0.0.1'),
    block('received', 'SIP/2.0 200 OK', '4-42@127.0.0.1'),
  ].join('');
  assert.deepEqual([...acknowledgedCallIds(trace)], ['1-42@127.0.0.1', '4-42@127.0.0.1']);
});

test('parseTracedMessages reads every message of a -trace_msg log, in order, with its direction', () => {
  const trace =
    '----------------------------------------------- 2026-12-04\t02:55:00.000000\n' +
    'UDP message sent (120 bytes):\n\nINVITE sip:bob@x.test SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5060\r\n' +
    'From: <sip:a@x.test>;tag=1\r\nTo: <sip:bob@x.test>\r\nCall-ID: 1\r\nCSeq: 1 INVITE\r\nContent-Length: 3\r\n\r\nv=0\n\n' +
    '----------------------------------------------- 2026-12-04\t02:55:00.100000\n' +
    'UDP message received [90] bytes :\n\nSIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5060\r\nRecord-Route: <sip:127.0.0.1;lr>\r\n' +
    'From: <sip:a@x.test>;tag=1\r\nTo: <sip:bob@x.test>\r\nCall-ID: 1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n\n\n';
  const messages = parseTracedMessages(trace);
  assert.deepEqual(
    messages.map((m) => m.direction),
    ['sent', 'received'],
  );
  const [invite, ok] = messages.map((m) => m.message);
  assert.equal(invite?.kind === 'request' && invite.method, 'INVITE');
  assert.equal(invite?.body.toString(), 'v=0');
  assert.equal(ok?.kind === 'response' && ok.status, 200);
  assert.equal(ok?.headers.get('Record-Route'), '<sip:127.0.0.1;lr>');
  assert.throws(() => parseTracedMessages(trace.replace('SIP/2.0 200 OK', 'garbage')), /does not parse/);
});
