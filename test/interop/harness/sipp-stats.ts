/**
 * Readers for the files sipp writes, which are the harness's source of truth (the screen output is for
 * people): `-trace_stat` (cumulative counters, last row = end of run), `-trace_counts` (per scenario
 * message: sent, received, retransmitted, timed out, unexpected), `-trace_error_codes` and `-trace_rtt` (one response time
 * per call and timer, in whole milliseconds: sipp's clock ticks in ms).
 */
import { existsSync, readFileSync } from 'node:fs';
import type { SipMessage } from '../../../src/sip/message/message.js';
import { parseDatagram } from '../../../src/sip/parser/datagram.js';

export interface SippStats {
  /** ElapsedTime(C): whole seconds only. */
  readonly elapsedSeconds: number;
  /** From StartTime to the time of the last row, to the microsecond. */
  readonly wallSeconds: number;
  readonly callRate: number;
  readonly totalCalls: number;
  readonly currentCalls: number;
  readonly successful: number;
  readonly failed: number;
  readonly failedMaxUdpRetrans: number;
  readonly failedUnexpected: number;
  readonly failedTimeoutOnRecv: number;
  readonly failedCannotSend: number;
  readonly failedTcpConnect: number;
  readonly failedTcpClosed: number;
  readonly failedRejected: number;
  readonly outOfCallMsgs: number;
  readonly deadCallMsgs: number;
  readonly retransmissions: number;
  readonly fatalErrors: number;
  readonly warnings: number;
  /** Mean of response-time timer 1 over the run, in ms (undefined when the scenario has no rtd). */
  readonly responseTime1Ms: number | undefined;
  /** Every column of the last row, by its header name. */
  readonly raw: Readonly<Record<string, string>>;
}

/** Header and last data row of a ';'-separated sipp file, as name → value. */
function lastRow(text: string): Record<string, string> | undefined {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  const header = lines[0]?.split(';');
  const values = lines.length > 1 ? lines[lines.length - 1]?.split(';') : undefined;
  if (header === undefined || values === undefined) return undefined;
  const row: Record<string, string> = {};
  header.forEach((name, i) => {
    if (name !== '') row[name] = values[i] ?? '';
  });
  return row;
}

/** sipp's dates: `YYYY-MM-DD<TAB>HH:MM:SS.micro<TAB>epoch.micro`; the epoch part, in seconds. */
function epochOf(text: string | undefined): number | undefined {
  const epoch = Number(text?.split('\t').pop());
  return Number.isFinite(epoch) && epoch > 0 ? epoch : undefined;
}

/** sipp's durations: `HH:MM:SS` or `HH:MM:SS:micro` (the micro part is microseconds). */
export function parseSippDuration(text: string): number | undefined {
  const parts = text.trim().split(':');
  if (parts.length < 3 || parts.some((part) => !/^\d+$/.test(part))) return undefined;
  const [h = '0', m = '0', s = '0', micro = '0'] = parts;
  return (Number(h) * 3600 + Number(m) * 60 + Number(s)) * 1000 + Number(micro) / 1000;
}

export function parseStats(text: string): SippStats | undefined {
  const row = lastRow(text);
  if (row === undefined) return undefined;
  const n = (name: string): number => {
    const value = Number(row[name] ?? 'NaN');
    return Number.isFinite(value) ? value : 0;
  };
  const elapsed = parseSippDuration(row['ElapsedTime(C)'] ?? '');
  const start = epochOf(row.StartTime);
  const now = epochOf(row.CurrentTime);
  return {
    elapsedSeconds: elapsed === undefined ? 0 : elapsed / 1000,
    wallSeconds: start === undefined || now === undefined ? 0 : now - start,
    callRate: n('CallRate(C)'),
    totalCalls: n('TotalCallCreated'),
    currentCalls: n('CurrentCall'),
    successful: n('SuccessfulCall(C)'),
    failed: n('FailedCall(C)'),
    failedMaxUdpRetrans: n('FailedMaxUDPRetrans(C)'),
    failedUnexpected: n('FailedUnexpectedMessage(C)'),
    failedTimeoutOnRecv: n('FailedTimeoutOnRecv(C)'),
    failedCannotSend: n('FailedCannotSendMessage(C)'),
    failedTcpConnect: n('FailedTcpConnect(C)'),
    failedTcpClosed: n('FailedTcpClosed(C)'),
    failedRejected: n('FailedCallRejected(C)'),
    outOfCallMsgs: n('OutOfCallMsgs(C)'),
    deadCallMsgs: n('DeadCallMsgs(C)'),
    retransmissions: n('Retransmissions(C)'),
    fatalErrors: n('FatalErrors(C)'),
    warnings: n('Warnings(C)'),
    responseTime1Ms:
      row['ResponseTime1(C)'] === undefined ? undefined : parseSippDuration(row['ResponseTime1(C)']),
    raw: row,
  };
}

