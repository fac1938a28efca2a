/**
 * The targets, in report order. Kamailio is the reference of the ratio columns; a new proxy is one more
 * SipTarget here (see missive.ts) or, ad hoc, `--extra-target 'name=command {port}'`.
 */
import type { ExtraTarget } from '../options.js';
import { startCommandTarget } from './command.js';
import { generatorTarget } from './generator.js';
import { kamailioTarget } from './kamailio.js';
import { missiveTarget } from './missive.js';
import type { SipTarget } from './target.js';

export const REFERENCE_TARGET = kamailioTarget.name;
export const BASELINE_TARGET = generatorTarget.name;

function extraTarget(extra: ExtraTarget): SipTarget {
  return {
    name: extra.name,
    kind: 'proxy',
    problem: () => undefined,
    start: (launch) => startCommandTarget({ name: extra.name, argv: extra.command }, launch),
  };
}

export function allTargets(extras: readonly ExtraTarget[]): SipTarget[] {
  return [kamailioTarget, missiveTarget, ...extras.map(extraTarget), generatorTarget];
}
