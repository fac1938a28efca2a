/**
 * Debian's chromium driven by playwright-core for the web chat's tests (no downloaded browser): a fresh
 * profile per launch (playwright makes a temporary one), every request any page makes recorded (the tests check that none leaves the
 * server), and the steps a person takes in the chat as functions.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import type { Cleanup } from '../interop/harness/cleanup.js';
import { MissiveProcess } from '../support/missive-process.js';
import { REPO_ROOT } from '../support/node-program.js';
import { LOOPBACK } from '../support/ports.js';

export const CHROMIUM = '/usr/bin/chromium';
/** Generous: CI runs on a loaded 2-core machine. */
export const UI_TIMEOUT_MS = 20_000;
export const DOMAIN = 'example.test';
/** Every account's password. */
export const PASSWORD = 'secret';
export const ALICE = `alice@${DOMAIN}`;
export const BOB = `bob@${DOMAIN}`;
export const CAROL = `carol@${DOMAIN}`;

/** `npm run build:web`, so that the server serves the current client. */
async function buildWebClient(): Promise<void> {
  await promisify(execFile)(process.execPath, ['scripts/build-web-client.mjs'], { cwd: REPO_ROOT });
}

export interface ChatServer {
  readonly missive: MissiveProcess;
  /** `http://host:port` of the web port; the chat is at `${origin}/chat/`. */
  readonly origin: string;
  /** The sylkRTC WebSocket API, for a device of an account beside the browser. */
  readonly wsUrl: string;
  readonly browser: ChatBrowser;
}

/**
 * What each browser test starts with, every part added to `peers`: the current client built, `missive serve`
 * for DOMAIN with `users` (each with PASSWORD), and Chromium.
 */
export async function startChatServer(peers: Cleanup, users: readonly string[]): Promise<ChatServer> {
  await buildWebClient();
  const missive = peers.add(
    await MissiveProcess.start({ domain: DOMAIN, users: users.map((user) => [user, PASSWORD] as const) }),
  );
  const web = `${LOOPBACK}:${String(missive.ports.ws)}`;
  const browser = peers.add(await ChatBrowser.launch());
  return { missive, origin: `http://${web}`, wsUrl: `ws://${web}/webrtcgateway/ws`, browser };
}

export class ChatBrowser {
  /** Every URL a page asked for, in every context. */
  readonly requests: string[] = [];
  /** Console messages that report a Content-Security-Policy violation. */
  readonly cspViolations: string[] = [];

  private constructor(readonly browser: Browser) {}

  static async launch(): Promise<ChatBrowser> {
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        // No host name resolves but 127.0.0.1, where the pages are, so Chromium sends no DNS query: its
        // resolver binds each query's UDP socket to a random port anywhere in 1024–65535 on 0.0.0.0, where it
        // can take, for a moment, a port that a test beside it reserved for a peer (a sipp UAS failed with
        // EADDRINUSE that way in the soak; test/support/ports.ts).
        '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
      ],
    });
    return new ChatBrowser(browser);
  }

  /** A new context (its own localStorage: another person, or another device). */
  async context(viewport = { width: 1100, height: 720 }): Promise<BrowserContext> {
    const context = await this.browser.newContext({ viewport });
    context.setDefaultTimeout(UI_TIMEOUT_MS);
    context.on('request', (request) => this.requests.push(request.url()));
    context.on('page', (page) => {
      this.#watch(page);
    });
    return context;
  }

  #watch(page: Page): void {
    page.on('websocket', (socket) => this.requests.push(socket.url()));
    page.on('console', (message) => {
      if (message.text().includes('Content Security Policy')) this.cspViolations.push(message.text());
    });
  }

  async stop(): Promise<void> {
    await this.browser.close();
  }
}

export async function signIn(page: Page, account: string, password: string, stay = false): Promise<void> {
  await page.getByLabel('Account').fill(account);
  await page.getByLabel('Password').fill(password);
  if (stay) await page.getByLabel('Stay signed in on this device').check();
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** The conversation list's entry for `contact`. */
export function conversationEntry(page: Page, contact: string) {
  return page.locator(`.conversation-list [data-contact="${contact}"]`);
}

export async function startChat(page: Page, contact: string): Promise<void> {
  await page.getByLabel('New chat with').fill(contact);
  await page.getByRole('button', { name: 'Start' }).click();
  await page.locator('#conversation-title', { hasText: contact }).waitFor();
}

/** Types into the composer and presses Enter, as a person does. */
export async function sendText(page: Page, text: string): Promise<void> {
  const composer = page.getByLabel('Message', { exact: true });
  await composer.fill(text);
  await composer.press('Enter');
}

/** The message bubble whose text is `text`. */
export function messageWith(page: Page, text: string) {
  return page.locator('.messages .message', { has: page.locator('.text', { hasText: text }) });
}
