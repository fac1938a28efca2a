/**
 * The web chat (issue 17) in a real browser (Debian's chromium through playwright-core) against a real
 * `missive serve`: the page's headers (Content-Security-Policy, caching), sign-in (and a refused one), two
 * people chatting both ways with each sent message's state, a SIP device talking to one of them, a second
 * tab of one account following along (read state, deletes), catching up after a reload, and no request
 * going anywhere but the server. MISSIVE_SCREENSHOTS=docs/images also writes the README's screenshots.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { WEB_CLIENT_CSP } from '../../src/web/web-client-routes.js';
import { Cleanup } from '../interop/harness/cleanup.js';
import { Agent } from '../support/sip-agent.js';
import { MissiveProcess } from '../support/missive-process.js';
import { md5 } from '../support/md5.js';
import { LOOPBACK } from '../support/ports.js';
import { waitFor } from '../support/wait.js';
import {
  ALICE,
  BOB,
  CAROL,
  type ChatBrowser,
  conversationEntry,
  DOMAIN,
  messageWith,
  PASSWORD,
  sendText,
  signIn,
  startChat,
  startChatServer,
  UI_TIMEOUT_MS,
} from './chat-browser.js';

const SCREENSHOTS = process.env.MISSIVE_SCREENSHOTS;

async function screenshot(page: Page, name: string): Promise<void> {
  if (SCREENSHOTS !== undefined) await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

/** The CPIM body a SIP client writes (sylk spec §2.8.1), asking for delivery and display notifications. */
function cpim(from: string, to: string, messageId: string, content: string): string {
  return [
    `From: <sip:${from}>`,
    `To: <sip:${to}>`,
    `DateTime: ${new Date().toISOString()}`,
    'NS: imdn <urn:ietf:params:imdn>',
    `imdn.Message-ID: ${messageId}`,
    'imdn.Disposition-Notification: positive-delivery, display',
    '',
    'Content-Type: text/plain',
    '',
    content,
  ].join('\r\n');
}

