import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ImapSyntaxError } from '../../../src/protocol/imap/errors.js';
import { parseCommand, parseCommandLine, type ParseOptions } from '../../../src/protocol/imap/parser.js';
import { ImapCommandReader, type RawCommand } from '../../../src/protocol/imap/reader.js';
import type { ImapCommand } from '../../../src/protocol/imap/command-types.js';
import type { SearchKey } from '../../../src/protocol/imap/search.js';

/** Frames a transcript (literals included, final CRLF added) with the real reader, accepting every literal. */
function frame(text: string): RawCommand {
  const reader = new ImapCommandReader();
  // Characters beyond Latin-1 are sent as UTF-8; otherwise each character is one octet (to test raw 8-bit input).
  reader.push(Buffer.from(`${text}\r\n`, /[^\x00-\xff]/.test(text) ? 'utf8' : 'latin1'));
  for (let e = reader.next(); e !== undefined; e = reader.next()) {
    if (e.kind === 'literal-request') reader.acceptLiteral();
    else if (e.kind === 'command') return e.command;
    else throw e.error;
  }
  throw new Error(`incomplete transcript ${JSON.stringify(text)}`);
}

/** Frames the same transcript split at every byte boundary and byte by byte; returns every framing. */
function frameEverySplit(text: string): RawCommand[] {
  const input = Buffer.from(`${text}\r\n`, /[^\x00-\xff]/.test(text) ? 'utf8' : 'latin1');
  const splits: Buffer[][] = [];
  for (let cut = 0; cut <= input.length; cut++) splits.push([input.subarray(0, cut), input.subarray(cut)]);
  splits.push([...input].map((x) => Buffer.from([x])));
  return splits.map((chunks) => {
    const reader = new ImapCommandReader();
    for (const chunk of chunks) {
      reader.push(chunk);
      for (let e = reader.next(); e !== undefined; e = reader.next()) {
        if (e.kind === 'literal-request') reader.acceptLiteral();
        else if (e.kind === 'command') return e.command;
        else throw e.error;
      }
    }
    throw new Error('incomplete');
  });
}

function parse(text: string, options?: ParseOptions): ImapCommand {
  return parseCommand(frame(text), options);
}

type Failure = { tag: string | undefined; code: string; responseCode?: string; close?: boolean };

function failure(text: string, options?: ParseOptions): Failure | ImapCommand {
  try {
    return parse(text, options);
  } catch (e) {
    assert.ok(e instanceof ImapSyntaxError, `unexpected ${String(e)}`);
    const f: Failure = { tag: e.tag, code: e.code };
    if (e.responseCode) f.responseCode = e.responseCode;
    if (e.closeConnection) f.close = true;
    return f;
  }
}

const set = (...ranges: Array<number | '*' | [number | '*', number | '*']>) => ({
  kind: 'set' as const,
  ranges: ranges.map((r) => (Array.isArray(r) ? { start: r[0], end: r[1] } : { start: r, end: r })),
});
const noSelection = { subscribed: false, remote: false, recursiveMatch: false, specialUse: false };
const noReturn = { subscribed: false, children: false, specialUse: false, status: undefined };
const program = (criteria: SearchKey, charset?: string) => ({ charset, criteria });
const flag = (f: string, present = true): SearchKey => ({ kind: 'flag', flag: f, present });

