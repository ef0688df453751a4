import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  NIL,
  astr,
  atom,
  bad,
  bodyStructureValue,
  capabilityResponse,
  continuation,
  encodeBuffer,
  encodeResponse,
  encodeResponseChunks,
  envelopeValue,
  esearchResponse,
  fetchResponse,
  formatDate,
  formatDateTime,
  ImapSyntaxError,
  list,
  listResponse,
  namespaceResponse,
  no,
  nstr,
  num,
  ok,
  quotaResponse,
  quotaRootResponse,
  ResponseCode,
  searchResponse,
  statusResponse,
  str,
  stringForm,
  syntaxErrorResponse,
  threadResponse,
  untagged,
  vanishedResponse,
  type BodyStructure,
  type Envelope,
} from '../../../src/protocol/imap/index.js';

const text = (b: Buffer): string => b.toString('latin1');
const enc = (...values: Parameters<typeof encodeBuffer>[0]): string => text(encodeBuffer(values));

describe('strings: atom, quoted or literal', () => {
  it('chooses the form from the content', () => {
    assert.equal(stringForm(Buffer.from('plain text')), 'quoted');
    assert.equal(stringForm(Buffer.from('')), 'quoted');
    assert.equal(stringForm(Buffer.from('a\r\nb')), 'literal');
    assert.equal(stringForm(Buffer.from('a\nb')), 'literal');
    assert.equal(stringForm(Buffer.from('a\x00b')), 'literal');
    assert.equal(stringForm(Buffer.from('jörg')), 'literal');
    assert.equal(stringForm(Buffer.from('jörg'), true), 'quoted');
    assert.equal(stringForm(Buffer.from([0x6a, 0xf6]), true), 'literal'); // not UTF-8
    assert.equal(stringForm(Buffer.alloc(2000, 0x61)), 'literal');
  });

  it('escapes quotes and backslashes, counts octets in literals', () => {
    assert.equal(enc(str('say "hi" \\o/')), '"say \\"hi\\" \\\\o/"');
    assert.equal(enc(str('')), '""');
    assert.equal(enc(str('two\r\nlines')), '{10}\r\ntwo\r\nlines');
    assert.equal(text(encodeBuffer([str('jörg')])), '{5}\r\njörg'.replace('ö', '\xc3\xb6'));
    assert.equal(text(encodeBuffer([str('jörg')], { utf8: true })), '"j\xc3\xb6rg"');
  });

  it('uses an atom for astrings when it can, never for NIL or specials', () => {
    assert.equal(enc(astr('INBOX')), 'INBOX');
    assert.equal(enc(astr('a]b')), 'a]b');
    assert.equal(enc(astr('NIL')), '"NIL"');
    assert.equal(enc(astr('nil')), '"nil"');
    assert.equal(enc(astr('')), '""');
    assert.equal(enc(astr('two words')), '"two words"');
    assert.equal(enc(astr('a%')), '"a%"');
    assert.equal(enc(astr('{5}')), '"{5}"');
  });

  it('encodes NIL, numbers, lists and nested lists', () => {
    assert.equal(enc(NIL, nstr(null), nstr('x'), num(0), num(4294967295), num(9007199254740993n)), 'NIL NIL "x" 0 4294967295 9007199254740993');
    assert.equal(enc(list([]), list([atom('\\Seen'), list([num(1), NIL])])), '() (\\Seen (1 NIL))');
  });

  it('refuses to build values that would break the framing', () => {
    assert.throws(() => atom('two words'), RangeError);
    assert.throws(() => atom('x\r\n* BYE'), RangeError);
    assert.throws(() => atom('{5}'), RangeError);
    assert.throws(() => atom(''), RangeError);
    assert.throws(() => num(-1), RangeError);
    assert.throws(() => num(1.5), RangeError);
    assert.equal(enc(atom('\\*')), '\\*');
  });
});

