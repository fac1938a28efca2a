/** fast-check generators of valid SIP messages, for the property and mutation tests. */
import fc from 'fast-check';
import { quote } from '../../src/sip/grammar/quoted.js';
import { SipHeaders } from '../../src/sip/headers/header-list.js';
import { SipRequest, SipResponse, type SipMessage } from '../../src/sip/message/message.js';
import { parseUri } from '../../src/sip/uri.js';

const TOKEN_CHARS = Array.from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~");

export const tokenArb = fc.string({ unit: fc.constantFrom(...TOKEN_CHARS), minLength: 1, maxLength: 12 });
const lowerArb = fc.stringMatching(/^[a-z0-9]{1,10}$/);
const hostArb = fc.oneof(
  fc.domain(),
  fc.ipV4(),
  fc.ipV6().map((ip) => `[${ip}]`),
);
const portArb = fc.option(
  fc.integer({ min: 1, max: 65535 }).map((p) => `:${p}`),
  { nil: '' },
);

/** Text a header value may hold: printable ASCII, tabs, quotes, separators, UTF-8. */
const TEXT_CHARS = [
  ...Array.from('abcXYZ019 ,;:<>"\\/=?@[]{}()!#$%&*+-._~\'`|^'),
  '\t',
  'é',
  'ü',
  '大',
  '😀',
  'Ω',
];
const valueArb = fc
  .string({ unit: fc.constantFrom(...TEXT_CHARS), maxLength: 40 })
  .map((v) => v.replace(/^[ \t]+|[ \t]+$/g, ''));

/** A header name spelled as peers do: canonical, lower, upper, random case or compact. */
function spelling(name: string, compact?: string): fc.Arbitrary<string> {
  const options = [name, name.toLowerCase(), name.toUpperCase()];
  if (compact !== undefined) options.push(compact, compact.toUpperCase());
  return fc.oneof(
    fc.constantFrom(...options),
    fc
      .array(fc.boolean(), { minLength: name.length, maxLength: name.length })
      .map((upper) =>
        Array.from(name, (c, i) => (upper[i] === true ? c.toUpperCase() : c.toLowerCase())).join(''),
      ),
  );
}

const sipUriArb = fc
  .tuple(
    fc.constantFrom('sip', 'sips', 'SIP'),
    fc.option(lowerArb, { nil: undefined }),
    hostArb,
    portArb,
    fc.array(lowerArb, { maxLength: 2 }),
  )
  .map(
    ([scheme, user, host, port, params]) =>
      `${scheme}:${user === undefined ? '' : `${user}@`}${host}${port}${params.map((p) => `;${p}`).join('')}`,
  );

const displayArb = fc.option(
  fc.oneof(
    fc.string({ unit: fc.constantFrom(...Array.from('ab "\\é,;<>')), maxLength: 12 }).map(quote),
    tokenArb,
  ),
  { nil: undefined },
);

const nameAddrArb = fc
  .tuple(
    displayArb,
    sipUriArb,
    fc.array(fc.tuple(lowerArb, fc.option(tokenArb, { nil: undefined })), { maxLength: 2 }),
  )
  .map(([display, uri, params]) => {
    const name = display === undefined ? '' : `${display} `;
    return `${name}<${uri}>${params.map(([n, v]) => (v === undefined ? `;${n}` : `;${n}=${v}`)).join('')}`;
  });

const viaArb = fc
  .tuple(fc.constantFrom('UDP', 'TCP', 'TLS', 'WS', 'sctp'), hostArb, portArb, tokenArb, fc.boolean())
  .map(
    ([transport, host, port, branch, rport]) =>
      `SIP/2.0/${transport} ${host}${port};branch=z9hG4bK${branch}${rport ? ';rport' : ''}`,
  );

