/**
 * Summarises a V8 .cpuprofile (node --cpu-prof): self time per function and per file, and inclusive
 * (self + callees) time of missive's own functions, in percent of the busy (non-idle) samples.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

function shortUrl(url: string): string {
  const dist = url.indexOf('/dist/');
  if (dist !== -1) return url.slice(dist + 1);
  return url.replace(/^file:\/\//, '') || '(native)';
}

function functionKey(node: ProfileNode): string {
  const frame = node.callFrame;
  const name = frame.functionName === '' ? '(anonymous)' : frame.functionName;
  return frame.url === '' ? `${name} (native)` : `${name} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
}

const IDLE = new Set(['(idle)', '(program)']);

/** Markdown lines: top functions by self time, top files by self time, top own functions inclusive. */
export function summariseProfile(file: string, limit: number): string[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const self = new Map<string, number>();
  const files = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  profile.samples.forEach((id, i) => {
    const node = nodes.get(id);
    const delta = profile.timeDeltas[i] ?? 0;
    if (node === undefined) return;
    if (IDLE.has(node.callFrame.functionName)) {
      idle += delta;
      return;
    }
    busy += delta;
    const key = functionKey(node);
    self.set(key, (self.get(key) ?? 0) + delta);
    const where = shortUrl(node.callFrame.url);
    files.set(where, (files.get(where) ?? 0) + delta);
    const seen = new Set<string>();
    for (
      let at: number | undefined = id, depth = 0;
      at !== undefined && depth < 500;
      at = parents.get(at), depth++
    ) {
      const frame = nodes.get(at);
      if (frame === undefined || !frame.callFrame.url.includes('/dist/src/')) continue;
      const own = functionKey(frame);
      if (seen.has(own)) continue;
      seen.add(own);
      inclusive.set(own, (inclusive.get(own) ?? 0) + delta);
    }
  });
  const top = (map: Map<string, number>): string[] =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([key, value]) => `| ${((100 * value) / Math.max(1, busy)).toFixed(1)}% | \`${key}\` |`);
  const busyShare = ((100 * busy) / Math.max(1, busy + idle)).toFixed(0);
  return [
    `Busy samples: ${busyShare}% of the profile (the rest idle). Percentages below are of the busy time; dist/src/*.js maps line for line to src/*.ts via source maps (function names match).`,
    '',
    '| self | function |',
    '|---:|---|',
    ...top(self),
    '',
    '| inclusive | missive function (self + callees) |',
    '|---:|---|',
    ...top(inclusive),
    '',
    '| self | file |',
    '|---:|---|',
    ...top(files).slice(0, 12),
  ];
}
