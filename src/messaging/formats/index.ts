/**
 * The message formats of the messaging application: pure functions from bytes to typed values and back
 * (CPIM, IMDN, RCS FT-HTTP, is-composing, the sylk content types, timestamps). No I/O, no clock: callers
 * pass "now" and limits in.
 */
export { accountOfUri, addressWithoutScheme, uriWithoutScheme } from './aor.js';
export {
  type BodyDecodingOptions,
  type DecodedBody,
  decodeBody,
  inflateBody,
  isDeflate,
} from './body-decoding.js';
export { type ClassifiedMessage, classifyMessage, isApiRequest, type MessageKind } from './classify.js';
export * from './content-types.js';
export {
  CPIM_CONTENT_TYPE,
  CPIM_STANDARD_NAMESPACE,
  type CpimHeader,
  cpimHeaderValue,
  type CpimMessage,
  type CpimNamespace,
  type CpimSubject,
  IMDN_NAMESPACE,
  IMDN_NS,
  STANDARD_NAMESPACE,
} from './cpim.js';
export {
  buildCpim,
  buildSylkCpim,
  type CpimIdentityInit,
  type CpimInit,
  type SylkCpimInit,
} from './cpim-build.js';
export { type CpimIdentity, formatCpimIdentity, parseCpimIdentity } from './cpim-identity.js';
export { parseCpim, parseCpimText } from './cpim-parse.js';
export {
  FILE_TRANSFER_CONTENT_TYPE,
  type FileTransferIdentity,
  type FileTransferMessage,
  type FtHttpConversion,
  fileTransferFromFtHttp,
  parseFileTransfer,
  serializeFileTransfer,
} from './file-transfer.js';
export {
  buildFtHttp,
  FT_HTTP_CONTENT_TYPE,
  FT_HTTP_EXT_NAMESPACE,
  FT_HTTP_NAMESPACE,
  type FtHttpDocument,
  type FtHttpFileInfo,
  type FtHttpFileInit,
  parseFtHttp,
} from './ft-http.js';
export {
  IMDN_CONTENT_TYPE,
  IMDN_STATUSES,
  IMDN_XML_NAMESPACE,
  type ImdnDocument,
  type ImdnNotification,
  type ImdnStatus,
  notificationFor,
} from './imdn.js';
export { buildImdn, type ImdnInit } from './imdn-build.js';
export { parseImdn } from './imdn-parse.js';
export { IS_COMPOSING_NAMESPACE, type IsComposing, parseIsComposing } from './is-composing.js';
export { type MimePart, parseMimePart } from './mime-part.js';
export {
  type MessageIdentity,
  type MessageParseOptions,
  type MessageParts,
  type ParsedMessage,
  parseMessageParts,
  parseMessageRequest,
} from './parsed-message.js';
export { type FormatError, type FormatErrorCode, type Result } from './result.js';
export {
  type ConversationReadBody,
  type ConversationRemoveBody,
  type MessageRemoveBody,
  parseConversationReadBody,
  parseConversationRemoveBody,
  parseMessageRemoveBody,
} from './sylk-api.js';
export {
  addDays,
  formatTimestamp,
  isValidTimestamp,
  localTimestamp,
  type Timestamp,
  timestampFromEpochMs,
  timestampToEpochMs,
} from './timestamp.js';
export { parseTimestamp } from './timestamp-parse.js';
export { DEFAULT_XML_LIMITS, parseXml, type XmlElement, type XmlLimits } from './xml-parse.js';
