/**
 * The web chat served by missive (issue 17): sign in, then the chat view over one sylkRTC WebSocket. A
 * connection that drops is opened again (every few seconds while the server cannot be reached) and syncs
 * the journal anew; a sign-in refused then (the password changed) goes back to the sign-in form.
 */
import { ChatSession, UNREACHABLE } from './chat-session.js';
import { ChatView } from './chat-view.js';
import { forgetLogin, loadLogin, type SavedLogin, saveLogin } from './saved-login.js';
import { signInView } from './sign-in-view.js';

const RECONNECT_MS = 3000;

class ChatApp {
  readonly #root: HTMLElement;
  #session: ChatSession | undefined;
  #view: ChatView | undefined;
  #signedOut = false;

  constructor(root: HTMLElement) {
    this.#root = root;
  }

  start(): void {
    const saved = loadLogin();
    if (saved === undefined) this.#showSignIn();
    else
      void this.#signIn(saved).then((failure) => {
        if (failure !== undefined) {
          forgetLogin();
          this.#showSignIn(failure);
        }
      });
  }

  #showSignIn(message = ''): void {
    document.title = 'Sign in · missive chat';
    this.#root.replaceChildren(
      signInView(async ({ account, ha1, staySignedIn }) => {
        const failure = await this.#signIn({ account, ha1 });
        if (failure === undefined && staySignedIn) saveLogin({ account, ha1 });
        return failure;
      }, message),
    );
  }

  /** undefined: signed in; else why not. `reopen`: the conversation to open again after a reconnect. */
  async #signIn(login: SavedLogin, reopen?: string): Promise<string | undefined> {
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/webrtcgateway/ws`;
    const result = await ChatSession.signIn(url, login.account, login.ha1);
    if (!result.ok) return result.reason;
    this.#signedOut = false;
    const session = result.session;
    this.#session = session;
    const view = new ChatView(session, () => {
      this.#signOut();
    });
    session.onChange = () => {
      view.render();
    };
    session.onIncoming = (message) => {
      view.announce(message);
      if (message.contact === view.openContact) view.markReadIfSeen();
    };
    session.onClose = () => {
      if (!this.#signedOut) this.#reconnect(login, view.openContact);
    };
    document.title = `${login.account} · missive chat`;
    this.#view?.dispose();
    this.#view = view;
    this.#root.replaceChildren(view.root);
    await session.catchUp();
    void session.startEncryption();
    void session.fetchNames();
    if (reopen !== undefined) {
      session.model.open(reopen);
      view.open(reopen);
    }
    return undefined;
  }

  #reconnect(login: SavedLogin, reopen: string | undefined): void {
    this.#root.classList.add('offline');
    setTimeout(() => {
      if (this.#signedOut) return;
      void this.#signIn(login, reopen).then((failure) => {
        if (failure === undefined) this.#root.classList.remove('offline');
        else if (failure === UNREACHABLE) this.#reconnect(login, reopen);
        else {
          this.#root.classList.remove('offline');
          forgetLogin();
          this.#showSignIn(failure);
        }
      });
    }, RECONNECT_MS);
  }

  #signOut(): void {
    this.#signedOut = true;
    forgetLogin();
    this.#session?.close();
    this.#session = undefined;
    this.#view?.dispose();
    this.#view = undefined;
    this.#showSignIn();
  }
}

const root = document.getElementById('app');
if (root !== null) new ChatApp(root).start();
