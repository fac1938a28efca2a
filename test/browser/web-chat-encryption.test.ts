/**
 * End-to-end encryption in the web chat (issue 17) in a real browser against a real `missive serve`, as the
 * Sylk clients do it: each account's key pair made in its browser and its public key published; two people
 * exchange messages that show a lock, while the server's journal (read back through the sylkRTC API, as
 * any device of the account would) holds only OpenPGP ciphertext for them; a second device of one account
 * imports the private key with the code the first one shows (a wrong code first) and then reads the
 * history; and the OpenPGP code is a chunk of its own, loaded after sign-in. MISSIVE_SCREENSHOTS=docs/images
 * also writes the README's screenshot of an encrypted conversation.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { Cleanup } from '../interop/harness/cleanup.js';
import type { MissiveProcess } from '../support/missive-process.js';
import { LOOPBACK } from '../support/ports.js';
import { EVENT_WAIT_MS, waitFor } from '../support/wait.js';
import { type Json, WebSocketClient } from '../support/websocket-client.js';
import {
  ALICE,
  BOB,
  type ChatBrowser,
  conversationEntry,
  messageWith,
  PASSWORD,
  sendText,
  signIn,
  startChat,
  startChatServer,
} from './chat-browser.js';
const SCREENSHOTS = process.env.MISSIVE_SCREENSHOTS;

/** Key generation is RSA in the page: generous on a loaded machine. */
const KEY_TIMEOUT_MS = 60_000;

function encryptionOn(page: Page) {
  return page.getByText('End-to-end encryption is on').waitFor({ timeout: KEY_TIMEOUT_MS });
}

/** The lock a message shows when it came or went encrypted. */
function locked(page: Page, text: string) {
  return messageWith(page, text).getByRole('img', { name: 'End-to-end encrypted' });
}