describe('status responses', () => {
  it('formats tagged and untagged responses with codes', () => {
    assert.equal(text(encodeResponse(ok('a1', 'SELECT completed', { name: ResponseCode.READ_WRITE }))), 'a1 OK [READ-WRITE] SELECT completed\r\n');
    assert.equal(
      text(encodeResponse(untagged('OK', 'Limited', { name: ResponseCode.PERMANENTFLAGS, args: [list([atom('\\Deleted'), atom('\\Seen'), atom('\\*')])] }))),
      '* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n',
    );
    assert.equal(text(encodeResponse(ok('A003', 'APPEND completed', { name: ResponseCode.APPENDUID, args: [num(38505), num(3955)] }))), 'A003 OK [APPENDUID 38505 3955] APPEND completed\r\n');
    assert.equal(text(encodeResponse(no('a', 'Over quota', { name: ResponseCode.OVERQUOTA }))), 'a NO [OVERQUOTA] Over quota\r\n');
    assert.equal(text(encodeResponse(untagged('BYE', 'Logging out'))), '* BYE Logging out\r\n');
    assert.equal(text(encodeResponse(untagged('PREAUTH', 'Welcome'))), '* PREAUTH Welcome\r\n');
    assert.equal(text(encodeResponse(continuation())), '+ Ready\r\n');
    assert.equal(text(encodeResponse({ kind: 'continuation', base64: '' })), '+ \r\n');
    assert.equal(text(encodeResponse({ kind: 'continuation', base64: 'PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2U+' })), '+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2U+\r\n');
  });

  it('never lets text inject a response', () => {
    assert.equal(text(encodeResponse(bad('a', 'oops\r\n* OK [ALERT] pwned'))), 'a BAD oops * OK [ALERT] pwned\r\n');
    assert.throws(() => encodeResponse(ok('a b', 'x')), RangeError);
    assert.throws(() => encodeResponse({ kind: 'continuation', base64: 'not base64!' }), RangeError);
  });

  it('turns syntax errors into tagged or untagged BAD', () => {
    const tagged = new ImapSyntaxError('literal-too-big', 'literal too big', { tag: 'a7', responseCode: 'TOOBIG' });
    assert.equal(text(encodeResponse(syntaxErrorResponse(tagged))), 'a7 BAD [TOOBIG] literal too big\r\n');
    assert.equal(text(encodeResponse(syntaxErrorResponse(new ImapSyntaxError('empty', 'empty command')))), '* BAD empty command\r\n');
  });
});

describe('date-time', () => {
  it('formats RFC 3501 date-time in the given zone, the day space-padded', () => {
    assert.equal(formatDateTime(new Date('1996-07-17T09:44:25Z'), -420), '17-Jul-1996 02:44:25 -0700');
    assert.equal(formatDateTime(new Date('1994-02-08T05:52:25Z'), -480), ' 7-Feb-1994 21:52:25 -0800');
    assert.equal(formatDateTime(new Date('2024-12-31T23:30:00Z'), 90), ' 1-Jan-2025 01:00:00 +0130');
    assert.equal(formatDateTime(new Date('2024-01-05T00:00:00Z')), ' 5-Jan-2024 00:00:00 +0000');
    assert.equal(formatDate({ year: 1994, month: 2, day: 1 }), '1-Feb-1994');
  });
});

// RFC 3501 §8 (the sample FETCH response) and §7.4.2 (the BODYSTRUCTURE examples).
const rfc3501Envelope: Envelope = {
  date: 'Wed, 17 Jul 1996 02:23:25 -0700 (PDT)',
  subject: 'IMAP4rev1 WG mtg summary and minutes',
  from: [{ name: 'Terry Gray', adl: null, mailbox: 'gray', host: 'cac.washington.edu' }],
  sender: [{ name: 'Terry Gray', adl: null, mailbox: 'gray', host: 'cac.washington.edu' }],
  replyTo: [{ name: 'Terry Gray', adl: null, mailbox: 'gray', host: 'cac.washington.edu' }],
  to: [{ name: null, adl: null, mailbox: 'imap', host: 'cac.washington.edu' }],
  cc: [
    { name: null, adl: null, mailbox: 'minutes', host: 'CNRI.Reston.VA.US' },
    { name: 'John Klensin', adl: null, mailbox: 'KLENSIN', host: 'MIT.EDU' },
  ],
  bcc: null,
  inReplyTo: null,
  messageId: '<B27397-0100000@cac.washington.edu>',
};
const plain: BodyStructure = {
  kind: 'text',
  subtype: 'PLAIN',
  fields: { params: [['CHARSET', 'US-ASCII']], id: null, description: null, encoding: '7BIT', size: 3028 },
  lines: 92,
};

