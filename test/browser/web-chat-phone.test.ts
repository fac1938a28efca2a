/**
 * The web chat on a phone-sized screen and with the keyboard alone (issue 17), in a real browser against a
 * real `missive serve`: sign in by typing and Enter, start a chat by typing and Enter, the conversation
 * taking the whole narrow screen (the list hidden, a back button shown, nothing wider than the screen),
 * Escape and the back button returning to the list, and a message sent with Enter reaching the other side.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { Cleanup } from '../interop/harness/cleanup.js';
import { type Json, WebSocketClient } from '../support/websocket-client.js';
import { ALICE, BOB, messageWith, PASSWORD, startChatServer } from './chat-browser.js';
/** A common phone's CSS pixels (the chat switches to one pane below 700). */
const PHONE = { width: 390, height: 844 };

/** Whether anything on the page is wider than the screen (a horizontal scroll bar on a phone). */
async function overflows(page: Page): Promise<boolean> {
  // A string: the test's TypeScript has no DOM types.
  return (await page.evaluate('document.documentElement.scrollWidth > window.innerWidth')) === true;
}

describe('the web chat on a phone, with the keyboard alone', { timeout: 300_000 }, () => {
  const peers = new Cleanup();
  let alice: Page;
  let bob: WebSocketClient;

  before(async () => {
    const { origin, wsUrl, browser } = await startChatServer(peers, ['alice', 'bob']);
    alice = await (await browser.context(PHONE)).newPage();
    await alice.goto(`${origin}/chat/`);
    bob = await WebSocketClient.ready(wsUrl);
    peers.add(bob);
    await bob.register(BOB, PASSWORD);
  });
  after(() => peers.run());

  test('sign in by typing: the account field has the focus, Tab moves on, Enter submits', async () => {
    await alice.getByLabel('Account').focus();
    await alice.keyboard.type(ALICE);
    await alice.keyboard.press('Tab');
    assert.equal(await alice.evaluate("document.activeElement?.getAttribute('type')"), 'password');
    await alice.keyboard.type(PASSWORD);
    await alice.keyboard.press('Enter');
    await alice.getByRole('button', { name: 'Sign out' }).waitFor();
    assert.equal(await overflows(alice), false);
  });

  test('a chat started by typing fills the screen; Enter sends; Escape and the back button return to the list', async () => {
    await alice.getByLabel('New chat with').focus();
    await alice.keyboard.type(BOB);
    await alice.keyboard.press('Enter');
    await alice.locator('#conversation-title', { hasText: BOB }).waitFor();
    // One pane: the conversation, its back button, no list beside it, nothing wider than the screen.
    assert.equal(await alice.locator('.conversations').isVisible(), false);
    assert.equal(await alice.getByRole('button', { name: 'Back to conversations' }).isVisible(), true);
    assert.equal(await overflows(alice), false);
    const composer = alice.getByLabel('Message', { exact: true });
    const box = await composer.boundingBox();
    assert.ok(
      box !== null && box.x >= 0 && box.x + box.width <= PHONE.width,
      `composer at ${JSON.stringify(box)}`,
    );

    await composer.focus();
    await alice.keyboard.type('typed on a phone');
    await alice.keyboard.press('Enter');
    const event = await bob.received(
      'alice’s message at bob',
      (frame: Json) => frame.event === 'message' && frame.content === 'typed on a phone',
    );
    assert.deepEqual(event.sender, { uri: ALICE, display_name: null });
    await messageWith(alice, 'typed on a phone').waitFor();

    await alice.keyboard.press('Escape');
    await alice.locator('.conversations').waitFor();
    assert.equal(await alice.locator('.conversation').isVisible(), false);
    await alice.locator(`.conversation-list [data-contact="${BOB}"]`).click();
    await alice.getByRole('button', { name: 'Back to conversations' }).click();
    await alice.locator('.conversations').waitFor();
  });
});