const good: ReadonlyArray<[string, ImapCommand, ParseOptions?]> = [
  // RFC 9051 §6.1: any state
  ['a1 CAPABILITY', { tag: 'a1', name: 'CAPABILITY' }],
  ['a1 capability', { tag: 'a1', name: 'CAPABILITY' }],
  ['a.b/c NOOP', { tag: 'a.b/c', name: 'NOOP' }],
  ['A023 LOGOUT', { tag: 'A023', name: 'LOGOUT' }],
  ['a STARTTLS', { tag: 'a', name: 'STARTTLS' }],
  // §6.2
  ['a AUTHENTICATE PLAIN', { tag: 'a', name: 'AUTHENTICATE', mechanism: 'PLAIN', initialResponse: undefined }],
  ['a authenticate plain AHVzZXIAcGFzcw==', { tag: 'a', name: 'AUTHENTICATE', mechanism: 'PLAIN', initialResponse: 'AHVzZXIAcGFzcw==' }],
  ['a AUTHENTICATE PLAIN =', { tag: 'a', name: 'AUTHENTICATE', mechanism: 'PLAIN', initialResponse: '=' }],
  ['a001 LOGIN SMITH SESAME', { tag: 'a001', name: 'LOGIN', username: 'SMITH', password: 'SESAME' }],
  ['a LOGIN "fred@example.com" "pa\\"ss\\\\w"', { tag: 'a', name: 'LOGIN', username: 'fred@example.com', password: 'pa"ss\\w' }],
  ['a LOGIN {4}\r\nuser {7+}\r\np ss\r\nx', { tag: 'a', name: 'LOGIN', username: 'user', password: 'p ss\r\nx' }],
  ['a LOGIN "jörg" "pässword"', { tag: 'a', name: 'LOGIN', username: 'jörg', password: 'pässword' }],
  // §6.3
  ['A142 SELECT INBOX', { tag: 'A142', name: 'SELECT', mailbox: 'INBOX', condstore: false, qresync: undefined }],
  ['a select inbox', { tag: 'a', name: 'SELECT', mailbox: 'INBOX', condstore: false, qresync: undefined }],
  ['a SELECT "Inbox"', { tag: 'a', name: 'SELECT', mailbox: 'INBOX', condstore: false, qresync: undefined }],
  ['a SELECT INBOX/sub', { tag: 'a', name: 'SELECT', mailbox: 'INBOX/sub', condstore: false, qresync: undefined }],
  ['a EXAMINE blurdybloop (CONDSTORE)', { tag: 'a', name: 'EXAMINE', mailbox: 'blurdybloop', condstore: true, qresync: undefined }],
  [
    'A02 SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))',
    {
      tag: 'A02',
      name: 'SELECT',
      mailbox: 'INBOX',
      condstore: false,
      qresync: { uidValidity: 67890007, modSeq: 20050715194045000n, knownUids: set(41, [43, 211], [214, 541]), seqMatch: undefined },
    },
  ],
  [
    'B04 SELECT INBOX (QRESYNC (67890007 90060115194045000 1:29997 (5000,7500,9000,9990:9999 15000,22500,27000,29970,29995:29999)))',
    {
      tag: 'B04',
      name: 'SELECT',
      mailbox: 'INBOX',
      condstore: false,
      qresync: {
        uidValidity: 67890007,
        modSeq: 90060115194045000n,
        knownUids: set([1, 29997]),
        seqMatch: { seqs: set(5000, 7500, 9000, [9990, 9999]), uids: set(15000, 22500, 27000, 29970, [29995, 29999]) },
      },
    },
  ],
  ['a SELECT x (QRESYNC (1 2))', { tag: 'a', name: 'SELECT', mailbox: 'x', condstore: false, qresync: { uidValidity: 1, modSeq: 2n, knownUids: undefined, seqMatch: undefined } }],
  ['A003 CREATE owatagusiam/', { tag: 'A003', name: 'CREATE', mailbox: 'owatagusiam/', specialUse: [] }],
  ['t1 CREATE "Important Messages" (USE (\\Important \\sent))', { tag: 't1', name: 'CREATE', mailbox: 'Important Messages', specialUse: ['\\Important', '\\Sent'] }],
  ['a CREATE &Ti1XC2b4Xpc-', { tag: 'a', name: 'CREATE', mailbox: '中國書店', specialUse: [] }],
  ['a CREATE "&Jjo-!"', { tag: 'a', name: 'CREATE', mailbox: '☺!', specialUse: [] }],
  ['a SELECT &-&-', { tag: 'a', name: 'SELECT', mailbox: '&&', condstore: false, qresync: undefined }],
  ['a CREATE Tom&-Jerry', { tag: 'a', name: 'CREATE', mailbox: 'Tom&Jerry', specialUse: [] }],
  ['a CREATE "中國書店"', { tag: 'a', name: 'CREATE', mailbox: '中國書店', specialUse: [] }, { utf8: true }],
  ['a CREATE "&Jjo-"', { tag: 'a', name: 'CREATE', mailbox: '&Jjo-', specialUse: [] }, { utf8: true }],
  ['A683 DELETE blurdybloop', { tag: 'A683', name: 'DELETE', mailbox: 'blurdybloop' }],
  ['A683 RENAME blurdybloop sarasoop', { tag: 'A683', name: 'RENAME', from: 'blurdybloop', to: 'sarasoop' }],
  ['a RENAME inbox "old mail"', { tag: 'a', name: 'RENAME', from: 'INBOX', to: 'old mail' }],
  ['A002 SUBSCRIBE #news.comp.mail.mime', { tag: 'A002', name: 'SUBSCRIBE', mailbox: '#news.comp.mail.mime' }],
  ['A002 UNSUBSCRIBE #news.comp.mail.mime', { tag: 'A002', name: 'UNSUBSCRIBE', mailbox: '#news.comp.mail.mime' }],
  ['A101 LIST "" ""', { tag: 'A101', name: 'LIST', reference: '', patterns: [''], selection: noSelection, returns: noReturn, extended: false }],
  ['A102 LIST #news.comp.mail.misc ""', { tag: 'A102', name: 'LIST', reference: '#news.comp.mail.misc', patterns: [''], selection: noSelection, returns: noReturn, extended: false }],
  ['A202 LIST ~/Mail/ %', { tag: 'A202', name: 'LIST', reference: '~/Mail/', patterns: ['%'], selection: noSelection, returns: noReturn, extended: false }],
  ['a LIST "" *]x', { tag: 'a', name: 'LIST', reference: '', patterns: ['*]x'], selection: noSelection, returns: noReturn, extended: false }],
  ['a LIST "" &Ti1XC2b4Xpc-/*', { tag: 'a', name: 'LIST', reference: '', patterns: ['中國書店/*'], selection: noSelection, returns: noReturn, extended: false }],
  [
    'A01 LIST (SUBSCRIBED RECURSIVEMATCH) "" % RETURN (CHILDREN)',
    { tag: 'A01', name: 'LIST', reference: '', patterns: ['%'], selection: { ...noSelection, subscribed: true, recursiveMatch: true }, returns: { ...noReturn, children: true }, extended: true },
  ],
  [
    'A02 LIST () "" ("INBOX" "Drafts" Sent/%)',
    { tag: 'A02', name: 'LIST', reference: '', patterns: ['INBOX', 'Drafts', 'Sent/%'], selection: noSelection, returns: noReturn, extended: true },
  ],
  [
    't3 LIST "" "*" RETURN (SPECIAL-USE STATUS (MESSAGES UNSEEN SIZE))',
    { tag: 't3', name: 'LIST', reference: '', patterns: ['*'], selection: noSelection, returns: { ...noReturn, specialUse: true, status: ['MESSAGES', 'UNSEEN', 'SIZE'] }, extended: true },
  ],
  ['a LIST (SPECIAL-USE REMOTE) "" * RETURN ()', { tag: 'a', name: 'LIST', reference: '', patterns: ['*'], selection: { ...noSelection, specialUse: true, remote: true }, returns: noReturn, extended: true }],
  ['A002 LSUB "#news." "comp.mail.*"', { tag: 'A002', name: 'LSUB', reference: '#news.', pattern: 'comp.mail.*' }],
  ['A042 STATUS blurdybloop (UIDNEXT MESSAGES)', { tag: 'A042', name: 'STATUS', mailbox: 'blurdybloop', items: ['UIDNEXT', 'MESSAGES'] }],
  [
    'a STATUS INBOX (messages recent uidnext uidvalidity unseen deleted size highestmodseq appendlimit)',
    { tag: 'a', name: 'STATUS', mailbox: 'INBOX', items: ['MESSAGES', 'RECENT', 'UIDNEXT', 'UIDVALIDITY', 'UNSEEN', 'DELETED', 'SIZE', 'HIGHESTMODSEQ', 'APPENDLIMIT'] },
  ],
  [
    'A003 APPEND saved-messages (\\Seen) {12}\r\nDate: x\r\n\r\nx',
    { tag: 'A003', name: 'APPEND', mailbox: 'saved-messages', messages: [{ flags: ['\\Seen'], internalDate: undefined, message: Buffer.from('Date: x\r\n\r\nx'), binary: false, utf8: false }] },
  ],
  [
    'a APPEND INBOX () " 7-Feb-1994 21:52:25 -0800" {1+}\r\nx',
    {
      tag: 'a',
      name: 'APPEND',
      mailbox: 'INBOX',
      messages: [{ flags: [], internalDate: { date: new Date('1994-02-08T05:52:25Z'), offsetMinutes: -480 }, message: Buffer.from('x'), binary: false, utf8: false }],
    },
  ],
  [
    'a APPEND INBOX {1+}\r\nx (\\Draft keyword) {1+}\r\ny ~{3+}\r\na\x00b UTF8 (~{2+}\r\nzz)',
    {
      tag: 'a',
      name: 'APPEND',
      mailbox: 'INBOX',
      messages: [
        { flags: [], internalDate: undefined, message: Buffer.from('x'), binary: false, utf8: false },
        { flags: ['\\Draft', 'keyword'], internalDate: undefined, message: Buffer.from('y'), binary: false, utf8: false },
        { flags: [], internalDate: undefined, message: Buffer.from('a\x00b', 'latin1'), binary: true, utf8: false },
        { flags: [], internalDate: undefined, message: Buffer.from('zz'), binary: true, utf8: true },
      ],
    },
  ],
  ['FXXZ CHECK', { tag: 'FXXZ', name: 'CHECK' }],
  ['A341 CLOSE', { tag: 'A341', name: 'CLOSE' }],
  ['a UNSELECT', { tag: 'a', name: 'UNSELECT' }],
  ['A202 EXPUNGE', { tag: 'A202', name: 'EXPUNGE', uid: false }],
  ['A003 UID EXPUNGE 3000:3002', { tag: 'A003', name: 'EXPUNGE', uid: true, uids: set([3000, 3002]) }],
  ['a IDLE', { tag: 'a', name: 'IDLE' }],
  ['a NAMESPACE', { tag: 'a', name: 'NAMESPACE' }],
  // §6.4.4 SEARCH
  ['A282 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith"', {
    tag: 'A282',
    name: 'SEARCH',
    uid: false,
    returnOptions: undefined,
    program: program({
      kind: 'and',
      keys: [flag('\\Flagged'), { kind: 'date', field: 'internal', op: 'since', date: { year: 1994, month: 2, day: 1 } }, { kind: 'not', key: { kind: 'header', field: 'From', value: 'Smith' } }],
    }),
  }],
  ['A284 SEARCH TEXT "string not in mailbox"', { tag: 'A284', name: 'SEARCH', uid: false, returnOptions: undefined, program: program({ kind: 'text', value: 'string not in mailbox' }) }],
  ['A285 SEARCH CHARSET UTF-8 TEXT {16}\r\nмладенец', { tag: 'A285', name: 'SEARCH', uid: false, returnOptions: undefined, program: program({ kind: 'text', value: 'младенец' }, 'UTF-8') }],
  ['a UID SEARCH 1:* UID 5,7:* $', {
    tag: 'a',
    name: 'SEARCH',
    uid: true,
    returnOptions: undefined,
    program: program({ kind: 'and', keys: [{ kind: 'seq', set: set([1, '*']) }, { kind: 'uid', set: set(5, [7, '*']) }, { kind: 'seq', set: { kind: 'saved' } }] }),
  }],
  ['a SEARCH OR (SEEN FLAGGED) NOT NOT ALL', {
    tag: 'a',
    name: 'SEARCH',
    uid: false,
    returnOptions: undefined,
    program: program({ kind: 'or', left: { kind: 'and', keys: [flag('\\Seen'), flag('\\Flagged')] }, right: { kind: 'not', key: { kind: 'not', key: { kind: 'all' } } } }),
  }],
  ['a SEARCH ((DELETED))', { tag: 'a', name: 'SEARCH', uid: false, returnOptions: undefined, program: program(flag('\\Deleted')) }],
  ['A301 SEARCH RETURN () FLAGGED', { tag: 'A301', name: 'SEARCH', uid: false, returnOptions: ['ALL'], program: program(flag('\\Flagged')) }],
  ['A302 SEARCH RETURN (MIN MAX COUNT SAVE) 1:100 UNSEEN', {
    tag: 'A302',
    name: 'SEARCH',
    uid: false,
    returnOptions: ['MIN', 'MAX', 'COUNT', 'SAVE'],
    program: program({ kind: 'and', keys: [{ kind: 'seq', set: set([1, 100]) }, flag('\\Seen', false)] }),
  }],
  ['a SEARCH MODSEQ "/flags/\\\\draft" all 620162338', {
    tag: 'a',
    name: 'SEARCH',
    uid: false,
    returnOptions: undefined,
    program: program({ kind: 'modseq', modSeq: 620162338n, entry: { flag: '\\Draft', type: 'all' } }),
  }],
  ['a SEARCH MODSEQ 0', { tag: 'a', name: 'SEARCH', uid: false, returnOptions: undefined, program: program({ kind: 'modseq', modSeq: 0n, entry: undefined }) }],
  ['a SEARCH ANSWERED UNANSWERED DELETED UNDELETED DRAFT UNDRAFT FLAGGED UNFLAGGED SEEN UNSEEN RECENT OLD NEW', {
    tag: 'a',
    name: 'SEARCH',
    uid: false,
    returnOptions: undefined,
    program: program({
      kind: 'and',
      keys: [
        flag('\\Answered'), flag('\\Answered', false), flag('\\Deleted'), flag('\\Deleted', false), flag('\\Draft'), flag('\\Draft', false),
        flag('\\Flagged'), flag('\\Flagged', false), flag('\\Seen'), flag('\\Seen', false), flag('\\Recent'), flag('\\Recent', false), { kind: 'new' },
      ],
    }),
  }],
  ['a SEARCH KEYWORD $Forwarded UNKEYWORD Junk LARGER 100 SMALLER 9999999999 OLDER 60 YOUNGER 3600', {
    tag: 'a',
    name: 'SEARCH',
    uid: false,
    returnOptions: undefined,
    program: program({
      kind: 'and',
      keys: [
        flag('$Forwarded'), flag('Junk', false), { kind: 'size', op: 'larger', size: 100n }, { kind: 'size', op: 'smaller', size: 9999999999n },
        { kind: 'within', op: 'older', seconds: 60 }, { kind: 'within', op: 'younger', seconds: 3600 },
      ],
    }),
  }],
  ['a SEARCH BCC a CC b FROM c TO d SUBJECT "e f" BODY g HEADER X-Spam yes HEADER "Message-ID" ""', {
    tag: 'a',
    name: 'SEARCH',
    uid: false,
    returnOptions: undefined,
    program: program({
      kind: 'and',
      keys: [
        { kind: 'header', field: 'Bcc', value: 'a' }, { kind: 'header', field: 'Cc', value: 'b' }, { kind: 'header', field: 'From', value: 'c' },
        { kind: 'header', field: 'To', value: 'd' }, { kind: 'header', field: 'Subject', value: 'e f' }, { kind: 'body', value: 'g' },
        { kind: 'header', field: 'X-Spam', value: 'yes' }, { kind: 'header', field: 'Message-ID', value: '' },
      ],
    }),
  }],
  ['a SEARCH BEFORE "29-Feb-2024" ON 1-jan-2000 SENTBEFORE 31-Dec-1999 SENTON 01-Jul-2010 SENTSINCE 9-Sep-2009', {
    tag: 'a',
    name: 'SEARCH',
    uid: false,
    returnOptions: undefined,
    program: program({
      kind: 'and',
      keys: [
        { kind: 'date', field: 'internal', op: 'before', date: { year: 2024, month: 2, day: 29 } },
        { kind: 'date', field: 'internal', op: 'on', date: { year: 2000, month: 1, day: 1 } },
        { kind: 'date', field: 'sent', op: 'before', date: { year: 1999, month: 12, day: 31 } },
        { kind: 'date', field: 'sent', op: 'on', date: { year: 2010, month: 7, day: 1 } },
        { kind: 'date', field: 'sent', op: 'since', date: { year: 2009, month: 9, day: 9 } },
      ],
    }),
  }],
  // §6.4.5 FETCH
  ['A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])', {
    tag: 'A654',
    name: 'FETCH',
    uid: false,
    sequenceSet: set([2, 4]),
    items: [{ kind: 'FLAGS' }, { kind: 'BODY[]', section: { part: [], text: { kind: 'header-fields', fields: ['DATE', 'FROM'], not: false } }, partial: undefined, peek: false }],
    modifiers: { changedSince: undefined, vanished: false },
  }],
  ['a FETCH 1 ALL', { tag: 'a', name: 'FETCH', uid: false, sequenceSet: set(1), items: [{ kind: 'FLAGS' }, { kind: 'INTERNALDATE' }, { kind: 'RFC822.SIZE' }, { kind: 'ENVELOPE' }], modifiers: { changedSince: undefined, vanished: false } }],
  ['a FETCH 1 fast', { tag: 'a', name: 'FETCH', uid: false, sequenceSet: set(1), items: [{ kind: 'FLAGS' }, { kind: 'INTERNALDATE' }, { kind: 'RFC822.SIZE' }], modifiers: { changedSince: undefined, vanished: false } }],
  ['a FETCH * FULL', { tag: 'a', name: 'FETCH', uid: false, sequenceSet: set('*'), items: [{ kind: 'FLAGS' }, { kind: 'INTERNALDATE' }, { kind: 'RFC822.SIZE' }, { kind: 'ENVELOPE' }, { kind: 'BODY' }], modifiers: { changedSince: undefined, vanished: false } }],
  ['a FETCH 4:2 body.peek[]', { tag: 'a', name: 'FETCH', uid: false, sequenceSet: set([4, 2]), items: [{ kind: 'BODY[]', section: { part: [], text: undefined }, partial: undefined, peek: true }], modifiers: { changedSince: undefined, vanished: false } }],
  ['a FETCH 1 (ENVELOPE INTERNALDATE UID MODSEQ RFC822 RFC822.HEADER RFC822.SIZE RFC822.TEXT BODY BODYSTRUCTURE)', {
    tag: 'a',
    name: 'FETCH',
    uid: false,
    sequenceSet: set(1),
    items: ['ENVELOPE', 'INTERNALDATE', 'UID', 'MODSEQ', 'RFC822', 'RFC822.HEADER', 'RFC822.SIZE', 'RFC822.TEXT', 'BODY', 'BODYSTRUCTURE'].map((kind) => ({ kind }) as never),
    modifiers: { changedSince: undefined, vanished: false },
  }],
  ['a FETCH 1 (BODY[1.2.HEADER] BODY[3.MIME] BODY[4.TEXT]<0.1024> BODY.PEEK[HEADER.FIELDS.NOT (Received "X-Spam")] BODY[2])', {
    tag: 'a',
    name: 'FETCH',
    uid: false,
    sequenceSet: set(1),
    items: [
      { kind: 'BODY[]', section: { part: [1, 2], text: { kind: 'header' } }, partial: undefined, peek: false },
      { kind: 'BODY[]', section: { part: [3], text: { kind: 'mime' } }, partial: undefined, peek: false },
      { kind: 'BODY[]', section: { part: [4], text: { kind: 'text' } }, partial: { offset: 0, length: 1024 }, peek: false },
      { kind: 'BODY[]', section: { part: [], text: { kind: 'header-fields', fields: ['Received', 'X-Spam'], not: true } }, partial: undefined, peek: true },
      { kind: 'BODY[]', section: { part: [2], text: undefined }, partial: undefined, peek: false },
    ],
    modifiers: { changedSince: undefined, vanished: false },
  }],
  ['a FETCH 1 (BINARY[1.2]<100.200> BINARY.PEEK[] BINARY.SIZE[3])', {
    tag: 'a',
    name: 'FETCH',
    uid: false,
    sequenceSet: set(1),
    items: [
      { kind: 'BINARY[]', part: [1, 2], partial: { offset: 100, length: 200 }, peek: false },
      { kind: 'BINARY[]', part: [], partial: undefined, peek: true },
      { kind: 'BINARY.SIZE', part: [3] },
    ],
    modifiers: { changedSince: undefined, vanished: false },
  }],
  ['s100 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 12345 VANISHED)', {
    tag: 's100',
    name: 'FETCH',
    uid: true,
    sequenceSet: set([1, '*']),
    items: [{ kind: 'FLAGS' }],
    modifiers: { changedSince: 12345n, vanished: true },
  }],
  ['a FETCH $ UID (CHANGEDSINCE 1)', { tag: 'a', name: 'FETCH', uid: false, sequenceSet: { kind: 'saved' }, items: [{ kind: 'UID' }], modifiers: { changedSince: 1n, vanished: false } }],
  // §6.4.6 STORE
  ['A003 STORE 2:4 +FLAGS (\\Deleted)', { tag: 'A003', name: 'STORE', uid: false, sequenceSet: set([2, 4]), operation: 'add', silent: false, flags: ['\\Deleted'], unchangedSince: undefined }],
  ['a STORE 1 -flags.silent \\seen \\SEEN $Junk', { tag: 'a', name: 'STORE', uid: false, sequenceSet: set(1), operation: 'remove', silent: true, flags: ['\\Seen', '$Junk'], unchangedSince: undefined }],
  ['a UID STORE 1:* FLAGS ()', { tag: 'a', name: 'STORE', uid: true, sequenceSet: set([1, '*']), operation: 'set', silent: false, flags: [], unchangedSince: undefined }],
  ['d105 STORE 7,5,9 (UNCHANGEDSINCE 320162338) +FLAGS.SILENT (\\Deleted)', {
    tag: 'd105',
    name: 'STORE',
    uid: false,
    sequenceSet: set(7, 5, 9),
    operation: 'add',
    silent: true,
    flags: ['\\Deleted'],
    unchangedSince: 320162338n,
  }],
  // §6.4.7–6.4.9
  ['A003 COPY 2:4 MEETING', { tag: 'A003', name: 'COPY', uid: false, sequenceSet: set([2, 4]), mailbox: 'MEETING' }],
  ['a UID COPY 4827313:4828442 "Saved Mail"', { tag: 'a', name: 'COPY', uid: true, sequenceSet: set([4827313, 4828442]), mailbox: 'Saved Mail' }],
  ['a MOVE 1,3 Trash', { tag: 'a', name: 'MOVE', uid: false, sequenceSet: set(1, 3), mailbox: 'Trash' }],
  ['a uid move 42 inbox', { tag: 'a', name: 'MOVE', uid: true, sequenceSet: set(42), mailbox: 'INBOX' }],
  // Extensions
  ['a ENABLE CONDSTORE qresync UTF8=ACCEPT', { tag: 'a', name: 'ENABLE', capabilities: ['CONDSTORE', 'QRESYNC', 'UTF8=ACCEPT'] }],
  ['a023 ID ("name" "sodr" "version" "19.34" "vendor" NIL)', { tag: 'a023', name: 'ID', parameters: [['name', 'sodr'], ['version', '19.34'], ['vendor', null]] }],
  ['a ID NIL', { tag: 'a', name: 'ID', parameters: null }],
  ['a ID ()', { tag: 'a', name: 'ID', parameters: [] }],
  ['G0001 GETQUOTA "!partition/sda4"', { tag: 'G0001', name: 'GETQUOTA', root: '!partition/sda4' }],
  ['A003 GETQUOTAROOT INBOX', { tag: 'A003', name: 'GETQUOTAROOT', mailbox: 'INBOX' }],
  ['S0000 SETQUOTA "#user/alice" (storage 510 messages 1000)', { tag: 'S0000', name: 'SETQUOTA', root: '#user/alice', limits: [{ resource: 'STORAGE', limit: 510n }, { resource: 'MESSAGES', limit: 1000n }] }],
  ['a SETQUOTA "" ()', { tag: 'a', name: 'SETQUOTA', root: '', limits: [] }],
  ['a COMPRESS deflate', { tag: 'a', name: 'COMPRESS', algorithm: 'DEFLATE' }],
  ['A283 SORT (SUBJECT REVERSE DATE) UTF-8 ALL', {
    tag: 'A283',
    name: 'SORT',
    uid: false,
    returnOptions: undefined,
    criteria: [{ key: 'SUBJECT', reverse: false }, { key: 'DATE', reverse: true }],
    program: program({ kind: 'all' }, 'UTF-8'),
  }],
  ['A285 UID SORT (REVERSE ARRIVAL) US-ASCII SUBJECT "afternoon tea" UNSEEN', {
    tag: 'A285',
    name: 'SORT',
    uid: true,
    returnOptions: undefined,
    criteria: [{ key: 'ARRIVAL', reverse: true }],
    program: program({ kind: 'and', keys: [{ kind: 'header', field: 'Subject', value: 'afternoon tea' }, flag('\\Seen', false)] }, 'US-ASCII'),
  }],
  ['a SORT RETURN (MIN COUNT) (SIZE) UTF-8 ALL', {
    tag: 'a',
    name: 'SORT',
    uid: false,
    returnOptions: ['MIN', 'COUNT'],
    criteria: [{ key: 'SIZE', reverse: false }],
    program: program({ kind: 'all' }, 'UTF-8'),
  }],
  ['A283 THREAD ORDEREDSUBJECT UTF-8 SINCE 5-MAR-2000', {
    tag: 'A283',
    name: 'THREAD',
    uid: false,
    algorithm: 'ORDEREDSUBJECT',
    program: program({ kind: 'date', field: 'internal', op: 'since', date: { year: 2000, month: 3, day: 5 } }, 'UTF-8'),
  }],
  ['A284 UID THREAD references US-ASCII TEXT "gewp"', { tag: 'A284', name: 'THREAD', uid: true, algorithm: 'REFERENCES', program: program({ kind: 'text', value: 'gewp' }, 'US-ASCII') }],
];

