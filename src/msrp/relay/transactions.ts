/** What a connection remembers about requests it forwarded, and the REPORT it may owe for a SEND. */
import type { Timer } from '../../time/clock.js';
import type { Header } from '../message.js';
import { bodilessMessage } from '../wire.js';
import type { SendPart } from './forwarded-send.js';

/** A forwarded SEND part awaiting its downstream response (tracked unless Failure-Report: no). */
export interface TrackedSend extends SendPart {
  /** The original From-Path text: where the REPORT goes. */
  readonly reportTo: string;
  /** The original To-Path[0]: this relay's URI for the session, the REPORT's From-Path. */
  readonly reportFrom: string;
  readonly messageId: string;
  readonly total: number | undefined;
  timer: Timer | undefined;
}

/** A forwarded non-SEND request awaiting its end-to-end response. */
export interface TrackedRequest {
  readonly originalTid: string;
  readonly replyTo: string;
  readonly replyFrom: string;
  readonly timer: Timer;
}

/**
 * The relay's own REPORT about a SEND part (relay spec §3.8): `Status: 000 <code>[ <comment>]`, the
 * Message-ID, and the Byte-Range of the bytes received for the part (none when nothing was).
 */
export function relayReport(
  tracked: TrackedSend,
  code: number,
  comment: string | undefined,
  tid: string,
): Buffer {
  const headers: Header[] = [
    { name: 'Status', value: `000 ${code}${comment === undefined ? '' : ` ${comment}`}` },
    { name: 'Message-ID', value: tracked.messageId },
  ];
  const { start, bytes } = tracked;
  if (bytes > 0)
    headers.push({ name: 'Byte-Range', value: `${start}-${start + bytes - 1}/${tracked.total ?? '*'}` });
  return bodilessMessage(`MSRP ${tid} REPORT`, tracked.reportTo, tracked.reportFrom, headers, tid);
}