describe('ENVELOPE and BODYSTRUCTURE', () => {
  it('encodes the RFC 3501 §8 sample FETCH response', () => {
    const response = fetchResponse(12, [
      { kind: 'FLAGS', flags: ['\\Seen'] },
      { kind: 'INTERNALDATE', date: new Date('1996-07-17T09:44:25Z'), offsetMinutes: -420 },
      { kind: 'RFC822.SIZE', size: 4286 },
      { kind: 'ENVELOPE', envelope: rfc3501Envelope },
      { kind: 'BODY', structure: plain },
    ]);
    assert.equal(
      text(encodeResponse(response)),
      '* 12 FETCH (FLAGS (\\Seen) INTERNALDATE "17-Jul-1996 02:44:25 -0700" RFC822.SIZE 4286 ENVELOPE ("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)" ' +
        '"IMAP4rev1 WG mtg summary and minutes" (("Terry Gray" NIL "gray" "cac.washington.edu")) (("Terry Gray" NIL "gray" "cac.washington.edu")) ' +
        '(("Terry Gray" NIL "gray" "cac.washington.edu")) ((NIL NIL "imap" "cac.washington.edu")) ((NIL NIL "minutes" "CNRI.Reston.VA.US")' +
        '("John Klensin" NIL "KLENSIN" "MIT.EDU")) NIL NIL "<B27397-0100000@cac.washington.edu>") BODY ("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 3028 92))\r\n',
    );
  });

  it('encodes the RFC 3501 §7.4.2 multipart example (parts without spaces between them)', () => {
    const mixed: BodyStructure = {
      kind: 'multipart',
      subtype: 'MIXED',
      parts: [
        { kind: 'text', subtype: 'PLAIN', fields: { params: [['CHARSET', 'US-ASCII']], id: null, description: null, encoding: '7BIT', size: 1152 }, lines: 23 },
        {
          kind: 'text',
          subtype: 'PLAIN',
          fields: {
            params: [['CHARSET', 'US-ASCII'], ['NAME', 'cc.diff']],
            id: '<960723163407.20117h@cac.washington.edu>',
            description: 'Compiler diff',
            encoding: 'BASE64',
            size: 4554,
          },
          lines: 73,
        },
      ],
    };
    assert.equal(
      enc(bodyStructureValue(mixed, false)),
      '(("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 1152 23)("TEXT" "PLAIN" ("CHARSET" "US-ASCII" "NAME" "cc.diff") ' +
        '"<960723163407.20117h@cac.washington.edu>" "Compiler diff" "BASE64" 4554 73) "MIXED")',
    );
    // BODYSTRUCTURE adds extension data, NIL where the part has none.
    assert.equal(
      enc(bodyStructureValue(mixed, true)),
      '(("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 1152 23 NIL NIL NIL NIL)("TEXT" "PLAIN" ("CHARSET" "US-ASCII" "NAME" "cc.diff") ' +
        '"<960723163407.20117h@cac.washington.edu>" "Compiler diff" "BASE64" 4554 73 NIL NIL NIL NIL) "MIXED" NIL NIL NIL NIL)',
    );
  });

  it('encodes basic and message/rfc822 parts with extension data', () => {
    const attachment: BodyStructure = {
      kind: 'basic',
      type: 'APPLICATION',
      subtype: 'PDF',
      fields: { params: [['NAME', 'a.pdf']], id: null, description: null, encoding: 'BASE64', size: 100 },
      extension: { md5: null, disposition: { type: 'attachment', params: [['filename', 'a.pdf']] }, language: ['en', 'de'], location: 'http://x/a.pdf' },
    };
    assert.equal(
      enc(bodyStructureValue(attachment, true)),
      '("APPLICATION" "PDF" ("NAME" "a.pdf") NIL NIL "BASE64" 100 NIL ("attachment" ("filename" "a.pdf")) ("en" "de") "http://x/a.pdf")',
    );
    const forwarded: BodyStructure = {
      kind: 'message',
      subtype: 'RFC822',
      fields: { params: null, id: null, description: null, encoding: '7BIT', size: 500 },
      envelope: { ...rfc3501Envelope, from: null, sender: null, replyTo: null, cc: null, subject: 'fw\r\nd' },
      body: plain,
      lines: 20,
    };
    assert.equal(
      enc(bodyStructureValue(forwarded, false)),
      '("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 500 ("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)" {5}\r\nfw\r\nd NIL NIL NIL ((NIL NIL "imap" "cac.washington.edu")) NIL NIL NIL ' +
        '"<B27397-0100000@cac.washington.edu>") ("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 3028 92) 20)',
    );
  });

  it('encodes groups with their start and end markers', () => {
    const envelope: Envelope = {
      ...rfc3501Envelope,
      to: [{ group: 'undisclosed-recipients', members: [] }, { group: 'team', members: [{ name: null, adl: null, mailbox: 'a', host: 'b.example' }] }],
    };
    assert.match(enc(envelopeValue(envelope)), / \(\(NIL NIL "undisclosed-recipients" NIL\)\(NIL NIL NIL NIL\)\(NIL NIL "team" NIL\)\(NIL NIL "a" "b\.example"\)\(NIL NIL NIL NIL\)\) /);
  });
});

