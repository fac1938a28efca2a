/** JSON bodies of the sylk content types: parse without throwing, and insist on an object. */

export type JsonObject = Readonly<Record<string, unknown>>;

/** The JSON object in `text`, or undefined when it is not JSON or not an object (array, string, null...). */
export function parseJsonObject(text: string): JsonObject | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as JsonObject)
    : undefined;
}