describe('parseCommand: every command, good syntax', () => {
  for (const [text, expected, options] of good) {
    it(JSON.stringify(text).slice(1, 90), () => assert.deepEqual(parse(text, options), expected));
  }
});

const bad: ReadonlyArray<[string, Failure, ParseOptions?]> = [
  ['NOOP', { tag: undefined, code: 'bad-tag' }],
  ['a+b NOOP', { tag: undefined, code: 'bad-tag' }],
  ['* NOOP', { tag: undefined, code: 'syntax' }],
  ['a', { tag: undefined, code: 'bad-tag' }],
  ['a ', { tag: 'a', code: 'syntax' }],
  ['a  NOOP', { tag: 'a', code: 'syntax' }],
  ['a FROB', { tag: 'a', code: 'unknown-command' }],
  ['a UID NOOP', { tag: 'a', code: 'unknown-command' }],
  ['a NOOP extra', { tag: 'a', code: 'syntax' }],
  ['a NOOP ', { tag: 'a', code: 'syntax' }],
  ['a CAPABILITY\x00', { tag: 'a', code: 'syntax' }],
  ['GET / HTTP/1.1', { tag: 'GET', code: 'http-request', close: true }],
  ['a LOGIN user', { tag: 'a', code: 'syntax' }],
  ['a LOGIN user pass extra', { tag: 'a', code: 'syntax' }],
  ['a LOGIN "unterminated', { tag: 'a', code: 'syntax' }],
  ['a LOGIN "bad\\escape" x', { tag: 'a', code: 'syntax' }],
  ['a LOGIN {3}\r\na\x00b x', { tag: 'a', code: 'syntax' }],
  ['a LOGIN ~{3}\r\nabc x', { tag: 'a', code: 'syntax' }],
  ['a LOGIN (x) y', { tag: 'a', code: 'syntax' }],
  ['a AUTHENTICATE', { tag: 'a', code: 'syntax' }],
  ['a AUTHENTICATE PLAIN not*base64', { tag: 'a', code: 'syntax' }],
  ['a AUTHENTICATE THIS-MECHANISM-NAME-IS-TOO-LONG', { tag: 'a', code: 'syntax' }],
  ['a SELECT', { tag: 'a', code: 'syntax' }],
  ['a SELECT INBOX ()', { tag: 'a', code: 'syntax' }],
  ['a SELECT INBOX (FOO)', { tag: 'a', code: 'syntax' }],
  ['a SELECT INBOX (CONDSTORE CONDSTORE)', { tag: 'a', code: 'syntax' }],
  ['a SELECT INBOX (QRESYNC (0 1))', { tag: 'a', code: 'syntax' }],
  ['a SELECT INBOX (QRESYNC (1 0))', { tag: 'a', code: 'syntax' }],
  ['a SELECT INBOX (QRESYNC (1 2 $))', { tag: 'a', code: 'bad-sequence-set' }],
  ['a SELECT &Jjo', { tag: 'a', code: 'bad-mailbox-name' }],
  ['a SELECT &AGE-', { tag: 'a', code: 'bad-mailbox-name' }],
  ['a SELECT "&Jjo-&Jjo-"', { tag: 'a', code: 'bad-mailbox-name' }],
  ['a SELECT "jörg"', { tag: 'a', code: 'bad-mailbox-name' }],
  ['a SELECT {2}\r\n\xff\xfe', { tag: 'a', code: 'bad-mailbox-name' }, { utf8: true }],
  ['a SELECT foo*', { tag: 'a', code: 'syntax' }],
  ['a CREATE x (USE (Sent))', { tag: 'a', code: 'syntax' }],
  ['a CREATE x (FOO)', { tag: 'a', code: 'syntax' }],
  ['a RENAME x', { tag: 'a', code: 'syntax' }],
  ['a LIST ""', { tag: 'a', code: 'syntax' }],
  ['a LIST (RECURSIVEMATCH) "" %', { tag: 'a', code: 'syntax' }],
  ['a LIST (FOO) "" %', { tag: 'a', code: 'syntax' }],
  ['a LIST "" % RETURN (FOO)', { tag: 'a', code: 'syntax' }],
  ['a LIST "" % EXTRA (CHILDREN)', { tag: 'a', code: 'syntax' }],
  ['a LIST "" ()', { tag: 'a', code: 'syntax' }],
  ['a LSUB "" % x', { tag: 'a', code: 'syntax' }],
  ['a STATUS INBOX ()', { tag: 'a', code: 'syntax' }],
  ['a STATUS INBOX (FOO)', { tag: 'a', code: 'syntax' }],
  ['a STATUS INBOX MESSAGES', { tag: 'a', code: 'syntax' }],
  ['a APPEND INBOX', { tag: 'a', code: 'syntax' }],
  ['a APPEND INBOX "message"', { tag: 'a', code: 'syntax' }],
  ['a APPEND INBOX (\\Recent) {1+}\r\nx', { tag: 'a', code: 'syntax' }],
  ['a APPEND INBOX "31-Feb-2020 00:00:00 +0000" {1+}\r\nx', { tag: 'a', code: 'syntax' }],
  ['a APPEND INBOX "1-Jan-2020 24:00:00 +0000" {1+}\r\nx', { tag: 'a', code: 'syntax' }],
  ['a APPEND INBOX "1-Jan-2020 00:00:00" {1+}\r\nx', { tag: 'a', code: 'syntax' }],
  ['a APPEND INBOX {1+}\r\nx extra', { tag: 'a', code: 'syntax' }],
  ['a APPEND INBOX UTF8 ({1+}\r\nx)', { tag: 'a', code: 'syntax' }],
  ['a UID EXPUNGE', { tag: 'a', code: 'syntax' }],
  ['a EXPUNGE 1', { tag: 'a', code: 'syntax' }],
  ['a SEARCH', { tag: 'a', code: 'syntax' }],
  ['a SEARCH FOO', { tag: 'a', code: 'syntax' }],
  ['a SEARCH ()', { tag: 'a', code: 'syntax' }],
  ['a SEARCH (ALL', { tag: 'a', code: 'syntax' }],
  ['a SEARCH ALL)', { tag: 'a', code: 'syntax' }],
  ['a SEARCH OR ALL', { tag: 'a', code: 'syntax' }],
  ['a SEARCH NOT', { tag: 'a', code: 'syntax' }],
  ['a SEARCH SINCE 30-Feb-2020', { tag: 'a', code: 'syntax' }],
  ['a SEARCH SINCE 1-Foo-2020', { tag: 'a', code: 'syntax' }],
  ['a SEARCH SINCE 1-Jan-20', { tag: 'a', code: 'syntax' }],
  ['a SEARCH LARGER x', { tag: 'a', code: 'syntax' }],
  ['a SEARCH LARGER 99999999999999999999', { tag: 'a', code: 'syntax' }],
  ['a SEARCH KEYWORD \\Seen', { tag: 'a', code: 'syntax' }],
  ['a SEARCH HEADER "a:b" x', { tag: 'a', code: 'syntax' }],
  ['a SEARCH 0', { tag: 'a', code: 'syntax' }],
  ['a SEARCH 1:2:3', { tag: 'a', code: 'bad-sequence-set' }],
  ['a SEARCH 4294967296', { tag: 'a', code: 'bad-sequence-set' }],
  ['a SEARCH UID 1,$', { tag: 'a', code: 'bad-sequence-set' }],
  ['a SEARCH CHARSET', { tag: 'a', code: 'syntax' }],
  ['a SEARCH CHARSET UTF-8', { tag: 'a', code: 'syntax' }],
  ['a SEARCH RETURN (FOO) ALL', { tag: 'a', code: 'syntax' }],
  ['a SEARCH MODSEQ "/flags/\\\\draft" any 5', { tag: 'a', code: 'syntax' }],
  ['a SEARCH MODSEQ "/other/x" all 5', { tag: 'a', code: 'syntax' }],
  [`a SEARCH ${'('.repeat(40)}ALL${')'.repeat(40)}`, { tag: 'a', code: 'too-deep', responseCode: 'LIMIT' }],
  [`a SEARCH ${'NOT '.repeat(40)}ALL`, { tag: 'a', code: 'too-deep', responseCode: 'LIMIT' }],
  [`a SEARCH ${'SEEN '.repeat(1001)}`.trim(), { tag: 'a', code: 'too-many', responseCode: 'LIMIT' }],
  ['a FETCH', { tag: 'a', code: 'syntax' }],
  ['a FETCH 1', { tag: 'a', code: 'syntax' }],
  ['a FETCH 1 ()', { tag: 'a', code: 'syntax' }],
  ['a FETCH 1 FOO', { tag: 'a', code: 'syntax' }],
  ['a FETCH 1 (ALL)', { tag: 'a', code: 'syntax' }],
  ['a FETCH 1 BODY[', { tag: 'a', code: 'syntax' }],
  ['a FETCH 1 BODY[MIME]', { tag: 'a', code: 'syntax' }],
  ['a FETCH 1 BODY[0]', { tag: 'a', code: 'syntax' }],
  ['a FETCH 1 BODY[1.]', { tag: 'a', code: 'syntax' }],
  ['a FETCH 1 BODY[HEADER.FIELDS]', { tag: 'a', code: 'syntax' }],
  ['a FETCH 1 BODY[HEADER.FIELDS ()]', { tag: 'a', code: 'syntax' }],
  ['a FETCH 1 BODY[TEXT.HEADER]', { tag: 'a', code: 'syntax' }],
  ['a FETCH 1 BODY[]<0>', { tag: 'a', code: 'syntax' }],
  ['a FETCH 1 BODY[]<0.0>', { tag: 'a', code: 'syntax' }],
  ['a FETCH 1 BODY.PEEK', { tag: 'a', code: 'syntax' }],
  ['a FETCH 1 BINARY[TEXT]', { tag: 'a', code: 'syntax' }],
  ['a FETCH 1 BINARY.SIZE[]<0.1>', { tag: 'a', code: 'syntax' }],
  ['a FETCH 1 FLAGS (VANISHED)', { tag: 'a', code: 'syntax' }],
  ['a UID FETCH 1 FLAGS (VANISHED)', { tag: 'a', code: 'syntax' }],
  ['a FETCH 1 FLAGS (CHANGEDSINCE 0)', { tag: 'a', code: 'syntax' }],
  ['a FETCH 1 FLAGS (CHANGEDSINCE 9223372036854775808)', { tag: 'a', code: 'syntax' }],
  [`a FETCH 1 (${'UID '.repeat(101).trim()})`, { tag: 'a', code: 'too-many', responseCode: 'LIMIT' }],
  ['a STORE 1 FLAGS', { tag: 'a', code: 'syntax' }],
  ['a STORE 1 FOO (\\Seen)', { tag: 'a', code: 'syntax' }],
  ['a STORE 1 +FLAGS (\\Recent)', { tag: 'a', code: 'syntax' }],
  ['a STORE 1 +FLAGS (a b', { tag: 'a', code: 'syntax' }],
  ['a STORE 1 (UNCHANGEDSINCE) FLAGS x', { tag: 'a', code: 'syntax' }],
  ['a STORE 1 (FOO 1) FLAGS x', { tag: 'a', code: 'syntax' }],
  ['a COPY 1', { tag: 'a', code: 'syntax' }],
  ['a MOVE x INBOX', { tag: 'a', code: 'syntax' }],
  ['a ENABLE', { tag: 'a', code: 'syntax' }],
  ['a ID', { tag: 'a', code: 'syntax' }],
  ['a ID ("name")', { tag: 'a', code: 'syntax' }],
  ['a ID (name "x")', { tag: 'a', code: 'syntax' }],
  [`a ID ("${'x'.repeat(31)}" "v")`, { tag: 'a', code: 'too-long', responseCode: 'LIMIT' }],
  [`a ID (${'"k" "v" '.repeat(31).trim()})`, { tag: 'a', code: 'too-many', responseCode: 'LIMIT' }],
  ['a SETQUOTA "" (STORAGE)', { tag: 'a', code: 'syntax' }],
  ['a COMPRESS', { tag: 'a', code: 'syntax' }],
  ['a SORT (FOO) UTF-8 ALL', { tag: 'a', code: 'syntax' }],
  ['a SORT (DATE) ALL', { tag: 'a', code: 'syntax' }],
  ['a SORT () UTF-8 ALL', { tag: 'a', code: 'syntax' }],
  ['a THREAD REFERENCES', { tag: 'a', code: 'syntax' }],
];

describe('parseCommand: the same command whatever the chunking', () => {
  it('every good command, split at every byte boundary and byte by byte', () => {
    for (const [text, expected, options] of good) {
      for (const raw of frameEverySplit(text)) assert.deepEqual(parseCommand(raw, options), expected, text);
    }
  });
});

describe('parseCommand: bad syntax gives ImapSyntaxError with the tag', () => {
  for (const [text, expected, options] of bad) {
    it(JSON.stringify(text).slice(1, 90), () => assert.deepEqual(failure(text, options), expected));
  }
});

describe('parseCommandLine', () => {
  it('an empty line is an untagged BAD', () => {
    assert.throws(() => parseCommandLine(''), (e: unknown) => e instanceof ImapSyntaxError && e.tag === undefined && e.code === 'empty');
  });
  it('parses a line without literals', () => {
    assert.deepEqual(parseCommandLine('x NOOP'), { tag: 'x', name: 'NOOP' });
  });
});
