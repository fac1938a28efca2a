/**
 * RFC 8599 push parameters of a Contact: `pn-provider`, `pn-prid`, `pn-param` and any other `pn-*`. Sylk
 * clients send their own set instead (`pn-type`, `pn-tok`, `pn-app`, `pn-device`, `pn-silent`): `pn-type`
 * then stands for the provider and `pn-tok` for the PRID, and every pn-* except the three RFC ones is kept
 * by its own name in `extra`, so the push layer sees exactly what the device sent.
 */
import { paramText, type Params } from '../sip/grammar/params.js';
import { unescapeText } from '../sip/grammar/percent.js';
import type { SipUri } from '../sip/uri.js';
import type { PushParameters } from '../store/location/binding.js';

const RFC_8599 = new Set(['pn-provider', 'pn-prid', 'pn-param']);

/** undefined when the Contact names no provider and PRID (a device without push, or an incomplete set). */
export function pushParameters(uri: SipUri, contactParams: Params): PushParameters | undefined {
  const all = new Map<string, string>();
  // RFC 8599 puts them in the URI; some clients put them on the Contact header instead. The URI wins.
  for (const [name, value] of contactParams) {
    if (name.startsWith('pn-')) all.set(name, paramText(value) ?? '');
  }
  for (const [name, value] of uri.params) {
    if (name.startsWith('pn-')) all.set(name, value === null ? '' : unescapeText(value));
  }
  const provider = all.get('pn-provider') ?? all.get('pn-type') ?? '';
  const prid = all.get('pn-prid') ?? all.get('pn-tok') ?? '';
  if (provider === '' || prid === '') return undefined;
  const extra: Record<string, string> = {};
  for (const [name, value] of all) if (!RFC_8599.has(name)) extra[name] = value;
  const param = all.get('pn-param');
  return { provider, prid, ...(param === undefined ? {} : { param }), extra };
}