describe('FETCH response items', () => {
  it('sends sections, partial origins, literals and literal8', () => {
    const response = fetchResponse(3, [
      { kind: 'UID', uid: 77 },
      { kind: 'MODSEQ', modSeq: 624140003n },
      { kind: 'BODY[]', section: { part: [], text: { kind: 'header-fields', fields: ['Date', 'From'], not: false } }, origin: undefined, content: Buffer.from('Date: x\r\n\r\n') },
      { kind: 'BODY[]', section: { part: [1, 2], text: { kind: 'mime' } }, origin: 0, content: null },
      { kind: 'BINARY[]', part: [2], origin: undefined, content: Buffer.from('a\x00b', 'latin1') },
      { kind: 'BINARY[]', part: [3], origin: 10, content: Buffer.from('abc') },
      { kind: 'BINARY.SIZE', part: [2], size: 3 },
      { kind: 'RFC822.TEXT', content: Buffer.from('') },
    ]);
    assert.equal(
      text(encodeResponse(response)),
      '* 3 FETCH (UID 77 MODSEQ (624140003) BODY[HEADER.FIELDS (DATE FROM)] {11}\r\nDate: x\r\n\r\n BODY[1.2.MIME]<0> NIL BINARY[2] ~{3}\r\na\x00b BINARY[3]<10> {3}\r\nabc BINARY.SIZE[2] 3 RFC822.TEXT {0}\r\n)\r\n',
    );
  });

  it('leaves streamed bodies as placeholders after their {n} prefix', () => {
    const stream = { kind: 'stream' as const, size: 4096, binary: false, source: 'blob-1' };
    const chunks = encodeResponseChunks(fetchResponse(1, [{ kind: 'UID', uid: 5 }, { kind: 'BODY[]', section: { part: [], text: undefined }, origin: undefined, content: stream }]));
    assert.equal(chunks.length, 3);
    assert.equal(text(chunks[0] as Buffer), '* 1 FETCH (UID 5 BODY[] {4096}\r\n');
    assert.equal(chunks[1], stream);
    assert.equal(text(chunks[2] as Buffer), ')\r\n');
    assert.throws(() => encodeResponse(fetchResponse(1, [{ kind: 'RFC822', content: stream }])), RangeError);
  });
});

