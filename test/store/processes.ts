/** Runs Node (on this repository's code when asked) as a separate process, with every wait bounded. */
import { spawn } from 'node:child_process';
import { nodeProgram, REPO_ROOT } from '../support/node-program.js';
import { PROCESS_START_MS } from '../support/wait.js';

export interface ProcessResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly input?: string;
  readonly cwd?: string;
  readonly timeoutMs?: number;
  /** Called with each chunk of stdout, and the process's stdin, for conversations. */
  readonly onStdout?: (chunk: string, stdin: NodeJS.WritableStream) => void;
}

/** `node <args>`; rejects if it has not exited within the timeout (it is then killed). */
export function runNode(args: readonly string[], options: RunOptions = {}): Promise<ProcessResult> {
  const child = spawn(process.execPath, args, {
    cwd: options.cwd ?? REPO_ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    options.onStdout?.(chunk, child.stdin);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  child.stdin.on('error', () => undefined); // a child that exits without reading its input
  if (options.onStdout === undefined) child.stdin.end(options.input ?? '');
  const timeoutMs = options.timeoutMs ?? PROCESS_START_MS;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`node ${args.join(' ')}: still running after ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** A TypeScript file of this repository (a path from its root), run as test/support/node-program.ts says. */
export function runTypeScript(
  file: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<ProcessResult> {
  return runNode([...nodeProgram(file), ...args], options);
}
