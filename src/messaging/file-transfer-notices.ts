/**
 * What a SIP device learns of a completed file transfer (sylk spec §2.7 rows F, G, H): the RCS FT-HTTP
 * document of sylk spec §2.8.3 in a CPIM message (Sylk mobile and Blink read it), and for a file that is not an
 * OpenPGP `.asc` a plain-text line with the URL for any other SIP client. The receiver's devices get both
 * (rows G, H); the sender's other devices get the same as replicas (rows F, H, `X-Replicated-Message`).
 *
 * The CPIM From and To carry the `sip:` scheme: the reference leaves it out (sylk spec §2.7 note), which CPIM parsers
 * that require one ignore, falling back to the SIP headers; with it, both kinds of parser agree.
 */
import { isSipUri, parseUri, type SipUri } from '../sip/uri.js';
import {
  buildFtHttp,
  buildSylkCpim,
  FT_HTTP_CONTENT_TYPE,
  type FileTransferMessage,
  type Timestamp,
} from './formats/index.js';
import type { OwnMessage } from './own-messages.js';

/** Sylk spec §2.7 note: the size as the reference writes it, 1024-based. */
export function humanSize(bytes: number): string {
  const KIB = 1024;
  const MIB = KIB * 1024;
  const GIB = MIB * 1024;
  if (bytes < KIB) return `${String(bytes)} bytes`;
  if (bytes < 10 * KIB) return `${(bytes / KIB).toFixed(2)} KB`;
  if (bytes < MIB) return `${(bytes / KIB).toFixed(1)} KB`;
  if (bytes < 10 * MIB) return `${(bytes / MIB).toFixed(2)} MB`;
  if (bytes < GIB) return `${(bytes / MIB).toFixed(1)} MB`;
  if (bytes < 10 * GIB) return `${(bytes / GIB).toFixed(2)} GB`;
  return `${(bytes / GIB).toFixed(1)} GB`;
}

/** Rows G and F, then H twice unless `.asc`: the server's own MESSAGEs, in the reference's order. */
export function fileTransferNotices(
  transfer: FileTransferMessage,
  now: Timestamp,
): readonly OwnMessage[] | undefined {
  const sender = sipUri(transfer.sender.uri);
  const receiver = sipUri(transfer.receiver.uri);
  if (sender === undefined || receiver === undefined) return undefined;
  const xml = buildFtHttp([
    {
      type: 'file',
      fileSize: transfer.filesize,
      fileName: transfer.filename,
      contentType: transfer.filetype,
      url: transfer.url,
      until: transfer.until,
      ...(transfer.hash === undefined ? {} : { hash: transfer.hash }),
    },
  ]);
  if (!xml.ok) return undefined;
  const cpim = buildSylkCpim({
    sender: { uri: sender },
    recipient: { uri: receiver },
    timestamp: { ...now, microsecond: 0 },
    messageId: transfer.transfer_id,
    disposition: undefined,
    contentType: FT_HTTP_CONTENT_TYPE,
    content: xml.value,
  });
  if (!cpim.ok) return undefined;
  const from = sender.toString();
  const to = receiver.toString();
  const toReceiver = { deliverTo: transfer.receiver.uri, from, to, headers: [TO_SIP] } as const;
  const toSender = { deliverTo: transfer.sender.uri, from, to, headers: [TO_SIP, REPLICATED] } as const;
  const ftHttp = { contentType: 'message/cpim', body: cpim.value } as const;
  const notices: OwnMessage[] = [
    { ...toReceiver, ...ftHttp },
    { ...toSender, ...ftHttp },
  ];
  if (!transfer.filename.toLowerCase().endsWith('.asc')) {
    const line = {
      contentType: 'text/plain',
      body: `File transfer available at ${transfer.url} (${humanSize(transfer.filesize)})`,
    } as const;
    notices.push({ ...toSender, ...line }, { ...toReceiver, ...line });
  }
  return notices;
}

const TO_SIP = ['X-Sylk-To-Sip', 'yes'] as const;
const REPLICATED = ['X-Replicated-Message', 'yes'] as const;

function sipUri(account: string): SipUri | undefined {
  const uri = parseUri(`sip:${account}`);
  return uri !== undefined && isSipUri(uri) ? uri : undefined;
}
