/** The [Storage] settings of `missive serve` (see serve-settings.ts): Storage */
import { optional, text } from '../setting-values.js';
import { setting } from './setting-spec.js';

export const STORAGE_SETTINGS = {
  store: setting({
    section: 'Storage',
    kind: optional(text('uri')),
    default: undefined,
    defaultText: '<data dir>/missive.db',
    help: 'sqlite:///path/file.db, postgresql://user@host/db or cassandra://host/keyspace',
  }),
} as const;
