/**
 * A peer (relay spec §3.1): one TCP/TLS connection of the relay, as its session and the session's other
 * peer see it. `PeerConnection` is the one implementation; this interface is what lets the session and the
 * AUTH handling stand below it, so that no import runs back up.
 */
import type { ContinuationFlag, Header, MsrpHead } from '../message.js';
import type { MsrpUri } from '../uri.js';
import type { Paths } from './checks.js';
import type { ForwardedSend } from './forwarded-send.js';
import type { KeptPath } from './kept-path.js';
import type { SendReporter } from './pending-sends.js';
import type { SendTrackerOwner } from './send-tracker.js';
import type { RelaySettings } from './settings.js';
import type { TrackedRequest, TrackedSend } from './transactions.js';

/** Relay spec §3.2. */
export type PeerState = 'NEW' | 'UNBOUND' | 'CONNECTING' | 'ESTABLISHED' | 'DISCONNECTING' | 'DISCONNECTED';

/** A connection as the relay sees it, for its metrics and its shutdown. */
export interface LiveConnection {
  readonly state: PeerState;
  /** Closes at once, dropping whatever is queued. */
  destroy(): void;
}

export interface RelayPeer extends LiveConnection, SendReporter {
  /** The URIs that identify the far side of this connection (relay spec §3.1). */
  readonly path: KeptPath;
  /** The configuration this connection was accepted (or opened) under. */
  readonly settings: RelaySettings;
  readonly bytesWritten: number;
  /** Bytes and messages waiting to be written to this peer: what flow control weighs (relay spec §3.10). */
  readonly backlogBytes: number;
  readonly backlogItems: number;
  /**
   * Of those, the bytes of control messages (this relay's answers to the peer's requests, the other side's
   * responses and REPORTs) written for this peer and not yet taken by its socket: what a peer that sends
   * but never reads runs up. Unlike the whole backlog, it does not count the other side's SENDs, which pile
   * up whenever the peer is slower than the other side: a reader that stopped for those would stop two
   * relays that send to each other at once, each waiting for the other to read (relay spec §3.10).
   */
  readonly unreadControlBytes: number;

  /** The session is bound: `other` is this peer's other side from now on (relay spec §3.2, §3.3). */
  establish(other: RelayPeer): void;
  /**
   * This peer's session's connection to its next hop (relay spec §3.5), opened under this peer's
   * configuration; CONNECTING until it is up, with this peer as its other side.
   */
  openNextHop(next: MsrpUri, path: KeptPath): RelayPeer;
  /** The other side went away: tell this side's client, then close (relay spec §3.13). */
  disconnect(): void;

  /** A relay-generated response to a request received from this peer (nothing for a response). */
  respond(head: MsrpHead, paths: Paths, code: number, comment: string, headers?: Header[]): void;
  sendControl(message: Buffer): void;
  startSend(send: ForwardedSend): void;
  sendBody(send: ForwardedSend, slice: Buffer): void;
  endSend(send: ForwardedSend, flag: ContinuationFlag): void;

  /** The SEND parts received from this peer and forwarded, waiting for their response (relay spec §3.7). */
  sendTracking(): SendTrackerOwner;
  takeSend(tid: string): TrackedSend | undefined;
  /** A non-SEND request from this peer forwarded as `tid`: its response, or a 408, is due. */
  trackRequest(head: MsrpHead, tid: string, replyTo: string, replyFrom: string): void;
  takeRequest(tid: string): TrackedRequest | undefined;

  /** Coalesce writes to this peer while another peer's read is handled. */
  cork(): void;
  uncork(): void;
  /** Reading may go on if nothing this peer feeds is backed up any more. */
  resumeIfUnblocked(): void;
}
