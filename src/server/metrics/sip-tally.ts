/**
 * The SIP traffic counts, kept as plain numbers on the hot path and handed to prom-client only when
 * /metrics is scraped. prom-client's `counter.labels(...).inc()` builds a label object and hashes it into a
 * string key on every call (a bound child too: its inc hashes again), which the profile of a MESSAGE
 * showed on the proxy path; an array slot costs an index. Methods are bounded (KNOWN_METHODS, else
 * `other`), status classes too, so every slot exists from the start.
 */
import type { Counter } from 'prom-client';

/** Methods counted by name; any other is `other` (a label per made-up method would grow without bound). */
export const KNOWN_METHODS: readonly string[] = [
  'ACK',
  'BYE',
  'CANCEL',
  'INFO',
  'INVITE',
  'MESSAGE',
  'NOTIFY',
  'OPTIONS',
  'PRACK',
  'PUBLISH',
  'REFER',
  'REGISTER',
  'SUBSCRIBE',
  'UPDATE',
];

const METHOD_LABELS = [...KNOWN_METHODS, 'other'];
const METHOD_INDEX: ReadonlyMap<string, number> = new Map(KNOWN_METHODS.map((method, i) => [method, i]));
const OTHER_METHOD = KNOWN_METHODS.length;

const CLASS_LABELS = ['1xx', '2xx', '3xx', '4xx', '5xx', '6xx', 'other'] as const;
const OTHER_CLASS = CLASS_LABELS.length - 1;

function methodIndex(method: string | undefined): number {
  return (method === undefined ? undefined : METHOD_INDEX.get(method)) ?? OTHER_METHOD;
}

function classIndex(status: number): number {
  const index = Math.floor(status / 100) - 1;
  return index >= 0 && index < OTHER_CLASS ? index : OTHER_CLASS;
}

/** Counts by method. */
export class MethodTally {
  readonly #counts = new Float64Array(METHOD_LABELS.length);

  add(method: string | undefined): void {
    const index = methodIndex(method);
    this.#counts[index] = (this.#counts[index] ?? 0) + 1;
  }

  /** Sets `counter` (label `method`) to the counts; a method never seen has no series, as before a first inc. */
  publish(counter: Counter<'method'>): void {
    counter.reset();
    this.#counts.forEach((count, i) => {
      if (count > 0) counter.labels(METHOD_LABELS[i] ?? 'other').inc(count);
    });
  }
}

/** Counts by method and status class. */
export class MethodClassTally {
  readonly #counts = new Float64Array(METHOD_LABELS.length * CLASS_LABELS.length);

  add(method: string | undefined, status: number): void {
    const index = methodIndex(method) * CLASS_LABELS.length + classIndex(status);
    this.#counts[index] = (this.#counts[index] ?? 0) + 1;
  }

  publish(counter: Counter<'method' | 'class'>): void {
    counter.reset();
    this.#counts.forEach((count, i) => {
      if (count === 0) return;
      const method = METHOD_LABELS[Math.floor(i / CLASS_LABELS.length)] ?? 'other';
      counter.labels(method, CLASS_LABELS[i % CLASS_LABELS.length] ?? 'other').inc(count);
    });
  }
}