describe('the web chat in a browser', { timeout: 300_000 }, () => {
  const peers = new Cleanup();
  let missive: MissiveProcess;
  let origin: string;
  let browser: ChatBrowser;
  let aliceContext: BrowserContext;
  let alice: Page;
  let bob: Page;
  let carolSip: Agent;

  before(async () => {
    ({ missive, origin, browser } = await startChatServer(peers, ['alice', 'bob', 'carol']));
    aliceContext = await browser.context();
    alice = await aliceContext.newPage();
    // Bob is on a phone-sized screen.
    bob = await (await browser.context({ width: 390, height: 780 })).newPage();
    carolSip = peers.add(
      await Agent.device('carol', PASSWORD, { host: LOOPBACK, port: missive.ports.sip }, DOMAIN),
    );
    assert.equal((await carolSip.register()).status, 200);
  });
  after(() => peers.run());

  test('the page and its files: a strict Content-Security-Policy, hashed files cached, the page revalidated', async () => {
    const page = await fetch(`${origin}/chat/`);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('content-security-policy'), WEB_CLIENT_CSP);
    assert.equal(page.headers.get('cache-control'), 'no-cache');
    const html = await page.text();
    assert.doesNotMatch(
      html,
      /<script>|<style>|style=|https?:\/\//,
      'no inline script or style, nothing from elsewhere',
    );
    const script = /src="(assets\/main-[A-Z0-9]+\.js)"/.exec(html)?.[1];
    assert.ok(script !== undefined, html);
    const asset = await fetch(`${origin}/chat/${script}`);
    assert.equal(asset.status, 200);
    assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(asset.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal((await fetch(`${origin}/chat/assets/main-NOSUCH.js`)).status, 404);
    assert.equal((await fetch(`${origin}/`)).headers.get('content-type'), 'text/plain; charset=utf-8');
  });

  test('a wrong password is refused with the server’s reason, and the password field is kept for a retry', async () => {
    await alice.goto(`${origin}/chat/`);
    await screenshot(alice, 'web-chat-sign-in');
    await alice.getByLabel('Account').fill(ALICE);
    await alice.getByLabel('Password').fill('wrong');
    await alice.getByRole('button', { name: 'Sign in' }).click();
    await alice.getByRole('alert').filter({ hasText: '403 Forbidden' }).waitFor();
  });

  test('two people chat both ways; each sent message shows its state up to read', async () => {
    await signIn(alice, ALICE, PASSWORD, true);
    await bob.goto(`${origin}/chat/`);
    await signIn(bob, BOB, PASSWORD);

    await startChat(alice, BOB);
    await sendText(alice, 'Hello Bob, lunch today?');
    // Bob's page is open: it tells that the message was delivered (it is read only once Bob opens it).
    await messageWith(alice, 'Hello Bob').and(alice.locator('[data-state="delivered"]')).waitFor();
    assert.equal(await messageWith(alice, 'Hello Bob').locator('.state').textContent(), 'Delivered');

    // Bob's list: the conversation, its last message and one unread; opening it reads it.
    const entry = conversationEntry(bob, ALICE);
    await entry.filter({ hasText: 'Hello Bob, lunch today?' }).locator('.unread', { hasText: '1' }).waitFor();
    await screenshot(bob, 'web-chat-list');
    await entry.click();
    await messageWith(bob, 'Hello Bob').waitFor();
    await entry.locator('.unread').waitFor({ state: 'detached' });
    await messageWith(alice, 'Hello Bob').and(alice.locator('[data-state="displayed"]')).waitFor();
    assert.equal(await messageWith(alice, 'Hello Bob').locator('.state').textContent(), 'Read');

    await sendText(bob, 'Yes! 12:30 at the usual place.');
    await messageWith(alice, '12:30 at the usual place').waitFor();
    await screenshot(alice, 'web-chat-desktop');
    await messageWith(bob, '12:30').and(bob.locator('[data-state="displayed"]')).waitFor();
    await screenshot(bob, 'web-chat-conversation');
  });

  test('a message to an account that does not exist shows Not sent, with the reason', async () => {
    await startChat(alice, `nobody@${DOMAIN}`);
    await sendText(alice, 'Anyone there?');
    const sent = messageWith(alice, 'Anyone there?');
    await sent.and(alice.locator('[data-state="failed"]')).waitFor();
    assert.equal(await sent.locator('.state').textContent(), 'Not sent');
    assert.notEqual(await sent.locator('.state').getAttribute('title'), null);
    await conversationEntry(alice, BOB).click();
  });

  test('a SIP device talks to a person in the browser, and the answer reaches the SIP device', async () => {
    const answer = await carolSip.message({
      to: 'bob',
      contentType: 'message/cpim',
      body: cpim(CAROL, BOB, 'carol-1', 'Hi from my desk phone'),
    });
    assert.ok(answer.status >= 200 && answer.status < 300, String(answer.status));
    await bob.getByRole('button', { name: 'Back to conversations' }).click();
    await conversationEntry(bob, CAROL).locator('.unread', { hasText: '1' }).waitFor();
    await conversationEntry(bob, CAROL).click();
    await messageWith(bob, 'Hi from my desk phone').waitFor();
    await sendText(bob, 'Hello Carol');
    const received = await waitFor(
      () => carolSip.received.find((request) => request.body.toString('utf8').includes('Hello Carol')),
      'the answer at the SIP device',
      { timeoutMs: UI_TIMEOUT_MS },
    );
    assert.match(received.body.toString('utf8'), /From: <sip:bob@example\.test>/);
    // The phone was told the message was displayed (an IMDN for carol-1).
    await waitFor(
      () =>
        carolSip.received.find((request) => /carol-1[\s\S]*displayed/.test(request.body.toString('utf8'))),
      'the displayed notification at the SIP device',
      { timeoutMs: UI_TIMEOUT_MS },
    );
  });

  test('a long conversation: the last 50 messages, 50 more each time it is scrolled to the top (Home)', async () => {
    await bob.getByRole('button', { name: 'Back to conversations' }).click();
    for (let line = 1; line <= 120; line++) {
      const body = cpim(CAROL, BOB, `line-${String(line)}`, `Line ${String(line)}`);
      const answer = await carolSip.message({ to: 'bob', contentType: 'message/cpim', body });
      assert.ok(answer.status >= 200 && answer.status < 300, String(answer.status));
    }
    const entry = conversationEntry(bob, CAROL).filter({ hasText: 'Line 120' });
    await entry.locator('.unread', { hasText: '120' }).waitFor();
    await entry.click();
    const shown = bob.locator('.messages .message');
    await messageWith(bob, 'Line 120').waitFor();
    assert.equal(await shown.count(), 50);
    await bob.locator('.older').waitFor();
    await bob.locator('.messages').press('Home');
    await waitFor(async () => (await shown.count()) === 100, '100 messages shown', {
      timeoutMs: UI_TIMEOUT_MS,
    });
    await bob.locator('.messages').press('Home');
    await messageWith(bob, 'Hi from my desk phone').waitFor();
    assert.equal(await shown.count(), 122);
    await bob.locator('.older').waitFor({ state: 'detached' });
    // Every one of them was read: the phone got a displayed notification for the last.
    await waitFor(
      () =>
        carolSip.received.find((request) => /line-120[\s\S]*displayed/.test(request.body.toString('utf8'))),
      'the displayed notification of the last line',
      { timeoutMs: UI_TIMEOUT_MS },
    );
  });

  test('a second tab of the same account follows along: unread state, a deleted message, a deleted conversation', async () => {
    // Alice's first tab opens another conversation, so that a new message from Bob stays unread there.
    await startChat(alice, CAROL);
    const second = await aliceContext.newPage();
    await second.goto(`${origin}/chat/`);
    // Stay signed in: the second tab signs in by itself and has the history.
    await conversationEntry(second, BOB).filter({ hasText: '12:30' }).waitFor();

    await bob.getByRole('button', { name: 'Back to conversations' }).click();
    await conversationEntry(bob, ALICE).click();
    await sendText(bob, 'Are you there?');
    await conversationEntry(alice, BOB).locator('.unread', { hasText: '1' }).waitFor();
    await conversationEntry(second, BOB).locator('.unread', { hasText: '1' }).waitFor();
    await conversationEntry(second, BOB).click();
    await conversationEntry(alice, BOB).locator('.unread').waitFor({ state: 'detached' });

    await messageWith(second, 'Are you there?').getByRole('button', { name: 'Delete' }).click();
    await conversationEntry(alice, BOB).click();
    await messageWith(alice, '12:30').waitFor();
    await messageWith(alice, 'Are you there?').waitFor({ state: 'detached' });

    // Unsending one's own message removes it at the other side too.
    await sendText(second, 'Oops, wrong chat');
    await messageWith(bob, 'Oops, wrong chat').waitFor();
    await messageWith(alice, 'Oops, wrong chat').getByRole('button', { name: 'Delete for everyone' }).click();
    await messageWith(bob, 'Oops, wrong chat').waitFor({ state: 'detached' });
    await messageWith(second, 'Oops, wrong chat').waitFor({ state: 'detached' });
    await second.close();
  });

  test('after a reload the page catches up with what arrived meanwhile', async () => {
    await alice.close();
    await sendText(bob, 'Sent while you were away');
    await messageWith(bob, 'while you were away').and(bob.locator('[data-state="accepted"]')).waitFor();
    // Nobody of Alice's is online to say it was delivered: it stays accepted until she reads it.
    alice = await aliceContext.newPage();
    await alice.goto(`${origin}/chat/`);
    await conversationEntry(alice, BOB)
      .filter({ hasText: 'Sent while you were away' })
      .locator('.unread', { hasText: '1' })
      .waitFor();
    await conversationEntry(alice, BOB).click();
    await messageWith(alice, 'Hello Bob').waitFor();
    await messageWith(bob, 'while you were away').and(bob.locator('[data-state="displayed"]')).waitFor();
  });

  test('a restart of missive: the pages reconnect by themselves, keep the open conversation and go on', async () => {
    await messageWith(alice, 'while you were away').waitFor();
    const { dataDir, ports } = missive;
    await missive.shutdown();
    await alice.locator('#app.offline').waitFor();
    missive = peers.add(
      await MissiveProcess.start({
        domain: DOMAIN,
        users: [],
        dataDir,
        ports,
      }),
    );
    await alice.locator('#app:not(.offline) .chat').waitFor();
    await alice.locator('#conversation-title', { hasText: BOB }).waitFor();
    await bob.locator('#app:not(.offline) .chat').waitFor();
    await bob.locator('#conversation-title', { hasText: ALICE }).waitFor();
    await sendText(bob, 'Back after the restart');
    await messageWith(alice, 'Back after the restart').waitFor();
    await messageWith(alice, 'Hello Bob').waitFor();
  });

  test('deleting a conversation; only who asked stays signed in (the HA1, not the password); signing out forgets it', async () => {
    const second = await aliceContext.newPage();
    await second.goto(`${origin}/chat/`);
    await conversationEntry(second, BOB).waitFor();
    const remove = alice.getByRole('button', { name: /Delete conversation|Delete for good/ });
    await remove.click();
    await remove.click();
    await conversationEntry(alice, BOB).waitFor({ state: 'detached' });
    await conversationEntry(second, BOB).waitFor({ state: 'detached' });
    await second.close();
    // Stay signed in kept the HA1, never the password; Bob did not ask, so nothing is kept for him.
    const kept = String(await alice.evaluate('JSON.stringify(localStorage)'));
    const stored = JSON.parse(kept) as Record<string, string>;
    assert.deepEqual(JSON.parse(stored['missive.chat.login'] ?? 'null'), {
      account: ALICE,
      ha1: md5(`alice:${DOMAIN}:${PASSWORD}`),
    });
    assert.doesNotMatch(kept, new RegExp(PASSWORD));
    assert.equal(Number(await bob.evaluate('localStorage.length')), 0);
    await bob.reload();
    await bob.getByLabel('Account').waitFor();
    await alice.getByRole('button', { name: 'Sign out' }).click();
    await alice.getByLabel('Account').waitFor();
    assert.equal(Number(await alice.evaluate('localStorage.length')), 0);
    await alice.reload();
    await alice.getByLabel('Account').waitFor();
  });

  test('the banner names the web chat; --no-web-client turns it off', async () => {
    assert.match(missive.output, new RegExp(`Web chat on http://[^ ]+:${String(missive.ports.ws)}/chat/`));
    const without = await MissiveProcess.start({
      domain: DOMAIN,
      users: [],
      args: ['--no-web-client'],
    });
    try {
      const base = `http://${LOOPBACK}:${String(without.ports.ws)}`;
      assert.equal((await fetch(`${base}/chat/`)).status, 404);
      assert.equal((await fetch(`${base}/health`)).status, 200);
      assert.doesNotMatch(without.output, /Web chat on/);
    } finally {
      await without.stop();
    }
  });

  test('no page asked anything of any other server, and nothing broke the Content-Security-Policy', () => {
    const ws = `ws://${LOOPBACK}:${String(missive.ports.ws)}/`;
    const elsewhere = browser.requests.filter((url) => !url.startsWith(`${origin}/`) && !url.startsWith(ws));
    assert.deepEqual(elsewhere, []);
    assert.ok(browser.requests.some((url) => url.startsWith(`${ws}webrtcgateway/ws`)));
    assert.deepEqual(browser.cspViolations, []);
  });
});
