/**
 * The IMAP message engine: FETCH data, SEARCH, SORT and THREAD over a mailbox's messages, without sockets or the
 * store. The server passes {@link MessageRecord}s and a {@link MessageSource} (wrap it in {@link cachedSource}).
 */
export { localZoneOffset, UnknownCteError, type MessageRecord, type MessageSource, type ParsedMessage, type ZoneOffset } from './types.js';
export { cachedSource, parsedMessage } from './cache.js';
export { fetchMarksSeen, fetchMessage, fetchNeedsBody, type FetchOptions } from './fetch.js';
export { SEARCH_CHARSETS, searchMessages, type SearchContext, type SearchIndex } from './search.js';
export { baseSubject, sortMessages, threadMessages } from './sort-thread.js';
export { envelopeOf } from './envelope.js';
export { bodyStructureOf } from './body-structure.js';
