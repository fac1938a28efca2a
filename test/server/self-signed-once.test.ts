// loadCertificates (src/server/certificates.ts) with no certificate configured: the self-signed one is made
// once for the three listeners. Three makers at once wrote over each other into the same two files, and
// `missive serve` then refused its own certificate (a key that did not match it, or half a key file).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadCertificates, type TlsFileSettings } from '../../src/server/certificates.js';
import { ensureSelfSignedCertificate } from '../../src/tls/self-signed.js';

const unset = (name: string): TlsFileSettings => ({
  certificateSetting: `${name}_certificate`,
  keySetting: `${name}_private_key`,
});

test('the self-signed certificate is made once for the SIP, web and relay listeners, and loads', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'missive-self-signed-'));
  try {
    let made = 0;
    const loaded = await loadCertificates(
      {
        shared: unset('tls'),
        sip: unset('sip'),
        web: unset('web'),
        relay: unset('relay'),
        sniSetting: 'sni',
      },
      () => {
        made += 1;
        return ensureSelfSignedCertificate(dir, 'example.test');
      },
      'example.test',
      new Date(),
    );
    assert.equal(made, 1);
    assert.ok(loaded.ok, loaded.ok ? '' : loaded.problems.join('\n'));
    assert.equal(loaded.value.sip.pair, loaded.value.relay.pair);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
