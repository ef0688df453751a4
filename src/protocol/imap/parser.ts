/**
 * Parses one framed command (from reader.ts) into a typed {@link ImapCommand}.
 *
 * RFC 9051 §9 and RFC 3501 §9: command = tag SP (command-any / command-auth / command-nonauth / command-select)
 * CRLF; command names are case-insensitive; "UID" SP (copy / move / fetch / search / store / uid-expunge), plus
 * SORT and THREAD (RFC 5256). Extension syntax is listed in command-types.ts. Whether a command is allowed in the
 * session's state, or an extension enabled, is the server's business: this module knows grammar only.
 *
 * Contract: {@link parseCommand} returns a command or throws an {@link ImapSyntaxError} — never anything else,
 * on any input — carrying the tag when one could be read, so the server answers `tag BAD …` or `* BAD …`.
 */
import { parseAppendArgs } from './append.js';
import type { ImapCommand, ImapCommandBody } from './command-types.js';
import { ImapSyntaxError } from './errors.js';
import { parseFetchItems, parseFetchModifiers } from './fetch-items.js';
import { parseListArgs, parseLsubArgs } from './list.js';
import { parseCreateArgs, parseSelectArgs, parseSetQuotaArgs } from './mailbox-args.js';
import { parseMailbox } from './mailbox-name.js';
import type { RawCommand, RawPart } from './reader.js';
import { Scanner, decodeText } from './scanner.js';
import { parseSearchProgram, parseSearchReturn } from './search.js';
import { parseSequenceSet } from './sequence.js';
import { parseSortArgs, parseThreadArgs } from './sort-thread.js';
import { parseStatusArgs } from './status.js';
import { parseStoreArgs } from './store.js';
import { imapLimits } from '../../lib/limits.js';

export interface ParseOptions {
  /**
   * True once the session uses UTF-8 mailbox names: IMAP4rev2 enabled, or UTF8=ACCEPT (RFC 6855 §3). Otherwise
   * names are modified UTF-7 (RFC 3501 §5.1.3).
   */
  readonly utf8?: boolean;
}

/** RFC 9051 §9: tag = 1*<any ASTRING-CHAR except "+">. */
const TAG_CHAR = (c: number): boolean => c > 0x20 && c < 0x7f && !'(){%*"\\+'.includes(String.fromCharCode(c));
const HTTP_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);
/** RFC 4648 base64, or "=" for an empty initial response (RFC 4959 §3). */
const INITIAL_RESPONSE = /^(?:[A-Za-z0-9+/]+={0,2}|=)$/;

/** Parses a framed command. Throws {@link ImapSyntaxError} only. */
export function parseCommand(raw: RawCommand, options: ParseOptions = {}): ImapCommand {
  const s = new Scanner(raw.parts);
  try {
    return parse(s, options.utf8 ?? false);
  } catch (e) {
    if (e instanceof ImapSyntaxError) throw e.withTag(s.tag);
    // A bug in a parser must still not take the session down with another exception type.
    throw new ImapSyntaxError('internal', 'could not parse the command', { tag: s.tag });
  }
}

/** Convenience for tests and tools: a command line with no literals (no CRLF). */
export function parseCommandLine(line: string | Buffer, options?: ParseOptions): ImapCommand {
  const bytes = typeof line === 'string' ? Buffer.from(line, 'utf8') : line;
  const parts: RawPart[] = bytes.length === 0 ? [] : [{ kind: 'text', bytes }];
  return parseCommand({ tag: undefined, parts, octets: bytes.length + 2 }, options);
}

function parse(s: Scanner, utf8: boolean): ImapCommand {
  if (s.atEnd()) s.fail('empty command', 'empty');
  const tag = s.chars(TAG_CHAR, 'a tag');
  if (!s.at(' ')) s.fail(s.atEnd() ? 'missing command' : 'invalid tag', 'bad-tag');
  s.tag = tag;
  s.sp();
  const word = s.keyword('a command');
  if (HTTP_METHODS.has(tag.toUpperCase()) && word.startsWith('/'))
    throw new ImapSyntaxError('http-request', 'this is an IMAP server', { tag, closeConnection: true });
  const body = parseBody(s, word, utf8);
  s.end();
  return { tag, ...body } as ImapCommand;
}

