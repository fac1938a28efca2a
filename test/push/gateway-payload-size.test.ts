/**
 * The sylk-pushserver request stays within the 4 KiB the providers behind the gateway take (APNs payload, FCM
 * data): a long message text is cut on a character boundary so that the whole JSON body fits; content that is
 * no use cut (PGP, a file-transfer document) is left out. The request is checked as it reaches a local HTTP
 * server standing in for sylk-pushserver (the real one cannot run here).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { cutToJsonBytes, jsonStringBytes } from '../../src/push/json-text-cut.js';
import type { PushDelivery } from '../../src/push/provider.js';
import { GatewayProvider } from '../../src/push/sylk-pushserver/gateway-provider.js';
import { GATEWAY_BODY_LIMIT, gatewayJson } from '../../src/push/sylk-pushserver/payload.js';
import { systemClock } from '../../src/time/clock.js';
import { PushStandIn } from './push-stand-in.js';

function delivery(content: string, contentType = 'text/plain'): PushDelivery {
  return {
    target: {
      account: 'bob@example.com',
      appId: 'com.agprojects.sylk',
      deviceId: 'd1',
      platform: 'android',
      token: 'fcm-token-1',
      silent: false,
    },
    notification: {
      kind: 'message',
      callId: '0f0e0d0c-0b0a-4908-8706-050403020100',
      messageId: 'm1',
      from: 'alice@example.com',
      fromDisplayName: 'Alice',
      to: 'bob@example.com',
      badge: 3,
      contentType,
      content,
    },
  };
}

describe('cutToJsonBytes', () => {
  it('keeps the longest start, in whole code points, whose JSON form fits', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'binary' }), fc.string()),
        fc.integer({ min: 0, max: 64 }),
        (text, max) => {
          const cut = cutToJsonBytes(text, max);
          assert.ok(text.startsWith(cut));
          // Counted as JSON.stringify writes it, and within the room.
          assert.equal(jsonStringBytes(cut), Buffer.byteLength(JSON.stringify(cut)) - 2);
          assert.ok(jsonStringBytes(cut) <= max);
          if (cut.length < text.length) {
            const next = String.fromCodePoint(text.codePointAt(cut.length) ?? 0);
            // Maximal: the next character would not fit; and the cut never splits a surrogate pair.
            assert.ok(jsonStringBytes(cut + next) > max);
            assert.ok(text.slice(0, cut.length + next.length).startsWith(cut + next));
          } else assert.equal(cut, text);
        },
      ),
    );
  });

  it('cuts before a character that would not fit whole', () => {
    assert.equal(cutToJsonBytes('ab€', 4), 'ab');
    assert.equal(cutToJsonBytes('ab€', 5), 'ab€');
    assert.equal(cutToJsonBytes('a😀', 4), 'a');
    assert.equal(cutToJsonBytes('a"b', 2), 'a');
  });
});

describe('sylk-pushserver request size (stand-in HTTP server)', () => {
  const standIn = new PushStandIn();
  let provider: GatewayProvider;

  before(async () => {
    await standIn.start();
    provider = new GatewayProvider({ url: standIn.url, timeoutMs: 10_000, clock: systemClock });
  });
  after(async () => {
    await provider.close();
    await standIn.stop();
  });

  it('a long text is cut on a UTF-8 boundary so that the body is at most 4 KiB', async () => {
    const text = `${'é€'.repeat(2000)}😀`;
    const outcome = await provider.send(delivery(text));
    assert.deepEqual(outcome, { kind: 'sent' });
    const request = standIn.requests.at(-1);
    assert.ok(request !== undefined);
    const bytes = Buffer.byteLength(request.body);
    assert.ok(bytes <= GATEWAY_BODY_LIMIT, `${String(bytes)} bytes`);
    // As much text as fits: the next character (2 or 3 bytes) would not.
    assert.ok(bytes > GATEWAY_BODY_LIMIT - 3, `${String(bytes)} bytes`);
    const json = request.json ?? {};
    const content = String(json.content);
    assert.ok(text.startsWith(content) && content.length > 1000);
    // Every other key as it was.
    assert.deepEqual(
      { ...json, content: undefined },
      { ...JSON.parse(gatewayJson(delivery('x'))), content: undefined },
    );
  });

  it('a text that fits goes whole', async () => {
    const text = 'a'.repeat(3000);
    await provider.send(delivery(text));
    assert.equal(standIn.requests.at(-1)?.json?.content, text);
  });

  it('PGP ciphertext and a file-transfer document are left out, not cut', async () => {
    const pgp = `-----BEGIN PGP MESSAGE-----\n${'A'.repeat(6000)}\n-----END PGP MESSAGE-----`;
    const file = JSON.stringify({ url: `https://example.com/${'f'.repeat(5000)}` });
    for (const [content, type] of [
      [pgp, 'text/plain'],
      [file, 'application/sylk-file-transfer'],
    ] as const) {
      await provider.send(delivery(content, type));
      const json = standIn.requests.at(-1)?.json ?? {};
      assert.equal('content' in json, false);
      assert.equal('content-type' in json, false);
      assert.equal(json.badge, 3);
      assert.equal(json.from, 'alice@example.com');
    }
  });
});
