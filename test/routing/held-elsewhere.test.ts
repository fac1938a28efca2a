/**
 * routing/held-elsewhere.ts: a binding held by another live instance is routed through it (its address as
 * the route, the flow as our alias in the Request-URI, no connection id of the holder's); one held here, by
 * nobody, registered through a Path, or held by an instance not known alive, is left as it is.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { throughHolder, type ClusterPeers } from '../../src/routing/held-elsewhere.js';
import { aliasTarget } from '../../src/routing/contact-alias.js';
import { isSipUri, parseUri, type SipUri } from '../../src/sip/uri.js';
import { makeBinding } from '../store/bindings.js';

function peers(known: Record<string, string>): ClusterPeers {
  return {
    self: 'b',
    addressOf: (id) => {
      const text = known[id];
      const uri = text === undefined ? undefined : parseUri(text);
      return uri !== undefined && isSipUri(uri) ? uri : undefined;
    },
  };
}

const held = makeBinding({
  holder: 'a',
  contact: 'sip:alice@192.0.2.10:5062;transport=tcp',
  source: { transport: 'tcp', host: '198.51.100.7', port: 40123, connectionId: 'conn-of-a' },
});

describe('throughHolder', () => {
  it('routes a binding held by another instance through it, the flow in the Request-URI', () => {
    const routed = throughHolder(held, peers({ a: 'sip:10.0.0.1:5060;transport=tcp' }));
    assert.deepEqual(routed.path, ['<sip:10.0.0.1:5060;transport=tcp;lr>']);
    const contact = parseUri(routed.contact) as SipUri;
    assert.deepEqual(aliasTarget(contact), { transport: 'tcp', host: '198.51.100.7', port: 40123 });
    assert.equal(contact.host, '192.0.2.10');
    assert.deepEqual(routed.source, { transport: 'tcp', host: '198.51.100.7', port: 40123 });
    assert.equal(routed.aor, held.aor);
    assert.equal(routed.expiresAt, held.expiresAt);
  });

  it('leaves alone what this instance can reach as well as any', () => {
    const known = peers({ a: 'sip:10.0.0.1:5060' });
    for (const binding of [
      makeBinding(),
      { ...held, holder: 'b' },
      { ...held, path: ['<sip:edge.example.com;lr>'] },
      { ...held, holder: 'gone' },
    ])
      assert.equal(throughHolder(binding, known), binding);
  });
});
