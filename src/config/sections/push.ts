/** The [Push] settings of `missive serve` (see serve-settings.ts): how sleeping devices are woken. */
import { httpUrl, optional } from '../setting-values.js';
import { setting } from './setting-spec.js';

export const PUSH_SETTINGS = {
  pushUrl: setting({
    section: 'Push',
    kind: optional(httpUrl),
    default: undefined,
    help: "the push server's URL (SylkServer's sylk_push_url)",
    notUsedYet: true,
  }),
} as const;
