import { detachedCopy } from '../../text/detached-copy.js';
import { formatPath, type MsrpUri, parseMsrpPath } from '../uri.js';

/**
 * A path a connection keeps for its lifetime (its far side's URIs, spec §3.1): its own copy of the text,
 * parsed on the first comparison. Most sessions wait idle after AUTH, and cost less without parsed URIs.
 */
export class KeptPath {
  private parsed: readonly MsrpUri[] | undefined;

  private constructor(readonly text: string) {}

  static readonly none = new KeptPath('');

  static of(uris: readonly MsrpUri[]): KeptPath {
    return uris.length === 0 ? KeptPath.none : new KeptPath(detachedCopy(formatPath(uris)));
  }

  get uris(): readonly MsrpUri[] {
    this.parsed ??= parseMsrpPath(this.text) ?? [];
    return this.parsed;
  }
}
