/**
 * The process's signals for a running server: SIGTERM and SIGINT stop it in order (missive-server.ts), then
 * the process exits 0, or 1 when stopping failed (logged with its stack).
 */
import type { MissiveServer } from './missive-server.js';

export function stopOnSignals(
  server: MissiveServer,
  exit: (code: number) => void = (code) => {
    process.exit(code);
  },
): void {
  const stop = (): void => {
    server.stop().then(
      () => {
        exit(0);
      },
      (error: unknown) => {
        server.logger.error({ err: error }, 'stopping failed');
        exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