describe('data responses', () => {
  const ascii = { utf8: false };
  const line = (r: Parameters<typeof encodeResponse>[0], utf8 = false) => text(encodeResponse(r, { utf8 }));

  it('CAPABILITY, SEARCH, ESEARCH, VANISHED', () => {
    assert.equal(line(capabilityResponse(['IMAP4rev1', 'IMAP4rev2', 'AUTH=PLAIN', 'LITERAL+'])), '* CAPABILITY IMAP4rev1 IMAP4rev2 AUTH=PLAIN LITERAL+\r\n');
    assert.equal(line(searchResponse([2, 84, 882])), '* SEARCH 2 84 882\r\n');
    assert.equal(line(searchResponse([])), '* SEARCH\r\n');
    assert.equal(line(searchResponse([2, 5], 917162500n)), '* SEARCH 2 5 (MODSEQ 917162500)\r\n');
    assert.equal(line(esearchResponse('A282', true, { min: 2, count: 3, all: [2, 3, 4, 10] }, ['MIN', 'COUNT'])), '* ESEARCH (TAG "A282") UID MIN 2 COUNT 3\r\n');
    assert.equal(line(esearchResponse('a', false, { all: [1, 2, 3, 5, 7, 8], count: 6 })), '* ESEARCH (TAG "a") ALL 1:3,5,7:8 COUNT 6\r\n');
    assert.equal(line(vanishedResponse([41, 43, 44, 45, 116], true)), '* VANISHED (EARLIER) 41,43:45,116\r\n');
  });

  it('LIST and STATUS with modified UTF-7 names, or UTF-8 after UTF8=ACCEPT', () => {
    assert.equal(line(listResponse({ name: '中國書店', attributes: ['\\HasNoChildren'], delimiter: '/' }, ascii)), '* LIST (\\HasNoChildren) "/" &Ti1XC2b4Xpc-\r\n');
    assert.equal(line(listResponse({ name: '中國書店', attributes: [], delimiter: '/' }, { utf8: true }), true), '* LIST () "/" "\xe4\xb8\xad\xe5\x9c\x8b\xe6\x9b\xb8\xe5\xba\x97"\r\n');
    assert.equal(line(listResponse({ name: 'inbox', attributes: ['\\Marked'], delimiter: null }, ascii, 'LSUB')), '* LSUB (\\Marked) NIL INBOX\r\n');
    assert.equal(
      line(listResponse({ name: 'Foo', attributes: ['\\Subscribed'], delimiter: '/', childInfo: ['SUBSCRIBED'] }, ascii)),
      '* LIST (\\Subscribed) "/" Foo ("CHILDINFO" ("SUBSCRIBED"))\r\n',
    );
    assert.equal(line(listResponse({ name: 'Sent Items', attributes: ['\\Sent'], delimiter: '/' }, ascii)), '* LIST (\\Sent) "/" "Sent Items"\r\n');
    assert.equal(line(statusResponse('blurdybloop', [['MESSAGES', 231], ['UIDNEXT', 44292], ['HIGHESTMODSEQ', 7011231777n]], ascii)), '* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292 HIGHESTMODSEQ 7011231777)\r\n');
  });

  it('NAMESPACE, QUOTA, QUOTAROOT, THREAD', () => {
    assert.equal(line(namespaceResponse([{ prefix: '', delimiter: '/' }], null, null, ascii)), '* NAMESPACE (("" "/")) NIL NIL\r\n');
    assert.equal(line(quotaResponse('', [{ resource: 'STORAGE', usage: 10, limit: 512 }])), '* QUOTA "" (STORAGE 10 512)\r\n');
    assert.equal(line(quotaRootResponse('INBOX', [''], ascii)), '* QUOTAROOT INBOX ""\r\n');
    // RFC 5256 §4 example.
    const t = (id: number, ...children: ReturnType<typeof node>[]) => node(id, children);
    function node(id: number | null, children: { id: number | null; children: unknown[] }[]): { id: number | null; children: never[] } {
      return { id, children: children as never[] };
    }
    assert.equal(line(threadResponse([t(2), t(3, t(6, t(4, t(23)), t(44, t(7, t(96)))))])), '* THREAD (2)(3 6 (4 23)(44 7 96))\r\n');
    assert.equal(line(threadResponse([])), '* THREAD\r\n');
  });
});
