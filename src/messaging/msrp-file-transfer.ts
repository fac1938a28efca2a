/**
 * MSRP file transfer (sylk spec §4.3.4; RFC 5547 over RFC 4975): the messaging service's user agent for
 * INVITEs addressed to the server itself (routing/local-application.ts, ServerUserAgent). The sender is who
 * routing established (digest-authenticated, or a trusted peer's From), the receiver the To.
 *
 * - push (the offer's stream is a=sendonly): the file's bytes go from missive's MSRP endpoint
 *   (src/msrp/endpoint/) straight into the file store (src/files/), checked against the file-selector's size
 *   and hash, then announced exactly as an HTTP upload is (MessagingService.announceFileTransfer: rows E–H).
 *   A session cut before the last byte (BYE, a closed connection, the idle timer) leaves no file and sends
 *   no message.
 * - pull (a=recvonly): the stored file between the two accounts whose metadata hash is the selector's is
 *   sent back once the peer's first SEND binds the session.
 *
 * Answers: 400 with the reason for an SDP that cannot be read, 488 for an INVITE with no file-transfer
 * stream (sylk spec §2.1), 404 when neither account keeps files here or (pull) no stored file matches,
 * 488 "File Too Large" / "Quota Exceeded" when the store refuses the size.
 */
import { createReadStream } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { findStoredFile } from '../files/stored-lookup.js';
import { safeName } from '../files/naming.js';
import { placeOf, TransferLayout } from '../files/transfer-layout.js';
import type { FileTransferStore, Upload } from '../files/transfer-store.js';
import type { MsrpFileEndpoint } from '../msrp/endpoint/file-endpoint.js';
import type { FileSession, SessionEnd } from '../msrp/endpoint/file-session.js';
import { formatFileSelector } from '../msrp/sdp/file-selector.js';
import { type FileOffer, fileAnswer, parseFileOffer } from '../msrp/sdp/file-offer.js';
import { aorOfUri } from '../registrar/aor.js';
import type { LocalAddresses } from '../routing/local-addresses.js';
import type { RoutedSender, ServerUserAgent } from '../routing/local-application.js';
import { getTo } from '../sip/headers/name-addr.js';
import { createResponse } from '../sip/message/create-response.js';
import type { SipRequest, SipResponse } from '../sip/message/message.js';
import type { MessageSource } from '../sip/transport/types.js';
import type { Clock, Timer } from '../time/clock.js';
import { addDays, type FileTransferMessage, formatTimestamp, localTimestamp } from './formats/index.js';
import { authenticatedAccount, type MessagingService } from './service.js';
import type { StoragePolicy } from './storage-policy.js';

export interface MsrpFileTransferOptions {
  readonly endpoint: MsrpFileEndpoint;
  readonly files: FileTransferStore;
  readonly storage: StoragePolicy;
  readonly service: MessagingService;
  readonly local: LocalAddresses;
  readonly clock: Clock;
  /** The base of download URLs in the announcement (no trailing slash). */
  readonly publicUrl: string;
  readonly expireDays: number;
  readonly logger?: Logger | undefined;
}

interface Dialog {
  readonly session: FileSession;
  forget: Timer | undefined;
}

/** The path of downloads on the web port (sylk spec §4.3.5), for the announced URL. */
const DOWNLOAD_PATH = '/webrtcgateway/filetransfer';
/** A dialog whose session ended is forgotten this long after, when its BYE never came. */
const DIALOG_LINGER_MS = 5 * 60_000;
/** Device of the messaging calls a transfer makes: no sylkRTC connection caused them. */
const MSRP_TRANSFER = { id: 'msrp-file-transfer' } as const;

export class MsrpFileTransfers implements ServerUserAgent {
  readonly #options: MsrpFileTransferOptions;
  /** Our dialogs, by Call-ID and our To tag. */
  readonly #dialogs = new Map<string, Dialog>();

  constructor(options: MsrpFileTransferOptions) {
    this.#options = options;
  }

