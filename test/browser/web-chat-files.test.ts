/**
 * Files and pictures in the web chat (issue 17) in a real browser against a real `missive serve`: a picture
 * picked with the file picker appears as a picture on the other side (served by missive, so the page's
 * `img-src 'self'` allows it); a file dropped on the conversation downloads with its bytes at the other
 * side; a file a sylkRTC client uploads (as Sylk clients do) appears in the browser; a name added to the
 * address book from another device names that conversation; and no request went anywhere but the server.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { Cleanup } from '../interop/harness/cleanup.js';
import type { MissiveProcess } from '../support/missive-process.js';
import { LOOPBACK } from '../support/ports.js';
import { WebSocketClient } from '../support/websocket-client.js';
import {
  ALICE,
  BOB,
  CAROL,
  type ChatBrowser,
  conversationEntry,
  PASSWORD,
  signIn,
  startChat,
  startChatServer,
} from './chat-browser.js';
/** An 8×8 red PNG. */
const PICTURE = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEUlEQVR4nGM4ISeHFTEMLQkAkL9BAbKfPiIAAAAASUVORK5CYII=',
  'base64',
);

/** A sent message past its upload: announced by missive (Sent), or further along (Delivered, Read). */
const SENT = '[data-state="accepted"], [data-state="delivered"], [data-state="displayed"]';

/** The bubble of the message that carries the file `name`. */
function fileMessage(page: Page, name: string) {
  return page.locator('.messages .message', { has: page.locator('a.file', { hasText: name }) });
}

describe('files and pictures (and the address book’s names) in the web chat', { timeout: 300_000 }, () => {
  const peers = new Cleanup();
  let missive: MissiveProcess;
  let origin: string;
  let wsUrl: string;
  let browser: ChatBrowser;
  let alice: Page;
  let bob: Page;

  before(async () => {
    ({ missive, origin, wsUrl, browser } = await startChatServer(peers, ['alice', 'bob', 'carol']));
    alice = await (await browser.context()).newPage();
    bob = await (await browser.context()).newPage();
    for (const [page, account] of [
      [alice, ALICE],
      [bob, BOB],
    ] as const) {
      await page.goto(`${origin}/chat/`);
      await signIn(page, account, PASSWORD);
    }
  });
  after(() => peers.run());

  test('a picture picked with the file picker appears as a picture on both sides', async () => {
    await startChat(alice, BOB);
    await alice.getByLabel('Attach a file').setInputFiles({
      name: 'red.png',
      mimeType: 'image/png',
      buffer: PICTURE,
    });
    // The sender's own copy settles once missive has announced the upload (its URL, Sent or further).
    const mine = fileMessage(alice, 'red.png');
    await mine.and(alice.locator(SENT)).locator('img').waitFor();

    await conversationEntry(bob, ALICE).filter({ hasText: 'File: red.png' }).click();
    const picture = fileMessage(bob, 'red.png').locator('img');
    await picture.waitFor();
    const src = await picture.getAttribute('src');
    assert.match(src ?? '', /^\/webrtcgateway\/filetransfer\/[^/]+\/[^/]+\/[^/]+\/red\.png$/);
    // Loaded and decoded: the browser fetched it from missive and the CSP let it in.
    // The test's code has no DOM types: the page's side is written as the script the browser runs.
    await bob.waitForFunction(
      "(() => { const image = document.querySelector('.messages img'); return image !== null && image.complete && image.naturalWidth === 8; })()",
    );
    assert.match((await fileMessage(bob, 'red.png').textContent()) ?? '', /red\.png \(\d+ B\)/);
  });

  test('a file dropped on the conversation downloads with its bytes at the other side', async () => {
    const bytes = randomBytes(150_000);
    const dropped = await bob.evaluateHandle(
      `(() => { const transfer = new DataTransfer(); transfer.items.add(new File([Uint8Array.from(${JSON.stringify(Array.from(bytes))})], 'report.bin', { type: 'application/octet-stream' })); return transfer; })()`,
    );
    await bob.locator('.conversation').dispatchEvent('drop', { dataTransfer: dropped });
    await fileMessage(bob, 'report.bin').and(bob.locator(SENT)).waitFor();

    const link = fileMessage(alice, 'report.bin').locator('a.file');
    assert.equal(await link.textContent(), 'report.bin (150 KB)');
    const [download] = await Promise.all([alice.waitForEvent('download'), link.click()]);
    assert.equal(download.suggestedFilename(), 'report.bin');
    assert.deepEqual(await readFile(await download.path()), bytes);
  });

  test('a file a sylkRTC client uploads (as the Sylk clients do) appears in the browser', async () => {
    const carol = peers.add(await WebSocketClient.ready(wsUrl));
    await carol.register(CAROL, PASSWORD);
    const upload = await fetch(
      `${origin}/webrtcgateway/filetransfer/${CAROL}/${BOB}/${randomUUID()}/notes.txt`,
      {
        method: 'POST',
        headers: { 'Content-Type': 'text/plain' },
        body: 'Notes for the meeting\n',
      },
    );
    assert.equal(upload.status, 200);
    const entry = conversationEntry(bob, CAROL).filter({ hasText: 'File: notes.txt' });
    await entry.locator('.unread', { hasText: '1' }).waitFor();
    await entry.click();
    const link = fileMessage(bob, 'notes.txt').locator('a.file');
    assert.equal(await link.textContent(), 'notes.txt (22 B)');
    const [download] = await Promise.all([bob.waitForEvent('download'), link.click()]);
    assert.equal(await readFile(await download.path(), 'utf8'), 'Notes for the meeting\n');
  });

  test('the address book’s names: a contact added from another device names the conversation', async () => {
    const phone = peers.add(await WebSocketClient.ready(wsUrl));
    await phone.register(BOB, PASSWORD);
    const contact = {
      id: 'c-carol',
      name: 'Carol Jones',
      uris: [{ id: 'u1', uri: `sip:${CAROL}` }],
      dialog: { policy: 'default', subscribe: false },
      presence: { policy: 'default', subscribe: false },
    };
    const added = await phone.request({
      sylkrtc: 'account-update-addressbook',
      account: BOB,
      action: 'add',
      type: 'contact',
      data: contact,
    });
    assert.equal(added.sylkrtc, 'ack', JSON.stringify(added));
    // Bob's page hears of the change (addressbook-updated), fetches the book again and shows the name.
    await conversationEntry(bob, CAROL).locator('.contact', { hasText: 'Carol Jones' }).waitFor();
    await bob.locator('#conversation-title', { hasText: 'Carol Jones' }).waitFor();
    assert.equal(await conversationEntry(bob, ALICE).locator('.contact').textContent(), ALICE);
  });

  test('no page asked anything of any other server, and nothing broke the Content-Security-Policy', () => {
    const ws = `ws://${LOOPBACK}:${String(missive.ports.ws)}/`;
    const elsewhere = browser.requests.filter((url) => !url.startsWith(`${origin}/`) && !url.startsWith(ws));
    assert.deepEqual(elsewhere, []);
    assert.ok(browser.requests.some((url) => url.includes('/webrtcgateway/filetransfer/')));
    assert.deepEqual(browser.cspViolations, []);
  });
});
