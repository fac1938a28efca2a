/** One pino logger per process: JSON lines on stdout (journald picks them up under systemd). */
import { pino, type Logger, type LevelWithSilent } from 'pino';

export function createLogger(level: LevelWithSilent, name = 'missive'): Logger {
  return pino({ name, level, base: { pid: process.pid } });
}
