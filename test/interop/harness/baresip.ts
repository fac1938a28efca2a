/**
 * baresip (Debian baresip-core) as an independent SIP user agent, the one real peer here that does TLS.
 * Note: baresip 1.0 loads `sip_cafile` but does not reject a server certificate outside it (it registered
 * with an unrelated CA file), so a test of certificate checking needs another client. Driven through its stdio module: commands
 * are written to stdin (`/message <text>` goes to the current contact, the only entry of the contacts
 * file), results are read from stdout with the SIP trace on (-s). No audio modules are loaded.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  parseReceivedMessages,
  parseTracedResponses,
  type ReceivedMessage,
  registered,
} from './baresip-output.js';
import { Child } from './child.js';
import { makeWorkDir, removeWorkDir } from './paths.js';
import { LOOPBACK } from '../../support/ports.js';
import { TOOL_PATHS } from './tools.js';
import { PROCESS_START_MS } from '../../support/wait.js';

export interface BaresipOptions {
  /**
   * One line of baresip's accounts file, e.g.
   * `<sip:alice@example.test;transport=tls>;auth_pass=secret;outbound="sip:127.0.0.1:5081;transport=tls"`.
   */
  readonly account: string;
  /** sip_cafile: the CA (or self-signed certificate) the server's TLS certificate must chain to. */
  readonly caFile?: string;
  /** sip_certificate: PEM with certificate and key, for accepting TLS connections itself. */
  readonly certificateFile?: string;
  /** Where `/message` sends: the only entry of the contacts file, e.g. `sip:bob@example.test`. */
  readonly contact?: string;
  /** Resolve start() only after the account registered (default true). */
  readonly waitRegistered?: boolean;
  readonly startTimeoutMs?: number;
  readonly configDir?: string;
}

const MAX_OUTPUT = 1 << 20;

export class BaresipProcess {
  #out = '';
  readonly #waiters = new Set<() => void>();
  readonly #child: Child;
  readonly #ownsConfigDir: boolean;

  private constructor(
    child: Child,
    readonly configDir: string,
    ownsConfigDir: boolean,
  ) {
    this.#child = child;
    this.#ownsConfigDir = ownsConfigDir;
    const onData = (chunk: Buffer): void => {
      this.#out = (this.#out + chunk.toString('utf8')).slice(-MAX_OUTPUT);
      for (const wake of this.#waiters) wake();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void child.exited.then(() => {
      for (const wake of this.#waiters) wake();
    });
  }

  static async start(options: BaresipOptions): Promise<BaresipProcess> {
    const dir = options.configDir ?? makeWorkDir('baresip');
    const config = [
      'poll_method epoll',
      `sip_listen ${LOOPBACK}:0`,
      ...(options.caFile === undefined ? [] : [`sip_cafile ${options.caFile}`]),
      ...(options.certificateFile === undefined ? [] : [`sip_certificate ${options.certificateFile}`]),
      'module_path /usr/lib/baresip/modules',
      'module stdio.so',
      'module_tmp account.so',
      'module_app contact.so',
      'module_app menu.so',
    ];
    writeFileSync(join(dir, 'config'), `${config.join('\n')}\n`);
    writeFileSync(join(dir, 'accounts'), `${options.account}\n`);
    writeFileSync(
      join(dir, 'contacts'),
      options.contact === undefined ? '' : `"peer" <${options.contact}>\n`,
    );
    const child = Child.spawn(TOOL_PATHS.baresip, ['-s', '-f', dir], { cwd: dir, stdin: true });
    const baresip = new BaresipProcess(child, dir, options.configDir === undefined);
    if (options.waitRegistered !== false) {
      try {
        await baresip.#waitFor(
          () => registered(baresip.#out),
          options.startTimeoutMs ?? PROCESS_START_MS,
          'registration',
        );
      } catch (error) {
        await baresip.stop();
        throw error;
      }
    }
    return baresip;
  }

  get pid(): number {
    return this.#child.pid;
  }

  output(): string {
    return this.#out;
  }

  isRegistered(): boolean {
    return registered(this.#out);
  }

  /** MESSAGEs received so far. */
  messages(): ReceivedMessage[] {
    return parseReceivedMessages(this.#out);
  }

  /** Sends `/message <text>` to the contact and resolves with the final status (a 401/407 is retried by baresip). */
  async sendMessage(text: string, timeoutMs = 10_000): Promise<number> {
    const before = parseTracedResponses(this.#out).length;
    this.command(`/message ${text}`);
    let status: number | undefined;
    await this.#waitFor(
      () => {
        const final = parseTracedResponses(this.#out)
          .slice(before)
          .find((r) => r.method === 'MESSAGE' && r.status >= 200 && r.status !== 401 && r.status !== 407);
        status = final?.status;
        return final !== undefined;
      },
      timeoutMs,
      `a final response to "/message ${text}"`,
    );
    return status ?? 0;
  }

  /** Resolves with the first received MESSAGE whose text is `text`. */
  async waitForMessage(text: string, timeoutMs = 10_000): Promise<ReceivedMessage> {
    let found: ReceivedMessage | undefined;
    await this.#waitFor(
      () => {
        found = this.messages().find((m) => m.text === text);
        return found !== undefined;
      },
      timeoutMs,
      `the MESSAGE "${text}"`,
    );
    if (found === undefined) throw new Error('unreachable');
    return found;
  }

  /** Writes one command line to baresip's stdin (the stdio module reads it as typed keys). */
  command(line: string): void {
    this.#child.stdin?.write(`${line}\n`);
  }

  /** `q` (unregister and quit), then SIGTERM and SIGKILL if it lingers. */
  async stop(): Promise<void> {
    if (this.#child.running) {
      this.#child.stdin?.write('q');
      if ((await this.#child.waitExit(3000)) === undefined) await this.#child.stop('SIGTERM', 2000);
    }
    this.#child.stdin?.destroy();
    await this.#child.stop('SIGKILL', 1000);
    if (this.#ownsConfigDir) removeWorkDir(this.configDir);
  }

  #waitFor(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (done()) {
          finish();
          resolve();
        } else if (!this.#child.running) {
          finish();
          reject(new Error(`baresip exited while waiting for ${what}:\n${this.#out.slice(-3000)}`));
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`baresip: no ${what} after ${timeoutMs} ms:\n${this.#out.slice(-3000)}`));
      }, timeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      this.#waiters.add(check);
      check();
    });
  }
}

export function startBaresip(options: BaresipOptions): Promise<BaresipProcess> {
  return BaresipProcess.start(options);
}