describe('end-to-end encryption in the web chat', { timeout: 300_000 }, () => {
  const peers = new Cleanup();
  let missive: MissiveProcess;
  let origin: string;
  let wsUrl: string;
  let browser: ChatBrowser;
  let alice: Page;
  let bob: Page;

  before(async () => {
    ({ missive, origin, wsUrl, browser } = await startChatServer(peers, ['alice', 'bob']));
    alice = await (await browser.context()).newPage();
    bob = await (await browser.context()).newPage();
  });
  after(() => peers.run());

  /** The journal of `account`, as a device of it syncs it (sylk spec §1.4.8). */
  async function journal(account: string): Promise<Json[]> {
    const device = await WebSocketClient.ready(wsUrl);
    try {
      await device.register(account, PASSWORD);
      const page = await device.sync(account, { limit: 1000 });
      return Array.isArray(page.messages) ? (page.messages as Json[]) : [];
    } finally {
      await device.stop();
    }
  }

  test('each account makes its key pair in the browser and publishes the public key', async () => {
    for (const [page, account] of [
      [alice, ALICE],
      [bob, BOB],
    ] as const) {
      await page.goto(`${origin}/chat/`);
      await signIn(page, account, PASSWORD);
      await encryptionOn(page);
    }
    const lookup = await WebSocketClient.ready(wsUrl);
    try {
      for (const account of [ALICE, BOB]) {
        // The page says "on" once the key pair is in use, and publishes it right after (a MESSAGE to the
        // account itself): the lookup is asked again until the published key is there.
        const published = await waitFor(
          async () => {
            await lookup.request({ sylkrtc: 'lookup-public-key', uri: account });
            const event = lookup.frames.findLast(
              (frame) => frame.sylkrtc === 'lookup-public-key-event' && frame.uri === account,
            );
            return typeof event?.public_key === 'string' ? event.public_key : undefined;
          },
          `${account}'s public key to be published`,
          { timeoutMs: EVENT_WAIT_MS, intervalMs: 200 },
        );
        assert.match(published, /^-----BEGIN PGP PUBLIC KEY BLOCK-----/);
      }
    } finally {
      await lookup.stop();
    }
    // The OpenPGP code came as a chunk of its own, after the page's script.
    assert.ok(browser.requests.some((url) => /\/chat\/assets\/chunk-[A-Z0-9]+\.js$/.test(url)));
  });

  test('messages both ways are encrypted before they leave, shown with a lock, and the journal holds only ciphertext', async () => {
    await startChat(alice, BOB);
    await alice.locator('#conversation-title .lock').waitFor();
    await sendText(alice, 'The launch code is 0000');
    await locked(alice, 'The launch code is 0000').waitFor();
    await conversationEntry(bob, ALICE).click();
    await locked(bob, 'The launch code is 0000').waitFor();
    await sendText(bob, 'Noted, keep it quiet');
    await locked(alice, 'Noted, keep it quiet').waitFor();
    await locked(bob, 'Noted, keep it quiet').waitFor();
    if (SCREENSHOTS !== undefined)
      await bob.screenshot({ path: join(SCREENSHOTS, 'web-chat-encrypted.png') });

    for (const account of [ALICE, BOB]) {
      const texts = (await journal(account)).filter((entry) => entry.content_type === 'text/plain');
      assert.equal(texts.length, 2, JSON.stringify(texts));
      for (const entry of texts) {
        const content = String(entry.content);
        assert.match(content, /^-----BEGIN PGP MESSAGE-----\r?\n[\s\S]+-----END PGP MESSAGE-----\s*$/);
        assert.doesNotMatch(content, /launch|quiet/);
      }
    }
  });

  test('a second device of the account imports the private key with the code the first one shows, and reads the history', async () => {
    const second = await (await browser.context({ width: 390, height: 780 })).newPage();
    await second.goto(`${origin}/chat/`);
    await signIn(second, ALICE, PASSWORD);
    await second.getByText("This account's key is on another device").waitFor({ timeout: KEY_TIMEOUT_MS });
    await conversationEntry(second, BOB).click();
    await messageWith(second, 'Encrypted message: this browser does not have the key').first().waitFor();
    await second.getByRole('button', { name: 'Back to conversations' }).click();

    await alice.getByRole('button', { name: 'Export key to another device' }).click();
    const shown = alice.locator('.key-panel .code');
    await shown.waitFor({ timeout: KEY_TIMEOUT_MS });
    const code = (await shown.textContent()) ?? '';
    assert.match(code, /^\d{6}$/);

    const field = second.getByLabel('Code from the other device');
    await field.waitFor({ timeout: KEY_TIMEOUT_MS });
    const wrong = code === '123456' ? '654321' : '123456';
    await field.fill(wrong);
    await second.getByRole('button', { name: 'Import key' }).click();
    await second.getByRole('alert').filter({ hasText: 'Wrong code' }).waitFor({ timeout: KEY_TIMEOUT_MS });
    await field.fill(code);
    await second.getByRole('button', { name: 'Import key' }).click();
    await encryptionOn(second);

    await conversationEntry(second, BOB).click();
    await locked(second, 'The launch code is 0000').waitFor({ timeout: KEY_TIMEOUT_MS });
    await locked(second, 'Noted, keep it quiet').waitFor({ timeout: KEY_TIMEOUT_MS });
    // And it sends encrypted too: Bob reads it, the journal has ciphertext.
    await sendText(second, 'Sent from my phone');
    await locked(bob, 'Sent from my phone').waitFor();
    const last = (await journal(BOB)).filter((entry) => entry.content_type === 'text/plain').at(-1);
    assert.match(String(last?.content), /^-----BEGIN PGP MESSAGE-----/);
  });

  test('no page asked anything of any other server, and nothing broke the Content-Security-Policy', () => {
    const ws = `ws://${LOOPBACK}:${String(missive.ports.ws)}/`;
    const elsewhere = browser.requests.filter((url) => !url.startsWith(`${origin}/`) && !url.startsWith(ws));
    assert.deepEqual(elsewhere, []);
    assert.deepEqual(browser.cspViolations, []);
  });
});