/** Header fields other than the transaction ones, known and unknown, list-valued or not. */
const extraHeaderArb: fc.Arbitrary<[string, string]> = fc.oneof(
  fc.tuple(spelling('Subject', 's'), valueArb),
  fc.tuple(
    spelling('Contact', 'm'),
    fc.array(nameAddrArb, { minLength: 1, maxLength: 3 }).map((l) => l.join(', ')),
  ),
  fc.tuple(
    spelling('Route'),
    fc.array(nameAddrArb, { minLength: 1, maxLength: 3 }).map((l) => l.join(',')),
  ),
  fc.tuple(
    spelling('Supported', 'k'),
    fc.array(tokenArb, { minLength: 1, maxLength: 3 }).map((l) => l.join(', ')),
  ),
  fc.tuple(
    spelling('Content-Type', 'c'),
    fc.constantFrom('text/plain', 'application/sdp', 'message/cpim;charset=utf-8'),
  ),
  fc.tuple(spelling('WWW-Authenticate'), fc.constant('Digest realm="a, b", nonce="n", qop="auth"')),
  fc.tuple(spelling('Date'), fc.constant('Sat, 15 Oct 2005 04:44:56 GMT')),
  fc.tuple(spelling('User-Agent'), valueArb),
  fc.tuple(
    tokenArb.map((t) => `X-${t}`),
    valueArb,
  ),
);

export interface GeneratedParts {
  readonly transactionHeaders: [string, string][];
  readonly extraHeaders: [string, string][];
  readonly order: number[];
  readonly body: Buffer;
}

function headersOf(parts: GeneratedParts): SipHeaders {
  const all = [...parts.transactionHeaders, ...parts.extraHeaders];
  // Shuffle by the generated keys, so headers come in any order.
  const order = all.map((_, i) => i).sort((a, b) => (parts.order[a] ?? a) - (parts.order[b] ?? b));
  return SipHeaders.of(order.map((i) => all[i] ?? ['X-Missing', '']));
}

function partsArb(method: fc.Arbitrary<string>): fc.Arbitrary<{ method: string; parts: GeneratedParts }> {
  return fc
    .record({
      method,
      vias: fc.array(fc.array(viaArb, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }),
      viaName: spelling('Via', 'v'),
      from: nameAddrArb,
      fromTag: tokenArb,
      to: nameAddrArb,
      callId: fc
        .tuple(tokenArb, fc.option(hostArb, { nil: undefined }))
        .map(([id, host]) => (host === undefined ? id : `${id}@${host.replace(/[[\]]/g, '')}`)),
      seq: fc.integer({ min: 0, max: 4294967295 }),
      maxForwards: fc.integer({ min: 0, max: 255 }),
      names: fc.tuple(
        spelling('From', 'f'),
        spelling('To', 't'),
        spelling('Call-ID', 'i'),
        spelling('CSeq'),
        spelling('Max-Forwards'),
      ),
      extraHeaders: fc.array(extraHeaderArb, { maxLength: 8 }),
      order: fc.array(fc.integer(), { minLength: 30, maxLength: 30 }),
      body: fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
    })
    .map((r) => ({
      method: r.method,
      parts: {
        transactionHeaders: [
          ...r.vias.map((list): [string, string] => [r.viaName, list.join(', ')]),
          [r.names[0], `${r.from};tag=${r.fromTag}`],
          [r.names[1], r.to],
          [r.names[2], r.callId],
          [r.names[3], `${r.seq} ${r.method}`],
          [r.names[4], String(r.maxForwards)],
        ],
        extraHeaders: r.extraHeaders,
        order: r.order,
        body: r.body,
      },
    }));
}

export const requestArb: fc.Arbitrary<SipRequest> = fc
  .tuple(
    partsArb(fc.oneof(fc.constantFrom('MESSAGE', 'INVITE', 'REGISTER', 'OPTIONS'), tokenArb)),
    fc.oneof(sipUriArb, fc.constant('tel:+1-201-555-0123')),
  )
  .map(([{ method, parts }, uriText]) => {
    const uri = parseUri(uriText);
    if (uri === undefined) throw new Error(`generated an invalid URI: ${uriText}`);
    return new SipRequest({ method, uri, headers: headersOf(parts), body: parts.body });
  });

export const responseArb: fc.Arbitrary<SipResponse> = fc
  .tuple(
    partsArb(fc.constantFrom('MESSAGE', 'INVITE')),
    fc.integer({ min: 100, max: 699 }),
    fc.string({ unit: fc.constantFrom(...Array.from('OK abc-é大')), maxLength: 20 }).map((r) => r.trimEnd()),
  )
  .map(
    ([{ parts }, status, reason]) =>
      new SipResponse({ status, reason, headers: headersOf(parts), body: parts.body }),
  );

export const messageArb: fc.Arbitrary<SipMessage> = fc.oneof(
  { weight: 3, arbitrary: requestArb },
  { weight: 1, arbitrary: responseArb },
);
