import { detachedCopy } from '../../text/detached-copy.js';
import { formatPath, type MsrpUri, parseMsrpPath } from '../uri.js';
import { pathMatches } from './checks.js';

/**
 * A path a connection keeps for its lifetime (its far side's URIs, relay spec §3.1): its own copy of the
 * text, parsed on the first comparison. Most sessions wait idle after AUTH, and cost less without parsed
 * URIs.
 */
export class KeptPath {
  #parsed: readonly MsrpUri[] | undefined;
  // The last received paths that matched. A connection's path cache hands out the same array for the same
  // header text, so the chunks of a session are checked by identity after the first.
  #matchedAsFrom: readonly MsrpUri[] | undefined;
  #matchedAsTo: readonly MsrpUri[] | undefined;

  private constructor(readonly text: string) {}

  static readonly none = new KeptPath('');

  static of(uris: readonly MsrpUri[]): KeptPath {
    return uris.length === 0 ? KeptPath.none : new KeptPath(detachedCopy(formatPath(uris)));
  }

  get uris(): readonly MsrpUri[] {
    this.#parsed ??= parseMsrpPath(this.text) ?? [];
    return this.#parsed;
  }

  /** A message's From-Path read on this path's connection is this path (relay spec §3.4 step 4). */
  matchesFromPath(received: readonly MsrpUri[]): boolean {
    if (received === this.#matchedAsFrom) return true;
    if (!pathMatches(received, 0, this.uris)) return false;
    this.#matchedAsFrom = received;
    return true;
  }

  /** A message's To-Path after this relay's URI is this path (relay spec §3.4 step 7). */
  matchesToPathRest(received: readonly MsrpUri[]): boolean {
    if (received === this.#matchedAsTo) return true;
    if (!pathMatches(received, 1, this.uris)) return false;
    this.#matchedAsTo = received;
    return true;
  }
}
