// The web chat's OpenPGP work (src/web/client/pgp.ts) in Node: the same openpgp.js the browser runs.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import fc from 'fast-check';
import { AccountKeys, generateKeyPair, importKeyPair, type KeyPair } from '../../../src/web/client/pgp.js';

async function open(pair: KeyPair): Promise<AccountKeys> {
  const keys = await AccountKeys.open(pair);
  assert.ok(keys !== undefined);
  return keys;
}

describe('the web chat’s OpenPGP', { timeout: 120_000 }, () => {
  let alice: KeyPair;
  let bob: KeyPair;
  let carol: KeyPair;
  before(async () => {
    [alice, bob, carol] = await Promise.all([
      generateKeyPair('alice@example.test'),
      generateKeyPair('bob@example.test'),
      generateKeyPair('carol@example.test'),
    ]);
  });

  test('a message is encrypted to the contact and to the sender’s own key, and to nobody else', async () => {
    const sealed = await (await open(alice)).encrypt('hello Bob', bob.publicKey);
    assert.match(sealed ?? '', /^-----BEGIN PGP MESSAGE-----/);
    assert.doesNotMatch(sealed ?? '', /hello/);
    assert.equal(await (await open(bob)).decrypt(sealed ?? ''), 'hello Bob');
    assert.equal(await (await open(alice)).decrypt(sealed ?? ''), 'hello Bob');
    assert.equal(await (await open(carol)).decrypt(sealed ?? ''), undefined);
    assert.equal(await (await open(alice)).encrypt('x', 'not a key'), undefined);
  });

  test('the private key goes to another device as the Sylk clients send it, readable only with the code', async () => {
    const content = await (await open(alice)).export('042917');
    // sylkrtc.js and sylk-mobile: the armored public key, a newline, the armored private key sealed with the code.
    assert.match(
      content,
      /^-----BEGIN PGP PUBLIC KEY BLOCK-----[\s\S]+-----END PGP PUBLIC KEY BLOCK-----\n-----BEGIN PGP MESSAGE-----[\s\S]+-----END PGP MESSAGE-----\s*$/,
    );
    assert.doesNotMatch(content, /PRIVATE KEY/);
    const wrong = await importKeyPair(content, '042918');
    assert.deepEqual(wrong, { ok: false, reason: 'Wrong code: type the six digits the other device shows.' });
    const imported = await importKeyPair(content, '042917');
    assert.ok(imported.ok);
    const sealed = await (await open(bob)).encrypt('for Alice', alice.publicKey);
    assert.equal(await (await open(imported.pair)).decrypt(sealed ?? ''), 'for Alice');
  });

  test('an export whose public key is not the private key’s is refused', async () => {
    const content = await (await open(alice)).export('111111');
    const swapped = content.replace(/^[\s\S]+?-----END PGP PUBLIC KEY BLOCK-----/, bob.publicKey.trim());
    const result = await importKeyPair(swapped, '111111');
    assert.deepEqual(result, {
      ok: false,
      reason: 'The private key does not match the public key sent with it.',
    });
  });

  test('importKeyPair never throws, whatever it is sent', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string(), fc.string(), async (content, code) => {
        const result = await importKeyPair(content, code);
        assert.equal(result.ok, false);
      }),
      { numRuns: 200 },
    );
    const garbage = '-----BEGIN PGP MESSAGE-----\n\nnot base64 at all\n-----END PGP MESSAGE-----';
    assert.equal((await importKeyPair(garbage, '000000')).ok, false);
  });
});
