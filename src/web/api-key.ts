/**
 * The history API's credentials (sylk spec §4.1): `Authorization: Apikey <token>`, the value split on whitespace
 * as Python's str.split() does, exactly two parts, the scheme exactly `Apikey` (case-sensitive). Anything
 * else is no credential at all, answered 401 like a wrong token (the reference's 500 for a header with more
 * or fewer parts is sylk spec §8.28's bug).
 */

/** The token in an Authorization value, or undefined when the value is not `Apikey <token>`. */
export function apiKeyOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const parts = header.trim().split(/\s+/);
  if (parts.length !== 2 || parts[0] !== 'Apikey') return undefined;
  return parts[1];
}
