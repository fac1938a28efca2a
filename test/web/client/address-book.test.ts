// The web chat's reading of the address book's names (src/web/client/address-book.ts, sylk spec §1.4.13).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { namesFrom } from '../../../src/web/client/address-book.js';

test('names by address, without the sip: scheme; the first contact naming an address wins', () => {
  const names = namesFrom({
    contacts: [
      {
        id: 'c1',
        name: ' Carol Jones ',
        uris: [{ id: 'u1', uri: 'sip:carol@example.test' }, { uri: 'carol@work.test' }],
      },
      { id: 'c2', name: 'Other Carol', uris: [{ uri: 'sips:carol@example.test' }] },
      { id: 'c3', name: '', uris: [{ uri: 'nameless@example.test' }] },
      { id: 'c4', uris: [{ uri: 'noname@example.test' }] },
      'not a contact',
    ],
    groups: [],
  });
  assert.deepEqual(
    [...names],
    [
      ['carol@example.test', 'Carol Jones'],
      ['carol@work.test', 'Carol Jones'],
    ],
  );
});

test('namesFrom never throws, whatever the book', () => {
  fc.assert(
    fc.property(fc.jsonValue(), (book) => {
      for (const [address, name] of namesFrom(book)) assert.ok(address !== '' && name !== '');
    }),
  );
  assert.equal(namesFrom({ contacts: [{ name: 'x', uris: 'no' }] }).size, 0);
});
