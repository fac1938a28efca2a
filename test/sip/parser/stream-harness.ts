/** Records what a SipStreamParser reports, in order. */
import type { SipMessage } from '../../../src/sip/message/message.js';
import type { SipParseError } from '../../../src/sip/parser/errors.js';
import type { ParserConfig } from '../../../src/sip/parser/limits.js';
import { SipStreamParser } from '../../../src/sip/parser/stream.js';

export type StreamEvent =
  | { readonly type: 'message'; readonly message: SipMessage }
  | { readonly type: 'ping' }
  | { readonly type: 'error'; readonly error: SipParseError; readonly fatal: boolean };

export function recorder(config?: ParserConfig): { parser: SipStreamParser; events: StreamEvent[] } {
  const events: StreamEvent[] = [];
  const parser = new SipStreamParser(
    {
      // Bodies may be views of the fed chunks: copy them, as a caller keeping them would.
      onMessage: (message) => {
        message.body = Buffer.from(message.body);
        events.push({ type: 'message', message });
      },
      onPing: () => events.push({ type: 'ping' }),
      onError: (error, fatal) => events.push({ type: 'error', error, fatal }),
    },
    config,
  );
  return { parser, events };
}

/** Feeds `pieces` and returns the events. */
export function feedAll(pieces: readonly Buffer[], config?: ParserConfig): StreamEvent[] {
  const { parser, events } = recorder(config);
  for (const piece of pieces) parser.feed(piece);
  return events;
}

/** A comparable summary of events: messages as start line + headers + body, errors as kind/status/reason. */
export function summary(events: readonly StreamEvent[]): unknown[] {
  return events.map((event) => {
    if (event.type === 'ping') return 'ping';
    if (event.type === 'error') {
      const { error } = event;
      return error.kind === 'reject'
        ? ['reject', error.status, error.reason, event.fatal]
        : ['drop', error.reason, event.fatal];
    }
    const { message } = event;
    const start =
      message.kind === 'request'
        ? `${message.method} ${message.uri.toString()}`
        : `${message.status} ${message.reason}`;
    return [start, [...message.headers.entries()], message.body.toString('hex')];
  });
}