  async invite(
    request: SipRequest,
    sender: RoutedSender,
    source: MessageSource | undefined,
  ): Promise<SipResponse> {
    const from = sender.kind === 'authenticated' ? sender.aor : sender.asserted;
    const to = getTo(request.headers);
    const receiver = to === undefined ? undefined : aorOfUri(to.uri);
    if (from === undefined || receiver === undefined)
      return createResponse(request, 400, 'Missing or Invalid From/To');
    const contentType = request.headers.get('Content-Type')?.split(';')[0]?.trim().toLowerCase();
    if (request.body.length === 0) return createResponse(request, 488, 'No File Transfer Offered');
    if (contentType !== 'application/sdp') return createResponse(request, 488, 'Not SDP');
    const parsed = parseFileOffer(request.body);
    if (parsed.kind === 'malformed') return createResponse(request, 400, `Bad SDP: ${parsed.reason}`);
    if (parsed.kind === 'no-file-stream') return createResponse(request, 488, 'Not Acceptable Here');
    const { offer } = parsed;
    const senderFirst = await this.#options.storage.hasStorage(from.key);
    if (!senderFirst && !(await this.#options.storage.hasStorage(receiver.key)))
      return createResponse(request, 404, 'Neither Account Keeps Files Here');
    return offer.direction === 'push'
      ? this.#push(request, source, offer, from.key, receiver.key, senderFirst)
      : this.#pull(request, source, offer, from.key, receiver.key);
  }

  inDialog(request: SipRequest): SipResponse | 'absorbed' | undefined {
    const tag = getTo(request.headers)?.tag;
    if (tag === undefined) return undefined;
    const key = dialogKey(request.headers.get('Call-ID') ?? '', tag);
    const dialog = this.#dialogs.get(key);
    if (dialog === undefined) return undefined;
    if (request.method === 'ACK') return 'absorbed';
    if (request.method !== 'BYE') return createResponse(request, 501, 'Not Implemented In A File Transfer');
    dialog.forget?.cancel();
    this.#dialogs.delete(key);
    // A BYE before the last byte ends the transfer: the partial file goes (RFC 5547 §8.3, aborting a transfer).
    dialog.session.cut('BYE');
    return createResponse(request, 200);
  }

  async #push(
    request: SipRequest,
    source: MessageSource | undefined,
    offer: FileOffer,
    sender: string,
    receiver: string,
    senderFirst: boolean,
  ): Promise<SipResponse> {
    const { selector } = offer;
    if (selector.size === undefined)
      return createResponse(request, 400, 'Bad SDP: a=file-selector without size');
    const filename = safeName(selector.name ?? '');
    if (!filename.ok) return createResponse(request, 488, `File Name Refused: ${filename.reason}`);
    const transferId = safeName(offer.transferId ?? randomBytes(12).toString('hex'));
    if (!transferId.ok)
      return createResponse(request, 400, `Bad SDP: a=file-transfer-id refused: ${transferId.reason}`);
    const place = placeOf(sender, receiver, transferId.name, filename.name, senderFirst);
    const begun = await this.#options.files.begin(place, selector.size);
    if (begun.kind === 'too-large') return createResponse(request, 488, 'File Too Large');
    if (begun.kind === 'quota') return createResponse(request, 488, 'Quota Exceeded');
    const upload = begun.upload;
    const session = this.#options.endpoint.open({
      direction: 'push',
      expectedBytes: selector.size,
      onEnd: (ended, end) => {
        this.#ended(request, ended, end);
      },
    });
    const transfer = (sha1: string): FileTransferMessage => {
      const now = localTimestamp(this.#options.clock.now());
      return {
        filename: filename.name,
        filesize: selector.size ?? 0,
        sender: { uri: sender, display_name: '' },
        receiver: { uri: receiver, display_name: '' },
        transfer_id: transferId.name,
        timestamp: formatTimestamp(now),
        until: formatTimestamp(addDays(now, this.#options.expireDays)),
        url: `${this.#options.publicUrl}${DOWNLOAD_PATH}/${TransferLayout.urlPath(place)}`,
        filetype: selector.type ?? 'application/octet-stream',
        hash: sha1,
      };
    };
    const stored = { prefix: place.first.slice(0, 1), path: this.#options.files.layout.directory(place) };
    void this.#receive(upload, session, selector.hash, transfer, stored).catch((error: unknown) => {
      this.#options.logger?.error(
        { err: error, sender, transferId: transferId.name },
        'MSRP file not stored',
      );
    });
    return this.#accepted(request, source, offer, session, formatFileSelector(selector));
  }

