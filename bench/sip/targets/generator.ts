/** The baseline: the sipp UAC sends straight to the sipp UAS, no proxy: the generator's own ceiling. */
import { missingPeers } from '../../../test/interop/harness/tools.js';
import type { SipTarget } from './target.js';

export const generatorTarget: SipTarget = {
  name: 'generator',
  kind: 'baseline',
  problem: () => missingPeers(['sipp']),
  start: () => Promise.reject(new Error('the baseline has no proxy to start')),
};
