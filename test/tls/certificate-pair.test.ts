import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { readCertificatePair } from '../../src/tls/certificate-pair.js';
import { readSniDirectory } from '../../src/tls/sni-directory.js';
import { createTestCa, issueCertificate, type Pem } from '../support/test-ca.js';

const DAY_MS = 24 * 3600 * 1000;

describe('an operator certificate and key, checked before use', () => {
  let dir: string;
  let ca: Pem;
  let leaf: Pem;
  let other: Pem;

  const write = async (name: string, text: string): Promise<string> => {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  };
  const read = (certificate: string, key: string) =>
    readCertificatePair(
      {
        certificate,
        key,
        certificateSetting: '[General] tls_certificate',
        keySetting: '[General] tls_private_key',
      },
      new Date(),
    );

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'missive-pair-'));
    ca = await createTestCa();
    leaf = await issueCertificate(ca, { names: ['missive.test'] });
    other = await issueCertificate(ca, { names: ['other.test'] });
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('takes a certificate with its chain and its key, without a warning', async () => {
    const result = await read(
      await write('full.crt', leaf.cert + ca.cert),
      await write('leaf.key', leaf.key),
    );
    assert.ok(result.ok);
    assert.deepEqual(result.value.names, ['missive.test']);
    assert.deepEqual(result.warnings, []);
  });

  it('warns when the file holds no chain and its issuer is no known root', async () => {
    const result = await read(await write('leaf.crt', leaf.cert), await write('leaf.key', leaf.key));
    assert.ok(result.ok);
    assert.match(result.warnings.join('\n'), /tls_certificate = .*leaf\.crt: holds no chain.*fullchain\.pem/);
  });

  it('refuses a key that does not belong to the certificate, naming both settings and files', async () => {
    const result = await read(await write('leaf.crt', leaf.cert), await write('other.key', other.key));
    assert.ok(!result.ok);
    assert.match(
      result.problem,
      /tls_private_key = .*other\.key: this key does not belong to the certificate in \[General\] tls_certificate = .*leaf\.crt/,
    );
  });

  it('refuses a file that cannot be read, naming the setting', async () => {
    const result = await read(join(dir, 'missing.crt'), await write('leaf.key', leaf.key));
    assert.ok(!result.ok);
    assert.match(
      result.problem,
      /^\[General\] tls_certificate = .*missing\.crt: cannot read it: no such file/,
    );
  });

  it('refuses a file without a PEM certificate, and a key that is not one', async () => {
    const noPem = await read(await write('junk.crt', 'not a certificate'), await write('leaf.key', leaf.key));
    assert.ok(!noPem.ok);
    assert.match(noPem.problem, /junk\.crt: holds no PEM certificate/);
    const noKey = await read(await write('leaf.crt', leaf.cert), await write('junk.key', 'no key'));
    assert.ok(!noKey.ok);
    assert.match(noKey.problem, /tls_private_key = .*junk\.key: not a PEM private key/);
  });

  it('refuses a chain whose second certificate did not issue the first', async () => {
    const result = await read(
      await write('mixed.crt', leaf.cert + other.cert + ca.cert),
      await write('leaf.key', leaf.key),
    );
    assert.ok(!result.ok);
    assert.match(
      result.problem,
      /mixed\.crt: certificate 2 did not issue certificate 1: .*in order \(fullchain\.pem\)/,
    );
  });

  it('warns of an expired certificate', async () => {
    const expired = await issueCertificate(ca, {
      names: ['missive.test'],
      notBefore: new Date(Date.now() - 60 * DAY_MS),
      notAfter: new Date(Date.now() - DAY_MS),
    });
    const result = await read(
      await write('expired.crt', expired.cert + ca.cert),
      await write('expired.key', expired.key),
    );
    assert.ok(result.ok);
    assert.match(
      result.warnings.join('\n'),
      /expired\.crt: the certificate expired on .*clients will refuse it/,
    );
  });

  it('answers any file content with a pair or one problem, never a throw (property)', async () => {
    const certificate = join(dir, 'any.crt');
    const key = join(dir, 'any.key');
    const pemLike = fc.oneof(
      fc.uint8Array({ maxLength: 2048 }).map((bytes) => Buffer.from(bytes)),
      fc
        .tuple(
          fc.constantFrom(leaf.cert, ca.cert, other.cert, leaf.key, ''),
          fc.nat(),
          fc.string({ maxLength: 64 }),
        )
        .map(([pem, cut, noise]) => {
          const at = pem.length === 0 ? 0 : cut % pem.length;
          return Buffer.from(pem.slice(0, at) + noise + pem.slice(at));
        }),
    );
    await fc.assert(
      fc.asyncProperty(pemLike, pemLike, async (certificateBytes, keyBytes) => {
        await writeFile(certificate, certificateBytes);
        await writeFile(key, keyBytes);
        const result = await read(certificate, key);
        if (!result.ok) assert.match(result.problem, /^\[General\] tls_(certificate|private_key) = /);
        else assert.ok(result.value.cert.length > 0);
      }),
      { numRuns: 150 },
    );
  });

  it('reads an SNI directory of NAME.crt and NAME.key pairs, and names a pair without its key', async () => {
    const sni = join(dir, 'sni');
    await rm(sni, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(sni));
    await writeFile(join(sni, 'other.crt'), other.cert + ca.cert);
    await writeFile(join(sni, 'other.key'), other.key);
    const good = await readSniDirectory(sni, '[General] tls_sni_dir', new Date());
    assert.ok(good.ok);
    assert.deepEqual(
      good.value.map((pair) => pair.names),
      [['other.test']],
    );
    await writeFile(join(sni, 'lonely.crt'), leaf.cert + ca.cert);
    const bad = await readSniDirectory(sni, '[General] tls_sni_dir', new Date());
    assert.ok(!bad.ok);
    assert.match(
      bad.problems.join('\n'),
      /tls_sni_dir \(key\) = .*lonely\.key: cannot read it: no such file/,
    );
  });
});
