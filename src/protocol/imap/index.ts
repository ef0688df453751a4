/**
 * The sans-I/O IMAP protocol layer (RFC 9051 IMAP4rev2 and RFC 3501 IMAP4rev1, with the extensions Outpost
 * offers): frame commands with {@link ImapCommandReader}, parse them with {@link parseCommand}, build responses
 * with the builders and {@link encodeResponseChunks}. No sockets, no store, no configuration.
 */
export { ImapSyntaxError, type ImapSyntaxErrorOptions, type SyntaxResponseCode } from './errors.js';
export { ImapCommandReader, type ImapReaderOptions, type NonSyncLiterals, type RawCommand, type RawPart, type ReaderEvent } from './reader.js';
export { parseCommand, parseCommandLine, type ParseOptions } from './parser.js';
export type { ImapCommand, ImapCommandBody, ImapCommandName } from './command-types.js';
export type { AppendArgs, AppendMessage } from './append.js';
export type { FetchItem, FetchModifiers, Partial, Section, SectionText } from './fetch-items.js';
export type { ListArgs, ListReturn, ListSelection } from './list.js';
export { SPECIAL_USE, type QresyncParams, type SelectArgs } from './mailbox-args.js';
export type { ModSeqEntry, SearchDateField, SearchDateOp, SearchKey, SearchProgram, SearchReturnOption } from './search.js';
export {
  compressNumbers,
  formatSequenceSet,
  sequenceSetFromText,
  sequenceSetIncludes,
  sequenceSetIntervals,
  type SeqNumber,
  type SeqRange,
  type SequenceSet,
} from './sequence.js';
export { SORT_KEYS, type SortArgs, type SortCriterion, type SortKey } from './sort-thread.js';
export { STATUS_ITEMS, type StatusItem } from './status.js';
export type { StoreArgs } from './store.js';
export { SYSTEM_FLAGS, canonicalFlag, type SystemFlag } from './flags.js';
export { MONTHS, dateTimeFromText, formatDate, formatDateTime, type ImapDate, type ImapDateTime } from './date-time.js';
export { decodeMailboxName, decodeModifiedUtf7, encodeMailboxName, encodeModifiedUtf7, normaliseInbox } from './mailbox-name.js';
export {
  NIL,
  astr,
  atom,
  encodeBuffer,
  encodeChunks,
  joinChunks,
  list,
  literal,
  nstr,
  num,
  raw,
  str,
  stringForm,
  type Chunk,
  type EncodeOptions,
  type ImapValue,
  type StreamedLiteral,
} from './encode.js';
export { ResponseCode, type ResponseCodeName } from './codes.js';
export {
  bad,
  continuation,
  data,
  encodeResponse,
  encodeResponseChunks,
  no,
  ok,
  sanitiseText,
  syntaxErrorResponse,
  untagged,
  type ImapResponse,
  type ResponseCodeValue,
  type StatusKind,
} from './response.js';
export {
  bodyStructureValue,
  envelopeValue,
  type BodyDisposition,
  type BodyFields,
  type BodyLanguage,
  type BodyParams,
  type BodyStructure,
  type CommonExtension,
  type Envelope,
  type EnvelopeAddress,
  type EnvelopeEntry,
  type EnvelopeGroup,
  type SinglePartExtension,
} from './body-structure.js';
export { FlagsLines, fetchResponse, formatSection, simpleFetchOctets, type FetchContent, type FetchResponseItem, type FlagsFetchItem } from './fetch-response.js';
export {
  capabilityResponse,
  enabledResponse,
  esearchResponse,
  existsResponse,
  expungeResponse,
  flagsResponse,
  idResponse,
  listResponse,
  mailboxValue,
  namespaceResponse,
  quotaResponse,
  quotaRootResponse,
  recentResponse,
  searchResponse,
  sortResponse,
  statusResponse,
  threadResponse,
  vanishedResponse,
  type EsearchResult,
  type ListEntry,
  type NameOptions,
  type Namespace,
  type QuotaResource,
  type ThreadNode,
} from './data-responses.js';
