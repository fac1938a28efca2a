/**
 * Puts a benchmark's generated section into BENCHMARKS.md: a section begins with its start marker line and
 * ends with its end marker line (`<!-- NAME-bench:start -->` … `<!-- NAME-bench:end -->`), and replaces what
 * stands between those markers in the file, or is appended when the file has none yet. Every bench writes
 * through here, so the hand-written text around the generated tables survives a re-run.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export function writeBenchmarkSection(file: string, section: string): void {
  const lines = section.trimEnd().split('\n');
  const startMarker = lines[0] ?? '';
  const endMarker = lines.at(-1) ?? '';
  if (!startMarker.startsWith('<!--') || !endMarker.startsWith('<!--'))
    throw new Error('a benchmark section begins and ends with its marker lines');
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const start = current.indexOf(startMarker);
  const end = current.indexOf(endMarker);
  writeFileSync(
    file,
    start !== -1 && end > start
      ? current.slice(0, start) + section + current.slice(end + endMarker.length)
      : `${current.trimEnd()}\n\n${section}\n`,
  );
}
