/** The content types the messaging application acts on (sylk spec §2.3 to §2.7). */

/** SIP "API" requests (sylk spec §2.4), plain or CPIM-wrapped. */
export const API_TOKEN = 'application/sylk-api-token';
export const API_PGP_KEY_LOOKUP = 'application/sylk-api-pgp-key-lookup';
export const API_MESSAGE_REMOVE = 'application/sylk-api-message-remove';
export const API_CONVERSATION_READ = 'application/sylk-api-conversation-read';
export const API_CONVERSATION_REMOVE = 'application/sylk-api-conversation-remove';

/** Replication messages SylkServer sends to an account's own devices (sylk spec §2.7 rows C, D3 to D5). */
export const MESSAGE_REMOVE = 'application/sylk-message-remove';
export const CONVERSATION_READ = 'application/sylk-conversation-read';
export const CONVERSATION_REMOVE = 'application/sylk-conversation-remove';

export const IS_COMPOSING = 'application/im-iscomposing+xml';
export const PGP_PUBLIC_KEY = 'text/pgp-public-key';
export const PGP_PRIVATE_KEY = 'text/pgp-private-key';
/** What an incoming IMDN is journaled as (sylk spec §2.6 step 4): not the +xml type. */
export const IMDN_JOURNAL = 'message/imdn';

/** Types whose arrival pushes the recipient's devices (sylk spec §2.5.2 step 3). */
export const PUSH_CONTENT_TYPES: ReadonlySet<string> = new Set([
  'text/plain',
  'text/html',
  'application/sylk-file-transfer',
]);

/** Types never stored as the sender's outgoing copy (sylk spec §2.5.1). */
export const NOT_STORED_FOR_SENDER: ReadonlySet<string> = new Set([
  IS_COMPOSING,
  PGP_PUBLIC_KEY,
  'message/imdn+xml',
]);
