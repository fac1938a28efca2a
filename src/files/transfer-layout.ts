/**
 * Where a transfer's files are (sylk spec §4.3.1): `{dir}/{p}/{H1}/{H2}/{transfer_id}/`, H1 the sender's
 * hash and H2 the receiver's, or the other way round when the sender has no storage account; `p` is H1's
 * first character. Every path is resolved and checked to be inside the transfer directory, whatever the
 * names were checked for before: a path that would leave it is refused, never opened.
 */
import { resolve, sep } from 'node:path';
import { aorHash, METADATA_PREFIX } from './naming.js';

/** A transfer's place: the two hashes in directory order, its id and its file's name (both already safe). */
export interface TransferPlace {
  readonly first: string;
  readonly second: string;
  readonly transferId: string;
  readonly filename: string;
}

/** The place of an upload from `sender` to `receiver`: sender first unless the sender has no storage. */
export function placeOf(
  sender: string,
  receiver: string,
  transferId: string,
  filename: string,
  senderFirst: boolean,
): TransferPlace {
  const [first, second] = senderFirst
    ? [aorHash(sender), aorHash(receiver)]
    : [aorHash(receiver), aorHash(sender)];
  return { first, second, transferId, filename };
}

export class TransferLayout {
  /** The transfer directory, absolute. */
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  /** The directory of one account's transfers (the account's hash first). */
  ownerDirectory(ownerHash: string): string | undefined {
    return this.#inside(ownerHash.slice(0, 1), ownerHash);
  }

  directory(place: TransferPlace): string | undefined {
    return this.#inside(place.first.slice(0, 1), place.first, place.second, place.transferId);
  }

  file(place: TransferPlace): string | undefined {
    return this.#inside(place.first.slice(0, 1), place.first, place.second, place.transferId, place.filename);
  }

  metadata(place: TransferPlace): string | undefined {
    return this.#inside(
      place.first.slice(0, 1),
      place.first,
      place.second,
      place.transferId,
      `${METADATA_PREFIX}${place.filename}`,
    );
  }

  /** Files being received: outside every transfer's directory (no hash starts with a dot). */
  get partialDirectory(): string {
    return `${this.root}${sep}.partial`;
  }

  /** The URL path below `/webrtcgateway/filetransfer/` (sylk spec §4.3.1), percent-encoded. */
  static urlPath(place: TransferPlace): string {
    return [place.first, place.second, place.transferId, place.filename].map(encodeURIComponent).join('/');
  }

  #inside(...segments: string[]): string | undefined {
    if (segments.some((segment) => segment === '' || segment === '.' || segment === '..')) return undefined;
    const path = resolve(this.root, ...segments);
    return path.startsWith(`${this.root}${sep}`) ? path : undefined;
  }
}
