/**
 * Reads baresip's stdout. Incoming MESSAGEs are printed as `\r<from URI>: "<text>"`. With `-s` every SIP
 * message is traced as `ESC[36;1m#\n<PROTO> <src> -> <dst>\n<message>ESC[;m`; the responses to our
 * MESSAGEs (CSeq method MESSAGE) are read from there, because baresip prints nothing on a 200.
 */

export interface ReceivedMessage {
  readonly from: string;
  readonly text: string;
}

export interface TracedResponse {
  readonly status: number;
  readonly cseq: number;
  readonly method: string;
}

/** Complete `from: "text"` lines received so far (the text may span lines). */
export function parseReceivedMessages(output: string): ReceivedMessage[] {
  const messages: ReceivedMessage[] = [];
  for (const match of output.matchAll(/(?:^|\r)(sips?:[^\s"]+): "([^"]*)"/gm)) {
    messages.push({ from: match[1] ?? '', text: (match[2] ?? '').trim() });
  }
  return messages;
}

/** Responses in the SIP trace (-s), in order. */
export function parseTracedResponses(output: string): TracedResponse[] {
  const responses: TracedResponse[] = [];
  for (const block of output.split('\x1b[36;1m#\n').slice(1)) {
    const message = block.slice(block.indexOf('\n') + 1);
    const status = /^SIP\/2\.0 (\d{3}) /.exec(message);
    const cseq = /^CSeq:\s*(\d+)\s+(\S+)/im.exec(message);
    if (status === null || cseq === null) continue;
    responses.push({
      status: Number(status[1]),
      cseq: Number(cseq[1]),
      method: (cseq[2] ?? '').toUpperCase(),
    });
  }
  return responses;
}

/** True once baresip reported every account registered. */
export function registered(output: string): boolean {
  return /useragents? registered successfully/.test(output);
}