  async #receive(
    upload: Upload,
    session: FileSession,
    expectedHash: string | undefined,
    transfer: (sha1: string) => FileTransferMessage,
    stored: { readonly prefix: string; readonly path: string | undefined },
  ): Promise<void> {
    const received = await upload.receive(session.incoming);
    const log = this.#options.logger;
    if (received.kind !== 'received') {
      log?.info(
        { session: session.id, outcome: received.kind, reason: session.ended },
        'MSRP file not completed',
      );
      return;
    }
    if (expectedHash !== undefined && expectedHash !== received.sha1) {
      await upload.cancel();
      log?.warn({ session: session.id }, 'MSRP file dropped: its SHA-1 is not the file-selector hash');
      return;
    }
    const message = transfer(received.sha1);
    await upload.complete({ ...message, ...stored });
    log?.info(
      {
        sender: message.sender.uri,
        receiver: message.receiver.uri,
        transferId: message.transfer_id,
        bytes: received.bytes,
      },
      'file received over MSRP',
    );
    const caller = { account: authenticatedAccount(message.sender.uri), device: MSRP_TRANSFER };
    const announced = await this.#options.service.announceFileTransfer(caller, message);
    if (!announced.ok)
      log?.warn(
        { transferId: message.transfer_id, refusal: announced.refusal },
        'MSRP file transfer not announced',
      );
  }

  async #pull(
    request: SipRequest,
    source: MessageSource | undefined,
    offer: FileOffer,
    sender: string,
    receiver: string,
  ): Promise<SipResponse> {
    const { selector } = offer;
    if (selector.hash === undefined)
      return createResponse(request, 400, 'Bad SDP: a pull needs the file-selector hash');
    const stored = await findStoredFile(
      this.#options.files.layout,
      [sender, receiver],
      selector.hash,
      selector.name,
    );
    if (stored === undefined) return createResponse(request, 404, 'No Such File');
    const session = this.#options.endpoint.open({
      direction: 'pull',
      expectedBytes: stored.size,
      onEnd: (ended, end) => {
        this.#ended(request, ended, end);
      },
    });
    void session.peerReady
      .then((toPath) => session.sendFile(createReadStream(stored.path), stored.size, stored.filetype, toPath))
      .catch((error: unknown) => {
        this.#options.logger?.error({ err: error, session: session.id }, 'MSRP file not sent');
        session.cut('sending failed');
      });
    const answered = formatFileSelector({
      name: stored.filename,
      type: stored.filetype,
      size: stored.size,
      hash: stored.hash,
    });
    return this.#accepted(request, source, offer, session, answered);
  }

  #accepted(
    request: SipRequest,
    source: MessageSource | undefined,
    offer: FileOffer,
    session: FileSession,
    selector: string,
  ): SipResponse {
    const tag = randomBytes(8).toString('hex');
    const response = createResponse(request, 200, 'OK', { toTag: tag });
    const transport = source?.transport ?? 'udp';
    const point = this.#options.local.pointFor(transport) ?? this.#options.local.pointFor('udp');
    if (point !== undefined) {
      const host = point.host.includes(':') ? `[${point.host}]` : point.host;
      const param = transport === 'udp' ? '' : `;transport=${transport}`;
      response.headers.add('Contact', `<sip:${host}:${String(point.port)}${param}>`);
    }
    response.headers.add('Content-Type', 'application/sdp');
    response.body = fileAnswer(offer, {
      host: this.#options.endpoint.advertisedHost,
      port: this.#options.endpoint.port,
      uri: session.uri,
      selector,
      sessionVersion: Math.floor(this.#options.clock.now() / 1000),
    });
    this.#dialogs.set(dialogKey(request.headers.get('Call-ID') ?? '', tag), { session, forget: undefined });
    return response;
  }

  #ended(request: SipRequest, session: FileSession, end: SessionEnd): void {
    this.#options.logger?.debug({ session: session.id, end }, 'MSRP file session ended');
    const callId = request.headers.get('Call-ID') ?? '';
    for (const [key, dialog] of this.#dialogs) {
      if (dialog.session !== session || !key.startsWith(`${callId}\n`)) continue;
      dialog.forget = this.#options.clock.schedule(DIALOG_LINGER_MS, () => this.#dialogs.delete(key));
    }
  }
}

function dialogKey(callId: string, tag: string): string {
  return `${callId}\n${tag}`;
}
