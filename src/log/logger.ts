/**
 * One pino logger per process. JSON lines on stdout when stdout is not a terminal (journald, a file, a
 * pipe) or when asked; on a terminal, pino-pretty's readable lines. pino-pretty runs as an in-process
 * stream, not a worker-thread transport: no thread to start, and a line is written before the process
 * can exit.
 */
import { pino, type Logger, type LevelWithSilent } from 'pino';
import { PinoPretty } from 'pino-pretty';

export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export function createLogger(
  level: LevelWithSilent,
  name = 'missive',
  format: LogFormat = 'auto',
  terminal: boolean = process.stdout.isTTY,
): Logger {
  const options = { name, level, base: { pid: process.pid } };
  const pretty = format === 'pretty' || (format === 'auto' && terminal);
  if (!pretty) return pino(options);
  return pino(
    options,
    PinoPretty({
      colorize: terminal,
      sync: true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid',
      // One line per event, as in the JSON log: the start-up lines stay readable above the banner.
      singleLine: true,
    }),
  );
}
