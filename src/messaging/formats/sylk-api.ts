/**
 * Bodies of the SIP "API" content types (sylk spec §2.4). api-token and pgp-key-lookup have none worth reading;
 * message-remove carries the message id as its whole body; conversation-read and conversation-remove carry
 * JSON. Contacts are checked and reduced to AORs here, so that no malformed contact reaches the journal
 * (sylk spec §8.10).
 */
import { addressWithoutScheme } from './aor.js';
import { parseJsonObject } from './json-body.js';
import { fail, ok, type Result } from './result.js';
import type { Timestamp } from './timestamp.js';
import { parseTimestamp } from './timestamp-parse.js';

export interface MessageRemoveBody {
  readonly messageId: string;
}

export interface ConversationReadBody {
  /** AOR. */
  readonly contact: string;
}

export interface ConversationRemoveBody {
  /** AOR. */
  readonly contact: string;
  /** Undefined when the body has none: the caller uses now. */
  readonly timestamp: Timestamp | undefined;
}

function malformed(reason: string): Result<never> {
  return fail('malformed-api-body', reason);
}

function contactOf(value: unknown): Result<string> {
  if (typeof value !== 'string') return malformed('contact must be a string');
  const aor = addressWithoutScheme(value);
  return aor === undefined ? malformed('contact is not a SIP address') : ok(aor);
}

/** application/sylk-api-message-remove: the whole body is the id of the message to remove. */
export function parseMessageRemoveBody(content: string): Result<MessageRemoveBody> {
  return content === '' ? malformed('empty message id') : ok({ messageId: content });
}

/** application/sylk-api-conversation-read: `{"contact": "<AOR>"}`. */
export function parseConversationReadBody(content: string): Result<ConversationReadBody> {
  const json = parseJsonObject(content);
  if (json === undefined) return malformed('body is not a JSON object');
  const contact = contactOf(json.contact);
  return contact.ok ? ok({ contact: contact.value }) : contact;
}

/** application/sylk-api-conversation-remove: `{"contact": "<AOR>", "timestamp"?: "<ISO-8601>"}`. */
export function parseConversationRemoveBody(content: string): Result<ConversationRemoveBody> {
  const json = parseJsonObject(content);
  if (json === undefined) return malformed('body is not a JSON object');
  const contact = contactOf(json.contact);
  if (!contact.ok) return contact;
  if (json.timestamp === undefined) return ok({ contact: contact.value, timestamp: undefined });
  const timestamp = typeof json.timestamp === 'string' ? parseTimestamp(json.timestamp) : undefined;
  if (timestamp === undefined) return malformed('timestamp is not an ISO-8601 date-time');
  return ok({ contact: contact.value, timestamp });
}
