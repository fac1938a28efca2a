/**
 * An SDP offer for an MSRP file transfer (RFC 5547 over RFC 4975 §8 and RFC 4566), read as far as an MSRP
 * endpoint that only takes files needs: the first `m=message … TCP/MSRP` (or `TCP/TLS/MSRP`) stream with an
 * `a=file-selector`, its `a=path`, direction (`a=sendonly` at the offerer: push, the file comes to us;
 * `a=recvonly`: pull, RFC 5547 §8.2), `a=file-transfer-id`, `a=setup` (RFC 6135) and `a=accept-types`; and the
 * answer to it. Other streams are declined with port 0 in the answer (RFC 3264 §6). Bounded, nothing throws:
 * a malformed offer is a result with the reason the 400 carries.
 */
import { type FileSelector, parseFileSelector } from './file-selector.js';

export type FileDirection = 'push' | 'pull';

export interface FileOffer {
  /** Index of the file stream among the m-lines. */
  readonly index: number;
  /** Every m-line of the offer, as received (the answer declines all but the file stream). */
  readonly mediaLines: readonly string[];
  readonly secure: boolean;
  /** The offerer's a=path, in order: its relays first, its own URI last (RFC 4975 §8.1). */
  readonly path: readonly string[];
  readonly direction: FileDirection;
  readonly selector: FileSelector;
  readonly transferId: string | undefined;
  readonly setup: string | undefined;
}

export type FileOfferResult =
  | { readonly kind: 'file'; readonly offer: FileOffer }
  /** A valid offer with no file-transfer stream (answered 488, sylk spec §4.3.4). */
  | { readonly kind: 'no-file-stream' }
  | { readonly kind: 'malformed'; readonly reason: string };

export const MAX_SDP_BYTES = 16 * 1024;
const MAX_LINES = 256;
const MAX_PATH_URIS = 8;

interface Media {
  readonly line: string;
  readonly proto: string;
  readonly attributes: { name: string; value: string | undefined }[];
}

export function parseFileOffer(body: Buffer): FileOfferResult {
  if (body.length === 0) return malformed('no SDP body');
  if (body.length > MAX_SDP_BYTES) return malformed(`an SDP body over ${String(MAX_SDP_BYTES)} bytes`);
  const text = body.toString('utf8');
  const lines = text.split(/\r?\n/).filter((line) => line.length > 0);
  if (lines.length > MAX_LINES) return malformed(`more than ${String(MAX_LINES)} SDP lines`);
  if (lines[0] !== 'v=0') return malformed('the SDP does not start with v=0');
  const media: Media[] = [];
  for (const line of lines) {
    if (!/^[a-z]=/.test(line)) return malformed(`an SDP line that is not type=value: "${clip(line)}"`);
    const type = line[0];
    const value = line.slice(2);
    if (type === 'm') {
      const fields = value.split(' ');
      if (fields.length < 4 || !/^[0-9]{1,5}(\/[0-9]+)?$/.test(fields[1] ?? ''))
        return malformed(`an m-line that is not "media port proto fmt": "${clip(line)}"`);
      media.push({ line, proto: (fields[2] ?? '').toUpperCase(), attributes: [] });
    } else if (type === 'a') {
      const current = media.at(-1);
      if (current === undefined) continue; // session-level attributes say nothing of the file
      const colon = value.indexOf(':');
      current.attributes.push(
        colon < 0
          ? { name: value.toLowerCase(), value: undefined }
          : { name: value.slice(0, colon).toLowerCase(), value: value.slice(colon + 1).trim() },
      );
    }
  }
  if (media.length === 0) return malformed('the SDP has no m-line');
  const index = media.findIndex(
    (m) =>
      (m.proto === 'TCP/MSRP' || m.proto === 'TCP/TLS/MSRP') &&
      m.line.startsWith('m=message ') &&
      m.attributes.some((a) => a.name === 'file-selector'),
  );
  const stream = media[index];
  if (stream === undefined) return { kind: 'no-file-stream' };
  const attribute = (name: string): string | undefined =>
    stream.attributes.find((a) => a.name === name)?.value;
  const pathText = attribute('path');
  if (pathText === undefined) return malformed('the MSRP stream has no a=path');
  const path = pathText.split(/[ \t]+/).filter((uri) => uri.length > 0);
  if (path.length === 0 || path.length > MAX_PATH_URIS || !path.every((uri) => /^msrps?:\/\/\S+$/i.test(uri)))
    return malformed('a=path is not a list of msrp: URIs');
  const selector = parseFileSelector(attribute('file-selector') ?? '');
  if (!selector.ok) return malformed(selector.reason);
  const sendonly = stream.attributes.some((a) => a.name === 'sendonly');
  const recvonly = stream.attributes.some((a) => a.name === 'recvonly');
  if (sendonly === recvonly)
    return malformed('the file stream must be a=sendonly (push) or a=recvonly (pull), RFC 5547 §8');
  const transferId = attribute('file-transfer-id');
  if (transferId !== undefined && !/^[\x21-\x7e]{1,250}$/.test(transferId))
    return malformed('a=file-transfer-id is not a token');
  return {
    kind: 'file',
    offer: {
      index,
      mediaLines: media.map((m) => m.line),
      secure: stream.proto === 'TCP/TLS/MSRP',
      path,
      direction: sendonly ? 'push' : 'pull',
      selector: selector.selector,
      transferId,
      setup: attribute('setup')?.toLowerCase(),
    },
  };
}

export interface FileAnswerParts {
  /** The host in o= and c= (our advertised address). */
  readonly host: string;
  readonly port: number;
  /** Our MSRP URI, the a=path of the answer. */
  readonly uri: string;
  /** The selector to repeat (pull: the stored file's, with its size and hash). */
  readonly selector: string;
  readonly sessionVersion: number;
}

/** The SDP answer: the file stream accepted, the other streams declined (port 0). */
export function fileAnswer(offer: FileOffer, parts: FileAnswerParts): Buffer {
  const family = parts.host.includes(':') ? 'IP6' : 'IP4';
  const lines = [
    'v=0',
    `o=missive ${String(parts.sessionVersion)} ${String(parts.sessionVersion)} IN ${family} ${parts.host}`,
    's=-',
    `c=IN ${family} ${parts.host}`,
    't=0 0',
  ];
  offer.mediaLines.forEach((line, i) => {
    if (i !== offer.index) {
      const [media = 'message', , proto = 'RTP/AVP', ...formats] = line.slice(2).split(' ');
      lines.push(`m=${media} 0 ${proto} ${formats.join(' ') || '0'}`);
      return;
    }
    lines.push(`m=message ${String(parts.port)} ${offer.secure ? 'TCP/TLS/MSRP' : 'TCP/MSRP'} *`);
    lines.push(`a=path:${parts.uri}`, 'a=accept-types:*');
    lines.push(offer.direction === 'push' ? 'a=recvonly' : 'a=sendonly');
    lines.push(`a=file-selector:${parts.selector}`);
    if (offer.transferId !== undefined) lines.push(`a=file-transfer-id:${offer.transferId}`);
    // We listen, the offerer connects (RFC 6135 §4: the answerer of an "actpass" or "active" offer).
    lines.push('a=setup:passive', 'a=connection:new');
  });
  return Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8');
}

function malformed(reason: string): FileOfferResult {
  return { kind: 'malformed', reason };
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
