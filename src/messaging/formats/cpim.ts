/**
 * CPIM messages (RFC 3862, message/cpim) as python3-sipsimple's CPIMPayload models them: the standard
 * headers in typed fields, every other header with its namespace, and the inner MIME part's content type,
 * charset and content. Parsing is in cpim-parse.ts, building in cpim-build.ts.
 */
import type { CpimIdentity } from './cpim-identity.js';
import type { Timestamp } from './timestamp.js';

export const CPIM_CONTENT_TYPE = 'message/cpim';
/** The namespace of unprefixed headers (RFC 3862 §3.1). */
export const CPIM_STANDARD_NAMESPACE = 'urn:ietf:params:cpim-headers:';
/** RFC 5438 §7.1: Message-ID and Disposition-Notification live here, usually with prefix "imdn". */
export const IMDN_NAMESPACE = 'urn:ietf:params:imdn';

export interface CpimNamespace {
  /** "" for the default (standard) namespace. */
  readonly prefix: string;
  readonly uri: string;
}

export const STANDARD_NAMESPACE: CpimNamespace = { prefix: '', uri: CPIM_STANDARD_NAMESPACE };
export const IMDN_NS: CpimNamespace = { prefix: 'imdn', uri: IMDN_NAMESPACE };

/** A header that is not one of the standard ones (e.g. imdn.Message-ID). */
export interface CpimHeader {
  readonly name: string;
  readonly namespace: CpimNamespace;
  readonly value: string;
}

/** Subject with its translations (sipsimple's MultilingualText). */
export interface CpimSubject {
  /** The Subject without ;lang=, else the English translation, else "". */
  readonly text: string;
  /** By language tag. */
  readonly translations: ReadonlyMap<string, string>;
}

export interface CpimMessage {
  readonly sender: CpimIdentity | undefined;
  readonly recipients: readonly CpimIdentity[];
  readonly courtesyRecipients: readonly CpimIdentity[];
  readonly subject: CpimSubject | undefined;
  readonly timestamp: Timestamp | undefined;
  readonly required: readonly string[];
  readonly additionalHeaders: readonly CpimHeader[];
  /** Lower-cased `type/subtype` of the MIME part; `text/plain` when it has none. */
  readonly contentType: string;
  readonly charset: string | undefined;
  /** The MIME part's own header fields. */
  readonly mimeHeaders: readonly (readonly [name: string, value: string])[];
  readonly content: string;
}

/** The value of the first additional header called `name`, whatever its namespace (as SylkServer looks). */
export function cpimHeaderValue(message: CpimMessage, name: string): string | undefined {
  return message.additionalHeaders.find((header) => header.name === name)?.value;
}
