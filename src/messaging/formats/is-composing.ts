/**
 * Composing indications (RFC 3994, application/im-iscomposing+xml). They are recognised so that they are
 * never stored; their fields are read on a best-effort basis for whoever wants to relay them.
 */
import { fail, ok, type Result } from './result.js';
import { childNamed, parseXml, type XmlLimits } from './xml-parse.js';

export const IS_COMPOSING_NAMESPACE = 'urn:ietf:params:xml:ns:im-iscomposing';

export interface IsComposing {
  readonly state: 'active' | 'idle';
  /** Seconds, for the active state. */
  readonly refresh: number | undefined;
  readonly contentType: string | undefined;
  /** As written. */
  readonly lastActive: string | undefined;
}

export function parseIsComposing(body: Buffer | string, limits?: XmlLimits): Result<IsComposing> {
  const xml = parseXml(body, limits);
  if (!xml.ok) return xml;
  const root = xml.value;
  if (root.namespace !== IS_COMPOSING_NAMESPACE || root.name !== 'isComposing') {
    return fail('malformed-xml', 'root element is not isComposing');
  }
  const text = (name: string): string | undefined =>
    childNamed(root, IS_COMPOSING_NAMESPACE, name)?.text.trim();
  const state = text('state');
  if (state !== 'active' && state !== 'idle') return fail('malformed-xml', 'state must be active or idle');
  const refresh = text('refresh');
  return ok({
    state,
    refresh: refresh !== undefined && /^\d{1,9}$/.test(refresh) ? Number(refresh) : undefined,
    contentType: text('contenttype'),
    lastActive: text('lastactive'),
  });
}