function parseBody(s: Scanner, name: string, utf8: boolean): ImapCommandBody {
  switch (name) {
    case 'CAPABILITY':
    case 'NOOP':
    case 'LOGOUT':
    case 'STARTTLS':
    case 'CHECK':
    case 'CLOSE':
    case 'UNSELECT':
    case 'IDLE':
    case 'NAMESPACE':
      return { name };
    case 'EXPUNGE':
      return { name, uid: false };
    case 'AUTHENTICATE':
      return parseAuthenticate(s);
    case 'LOGIN': {
      s.sp();
      const username = decodeText(s.astring('a user name'));
      s.sp();
      return { name, username, password: decodeText(s.astring('a password')) };
    }
    case 'SELECT':
    case 'EXAMINE':
      return { name, ...parseSelectArgs(s, utf8) };
    case 'CREATE':
      return { name, ...parseCreateArgs(s, utf8) };
    case 'DELETE':
    case 'SUBSCRIBE':
    case 'UNSUBSCRIBE':
    case 'GETQUOTAROOT':
      s.sp();
      return { name, mailbox: parseMailbox(s, utf8) };
    case 'RENAME': {
      s.sp();
      const from = parseMailbox(s, utf8);
      s.sp();
      return { name, from, to: parseMailbox(s, utf8) };
    }
    case 'LIST':
      return { name, ...parseListArgs(s, utf8) };
    case 'LSUB':
      return { name, ...parseLsubArgs(s, utf8) };
    case 'STATUS':
      return { name, ...parseStatusArgs(s, utf8) };
    case 'APPEND':
      return { name, ...parseAppendArgs(s, utf8) };
    case 'UID':
      return parseUid(s, utf8);
    case 'SEARCH':
    case 'FETCH':
    case 'STORE':
    case 'COPY':
    case 'MOVE':
    case 'SORT':
    case 'THREAD':
      return parseSelected(s, name, false, utf8);
    case 'ENABLE':
      return parseEnable(s);
    case 'ID':
      return { name, parameters: parseId(s) };
    case 'GETQUOTA':
      s.sp();
      return { name, root: s.astringText('a quota root') };
    case 'SETQUOTA':
      return { name, ...parseSetQuotaArgs(s) };
    case 'COMPRESS':
      s.sp();
      return { name, algorithm: s.keyword('a compression algorithm') };
    default:
      s.fail(`unknown command ${name.slice(0, 40)}`, 'unknown-command');
  }
}

/** RFC 9051 §6.4.9: "UID" SP (copy / move / fetch / search / store / uid-expunge); RFC 5256 adds SORT, THREAD. */
function parseUid(s: Scanner, utf8: boolean): ImapCommandBody {
  s.sp();
  const name = s.keyword('a command');
  switch (name) {
    case 'EXPUNGE':
      s.sp();
      return { name, uid: true, uids: parseSequenceSet(s) };
    case 'SEARCH':
    case 'FETCH':
    case 'STORE':
    case 'COPY':
    case 'MOVE':
    case 'SORT':
    case 'THREAD':
      return parseSelected(s, name, true, utf8);
    default:
      s.fail(`UID ${name.slice(0, 40)} is not a command`, 'unknown-command');
  }
}

function parseSelected(s: Scanner, name: 'SEARCH' | 'FETCH' | 'STORE' | 'COPY' | 'MOVE' | 'SORT' | 'THREAD', uid: boolean, utf8: boolean): ImapCommandBody {
  switch (name) {
    case 'SEARCH': {
      s.sp();
      const returnOptions = parseSearchReturn(s);
      if (returnOptions !== undefined) s.sp();
      return { name, uid, returnOptions, program: parseSearchProgram(s) };
    }
    case 'SORT':
      return { name, uid, ...parseSortArgs(s) };
    case 'THREAD':
      return { name, uid, ...parseThreadArgs(s) };
    default:
  }
  s.sp();
  const sequenceSet = parseSequenceSet(s);
  switch (name) {
    case 'FETCH': {
      s.sp();
      const items = parseFetchItems(s);
      return { name, uid, sequenceSet, items, modifiers: parseFetchModifiers(s, uid) };
    }
    case 'STORE':
      return { name, uid, sequenceSet, ...parseStoreArgs(s) };
    default:
      s.sp();
      return { name, uid, sequenceSet, mailbox: parseMailbox(s, utf8) };
  }
}

/** RFC 9051 §6.2.2: "AUTHENTICATE" SP auth-type [SP (base64 / "=")] (RFC 4959 SASL-IR). */
function parseAuthenticate(s: Scanner): ImapCommandBody {
  s.sp();
  const mechanism = s.keyword('a mechanism');
  if (!/^[A-Z0-9_-]{1,20}$/.test(mechanism)) s.fail('invalid mechanism name');
  let initialResponse: string | undefined;
  if (!s.atEnd()) {
    s.sp();
    initialResponse = s.chars((c) => c > 0x20 && c < 0x7f, 'an initial response');
    if (!INITIAL_RESPONSE.test(initialResponse)) s.fail('the initial response is not base64');
  }
  return { name: 'AUTHENTICATE', mechanism, initialResponse };
}

/** RFC 5161 §3.1: "ENABLE" 1*(SP capability). */
function parseEnable(s: Scanner): ImapCommandBody {
  const capabilities: string[] = [];
  do {
    s.sp();
    capabilities.push(s.keyword('a capability'));
    if (capabilities.length > 64) s.fail('too many capabilities', 'too-many', 'LIMIT');
  } while (!s.atEnd());
  return { name: 'ENABLE', capabilities };
}

/** RFC 2971 §4: "ID" SP ("(" string SP nstring *(SP string SP nstring) ")" / nil), with the §3.3 limits. */
function parseId(s: Scanner): Array<[string, string | null]> | null {
  s.sp();
  if (s.tryWord('NIL')) return null;
  const pairs = s.list(() => {
    const field = s.string('an ID field');
    s.sp();
    const value = s.nstring('an ID value');
    if (field.length > imapLimits.idFieldMaxOctets || (value !== null && value.length > imapLimits.idValueMaxOctets))
      s.fail('ID field or value too long', 'too-long', 'LIMIT');
    return [decodeText(field), value === null ? null : decodeText(value)] as [string, string | null];
  }, true, imapLimits.idPairsMax);
  return pairs;
}
