/** Text and attribute values for the XML documents we write, escaped so that a parser reads them back. */

const NOT_CHAR = /[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

function escape(c: string): string {
  return ESCAPES[c] ?? c;
}

/** True when `value` can be written in an XML document at all (no controls, no lone surrogates). */
export function isXmlText(value: string): boolean {
  return !NOT_CHAR.test(value);
}

/** Character data: &, <, > escaped (so "]]>" cannot appear) and CR kept from line-end normalisation. */
export function escapeXmlText(value: string): string {
  return value.replace(/[&<>\r]/g, escape);
}

/** A double-quoted attribute value; tabs and line ends escaped so that normalisation keeps them. */
export function escapeXmlAttribute(value: string): string {
  return value.replace(/[&<>"\t\n\r]/g, escape);
}
