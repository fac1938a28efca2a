/** The XML reader: namespaces, references, CDATA, what it refuses (DTDs, entities, bad names), its limits. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_XML_LIMITS, parseXml, type XmlElement } from '../../../src/messaging/formats/xml-parse.js';
import { escapeXmlAttribute, escapeXmlText } from '../../../src/messaging/formats/xml-escape.js';

function root(xml: string | Buffer): XmlElement {
  const result = parseXml(xml);
  if (!result.ok) assert.fail(result.error.reason);
  return result.value;
}

function code(xml: string | Buffer, limits = DEFAULT_XML_LIMITS): string {
  const result = parseXml(xml, limits);
  return result.ok ? 'ok' : result.error.code;
}

test('namespaces: default, prefixed, redeclared, undeclared default; attributes in no namespace unless prefixed', () => {
  const element = root(
    '<a xmlns="urn:a" xmlns:p="urn:p" x="1" p:y="2"><b/><p:c xmlns="urn:d"><e/></p:c><f xmlns=""/></a>',
  );
  assert.equal(element.namespace, 'urn:a');
  assert.deepEqual(
    [...element.attributes],
    [
      ['x', '1'],
      ['{urn:p}y', '2'],
    ],
  );
  assert.deepEqual(
    element.children.map((c) => [c.namespace, c.name]),
    [
      ['urn:a', 'b'],
      ['urn:p', 'c'],
      ['', 'f'],
    ],
  );
  assert.equal(element.children[1]?.children[0]?.namespace, 'urn:d');
});

test('text: references, CDATA, comments and PIs skipped, line ends normalised, attribute whitespace', () => {
  const element = root(
    '<?xml version="1.0" encoding="utf-8" standalone="yes"?>\r\n<!-- c --><?pi x?>' +
      '<a v="a&#9;b\tc&quot;&apos;">x &lt;&gt;&amp;&#65;&#x1F600;<!-- y --><![CDATA[<&>]]>\r\ny\rz<?p?></a>\n<!-- after -->',
  );
  assert.equal(element.text, 'x <>&A😀<&>\ny\nz');
  assert.equal(element.attributes.get('v'), 'a\tb c"\'');
  assert.equal(root(Buffer.from('\ufeff<a>é</a>', 'utf8')).text, 'é');
});

test('refused: DOCTYPE (no billion laughs, no XXE), unknown entities, malformed structure', () => {
  const laughs =
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><imdn>&lol2;</imdn>';
  const xxe = '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>';
  for (const xml of [
    laughs,
    xxe,
    '<x>&e;</x>',
    '<x>&#0;</x>',
    '<x>&#xD800;</x>',
    '<x>&#x110000;</x>',
    '<x>& </x>',
    '<x a="1" a="2"/>',
    '<x xmlns:p="u" xmlns:q="u" p:a="1" q:a="2"/>',
    '<x a=1/>',
    '<x a="<"/>',
    '<x a="1"b="2"/>',
    '<p:x/>',
    '<x xmlns:p=""/>',
    '<x xmlns:xmlns="u"/>',
    '<x xmlns:xml="urn:not-xml"/>',
    '<x></y>',
    '<x>',
    '<x/><y/>',
    'text<x/>',
    '<x/>text',
    '',
    '   ',
    '<!-- only a comment -->',
    '<x><!DOCTYPE y></x>',
    ' <?xml version="1.0"?><x/>',
    '<?xml version="1.0" encoding="UTF-16"?><x/>',
    '<?xml version="2.0"?><x/>',
    '<x>\u0001</x>',
    '<x><![CDATA[open</x>',
    '<x><!-- open</x>',
    '<1x/>',
  ]) {
    assert.equal(code(xml), 'malformed-xml', xml);
  }
  assert.equal(code(Buffer.from([0xfe, 0xff, 0, 0x3c])), 'malformed-xml');
  assert.equal(code(Buffer.from([0x3c, 0x78, 0x3e, 0xc3, 0x28, 0x3c, 0x2f, 0x78, 0x3e])), 'malformed-xml');
  assert.equal(code('<x>\ud800</x>'), 'malformed-xml');
});

test('limits: length, depth, elements, attributes', () => {
  const limits = { maxLength: 200, maxDepth: 3, maxElements: 5, maxAttributes: 2 };
  assert.equal(code(`<x>${'a'.repeat(300)}</x>`, limits), 'too-large');
  assert.equal(code('<a><b><c/></b></a>', limits), 'ok');
  assert.equal(code('<a><b><c><d/></c></b></a>', limits), 'malformed-xml');
  assert.equal(code('<a><b/><b/><b/><b/></a>', limits), 'ok');
  assert.equal(code('<a><b/><b/><b/><b/><b/></a>', limits), 'malformed-xml');
  assert.equal(code('<a x="1" y="2"/>', limits), 'ok');
  assert.equal(code('<a x="1" y="2" z="3"/>', limits), 'malformed-xml');
  const deep = `${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}`;
  assert.equal(code(deep, { ...DEFAULT_XML_LIMITS, maxLength: 1_000_000 }), 'malformed-xml');
});

test('escaping for writing reads back', () => {
  const value = 'a<b>&c"d\'e\tf\ng\rh]]>';
  const element = root(`<x a="${escapeXmlAttribute(value)}">${escapeXmlText(value)}</x>`);
  assert.equal(element.attributes.get('a'), value);
  assert.equal(element.text, value);
});
