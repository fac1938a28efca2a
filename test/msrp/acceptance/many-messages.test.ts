// Relay spec §9.4, test 53: 10000 pipelined 200-byte SENDs with Success-Report yes; B answers each with a
// 200 and a success REPORT. Nothing may be lost or reordered in either direction.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { MessageHead } from '../harness/frame-reader.js';
import { type HeaderList, header, request, responseTo } from '../harness/message.js';
import { SeededBytes } from '../harness/seeded-data.js';
import { nothingMoreAt, openSession } from '../harness/session.js';
import { describeModes } from '../harness/suite.js';

const COUNT = 10_000;
const T = { timeout: 120_000 };

describeModes('9.4 many small messages', {}, (s) => {
  it(
    `53 ${COUNT} pipelined 200-byte SENDs with Success-Report: all 200s and REPORTs, in order`,
    T,
    async (t) => {
      const session = await openSession(s, s.scope(t));
      const { a, b } = session;
      const bodies = new SeededBytes('test 53');
      const headersOf = (i: number): HeaderList => [
        ['Message-ID', `m${i}`],
        ['Byte-Range', '1-200/200'],
        ['Success-Report', 'yes'],
        ['Content-Type', 'application/octet-stream'],
      ];
      const sentBodies: Buffer[] = [];
      const atB: { head: MessageHead; body: Buffer[] }[] = [];
      b.setStreamHandler({
        head: (head) => atB.push({ head, body: [] }),
        body: (slice) => atB.at(-1)?.body.push(Buffer.from(slice)),
        end: () => {
          const head = atB.at(-1)!.head;
          const reportHeaders: HeaderList = [
            ['Message-ID', header(head, 'Message-ID') ?? ''],
            ['Byte-Range', '1-200/200'],
            ['Status', '000 200 OK'],
          ];
          b.socket.write(responseTo(head, 200, 'OK', session.bUri));
          b.socket.write(
            request({
              tid: `rp${head.tid.slice(0, 20)}`,
              method: 'REPORT',
              toPath: session.fromA,
              fromPath: session.bUri,
              headers: reportHeaders,
            }),
          );
        },
      });
      for (let i = 0; i < COUNT; i++) {
        const body = bodies.next(200);
        sentBodies.push(body);
        await a.writeWithBackpressure(
          request({
            tid: `sm${String(i).padStart(6, '0')}`,
            method: 'SEND',
            toPath: session.toB,
            fromPath: s.aUri,
            headers: headersOf(i),
            body,
          }),
        );
      }
      await a.waitUntil(
        () => (a.messages.length >= 2 * COUNT ? true : undefined),
        90_000,
        `${2 * COUNT} messages at A`,
      );
      assert.equal(atB.length, COUNT);
      const badAtB = atB.findIndex(
        (m, i) => header(m.head, 'Message-ID') !== `m${i}` || !Buffer.concat(m.body).equals(sentBodies[i]!),
      );
      assert.equal(badAtB, -1, 'SENDs at B in order and intact');
      const atA = a.messages.splice(0);
      const responses = atA.filter((m) => m.status !== undefined);
      const reports = atA.filter((m) => m.method === 'REPORT');
      assert.equal(responses.length, COUNT);
      assert.equal(reports.length, COUNT);
      assert.equal(
        responses.findIndex((m, i) => m.status !== 200 || m.tid !== `sm${String(i).padStart(6, '0')}`),
        -1,
        '200s in order',
      );
      assert.equal(
        reports.findIndex(
          (m, i) => header(m, 'Message-ID') !== `m${i}` || header(m, 'Status') !== '000 200 OK',
        ),
        -1,
        'REPORTs in order',
      );
      await nothingMoreAt(session, 'a');
    },
  );
});