/** `-trace_counts`, last row: e.g. `2_407_Recv` → 20 (index_message_what, as in the header). */
export function parseCounts(text: string): ReadonlyMap<string, number> {
  const row = lastRow(text) ?? {};
  const counts = new Map<string, number>();
  for (const [name, value] of Object.entries(row)) {
    if (/^\d+_/.test(name)) counts.set(name, Number(value) || 0);
  }
  return counts;
}

/** `-trace_rtt`: the response times of one timer (`rtd_no`), in ms. */
export function parseRtt(text: string, timer = 1): number[] {
  const times: number[] = [];
  for (const line of text.split('\n')) {
    const [, time, rtd] = line.split(';');
    if (time === undefined || rtd === undefined || Number(rtd) !== timer) continue;
    const value = Number(time);
    if (Number.isFinite(value)) times.push(value);
  }
  return times;
}

/** `-trace_error_codes`: status codes of the unexpected responses, with how often each came. */
export function parseErrorCodes(text: string): ReadonlyMap<number, number> {
  const codes = new Map<number, number>();
  for (const line of text.split('\n')) {
    const list = line.split(';')[2] ?? '';
    for (const code of list.split(',')) {
      if (/^\d{3}$/.test(code)) codes.set(Number(code), (codes.get(Number(code)) ?? 0) + 1);
    }
  }
  return codes;
}

export function readIfExists(path: string | undefined): string {
  return path !== undefined && existsSync(path) ? readFileSync(path, 'latin1') : '';
}

/** `-trace_msg`: the Call-IDs of the 200 responses sipp received. */
export function acknowledgedCallIds(trace: string): Set<string> {
  const ids = new Set<string>();
  for (const block of trace.split(/^-{20,}.*$/m)) {
    if (!/message received/.test(block) || !/^SIP\/2\.0 200 /m.test(block)) continue;
    const callId = /^Call-ID:\s*(\S+)\s*$/im.exec(block)?.[1];
    if (callId !== undefined) ids.add(callId);
  }
  return ids;
}

/** One message of a `-trace_msg` file, as sipp sent or received it. */
export interface TracedMessage {
  readonly direction: 'sent' | 'received';
  readonly message: SipMessage;
}

/**
 * `-trace_msg`: every message sipp sent or received, in order, parsed by missive's own parser. A block that
 * does not parse is an error: the test would otherwise assert on fewer messages than went over the wire.
 */
export function parseTracedMessages(trace: string): TracedMessage[] {
  const messages: TracedMessage[] = [];
  for (const block of trace.split(/^-{20,}.*$/m)) {
    const heading = /^\s*\w+ message (sent|received)\b[^\n]*\n\n/.exec(block);
    if (heading === null) continue;
    // What follows the message (sipp's blank lines) lies past its Content-Length and is not read.
    const raw = block.slice(heading[0].length);
    const parsed = parseDatagram(Buffer.from(raw, 'latin1'));
    if (parsed.kind !== 'message')
      throw new Error(`sipp trace: a message that does not parse: ${raw.slice(0, 200)}`);
    messages.push({ direction: heading[1] as 'sent' | 'received', message: parsed.message });
  }
  return messages;
}
