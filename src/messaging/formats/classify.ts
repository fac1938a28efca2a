/**
 * What a parsed MESSAGE asks of the messaging application (sylk spec §2.3), decided on its (inner) content type,
 * with the bodies that carry data parsed into typed values. The first five kinds are the SIP API requests
 * (sylk spec §2.4); the rest say how an ordinary message is stored and delivered (sylk spec §2.5, §2.6). Whether a sender copy
 * is kept (X-Sylk-From-Sip) is the caller's decision, not a property of the content.
 */
import * as types from './content-types.js';
import { FILE_TRANSFER_CONTENT_TYPE, type FileTransferMessage, parseFileTransfer } from './file-transfer.js';
import { IMDN_CONTENT_TYPE, type ImdnDocument } from './imdn.js';
import { parseImdn } from './imdn-parse.js';
import { type IsComposing, parseIsComposing } from './is-composing.js';
import type { ParsedMessage } from './parsed-message.js';
import { ok, type Result } from './result.js';
import {
  parseConversationReadBody,
  parseConversationRemoveBody,
  parseMessageRemoveBody,
} from './sylk-api.js';
import type { Timestamp } from './timestamp.js';

export type ClassifiedMessage =
  | { readonly kind: 'api-token' }
  | { readonly kind: 'pgp-key-lookup' }
  | { readonly kind: 'message-remove'; readonly messageId: string }
  | { readonly kind: 'conversation-read'; readonly contact: string }
  /** timestamp undefined: the request had none, use now. */
  | {
      readonly kind: 'conversation-remove';
      readonly contact: string;
      readonly timestamp: Timestamp | undefined;
    }
  | { readonly kind: 'imdn'; readonly imdn: ImdnDocument }
  /** Never stored; isComposing undefined when the document could not be read. */
  | { readonly kind: 'is-composing'; readonly isComposing: IsComposing | undefined }
  /** Stored as the sender's public key, not journaled. */
  | { readonly kind: 'pgp-public-key'; readonly key: string }
  /** Not journaled (only its id is recorded). */
  | { readonly kind: 'pgp-private-key' }
  | { readonly kind: 'file-transfer'; readonly transfer: FileTransferMessage }
  | { readonly kind: 'message' };

export type MessageKind = ClassifiedMessage['kind'];

/** The SIP API kinds, answered by the server instead of stored (sylk spec §2.4). */
export function isApiRequest(kind: MessageKind): boolean {
  return (
    kind === 'api-token' ||
    kind === 'pgp-key-lookup' ||
    kind === 'message-remove' ||
    kind === 'conversation-read' ||
    kind === 'conversation-remove'
  );
}

/**
 * The kind of `message`, first match wins as in sylk spec §2.3. Malformed bodies of the API types, IMDN and
 * file-transfer messages are typed errors: the reference ignores (or crashes on) them, the caller drops.
 */
export function classifyMessage(
  message: Pick<ParsedMessage, 'contentType' | 'content'>,
): Result<ClassifiedMessage> {
  const { content } = message;
  switch (message.contentType) {
    case types.API_TOKEN:
      return ok({ kind: 'api-token' });
    case types.API_PGP_KEY_LOOKUP:
      return ok({ kind: 'pgp-key-lookup' });
    case types.API_MESSAGE_REMOVE: {
      const body = parseMessageRemoveBody(content);
      return body.ok ? ok({ kind: 'message-remove', messageId: body.value.messageId }) : body;
    }
    case types.API_CONVERSATION_READ: {
      const body = parseConversationReadBody(content);
      return body.ok ? ok({ kind: 'conversation-read', contact: body.value.contact }) : body;
    }
    case types.API_CONVERSATION_REMOVE: {
      const body = parseConversationRemoveBody(content);
      return body.ok ? ok({ kind: 'conversation-remove', ...body.value }) : body;
    }
    case IMDN_CONTENT_TYPE: {
      const imdn = parseImdn(content);
      return imdn.ok ? ok({ kind: 'imdn', imdn: imdn.value }) : imdn;
    }
    case types.IS_COMPOSING: {
      const document = parseIsComposing(content);
      return ok({ kind: 'is-composing', isComposing: document.ok ? document.value : undefined });
    }
    case types.PGP_PUBLIC_KEY:
      return ok({ kind: 'pgp-public-key', key: content });
    case types.PGP_PRIVATE_KEY:
      return ok({ kind: 'pgp-private-key' });
    case FILE_TRANSFER_CONTENT_TYPE: {
      const transfer = parseFileTransfer(content);
      return transfer.ok ? ok({ kind: 'file-transfer', transfer: transfer.value }) : transfer;
    }
    default:
      return ok({ kind: 'message' });
  }
}
