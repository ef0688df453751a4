/**
 * Search strings and their CHARSET (RFC 9051 §6.4.4, RFC 5256 §3): the parser keeps the octets of a string
 * whose reading depends on the charset (src/protocol/imap/search.ts), and src/imap/engine/search-charset.ts reads
 * them in the declared one, refusing charsets it has no decoder for and octets that are not text in the charset.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseCommand } from '../../../src/protocol/imap/parser.js';
import { ImapCommandReader } from '../../../src/protocol/imap/reader.js';
import type { SearchKey, SearchProgram } from '../../../src/protocol/imap/search.js';
import { SEARCH_CHARSETS, decodeProgram, decodeSearchString, searchEncodingOf } from '../../../src/imap/engine/search-charset.js';

/** The program of a SEARCH, SORT or THREAD command given as octets (literals accepted by the real reader). */
function programOf(octets: Buffer): SearchProgram {
  const reader = new ImapCommandReader();
  reader.push(Buffer.concat([octets, Buffer.from('\r\n')]));
  for (let e = reader.next(); e !== undefined; e = reader.next()) {
    if (e.kind === 'literal-request') reader.acceptLiteral();
    else if (e.kind === 'command') {
      const cmd = parseCommand(e.command);
      assert.ok(cmd.name === 'SEARCH' || cmd.name === 'SORT' || cmd.name === 'THREAD', cmd.name);
      return cmd.program;
    } else throw e.error;
  }
  throw new Error('incomplete command');
}

const latin1 = (s: string) => Buffer.from(s, 'latin1');
const decoded = (p: SearchProgram): SearchKey => {
  const r = decodeProgram(p);
  assert.equal(r.ok, true, JSON.stringify(r));
  return (r as { program: SearchProgram }).program.criteria;
};

describe('search strings in a CHARSET', () => {
  it('the parser keeps the octets only when the charset decides what they mean', () => {
    // ASCII, or UTF-8 under UTF-8 / US-ASCII / no CHARSET: read already, nothing kept (the parser tests' shapes).
    assert.deepEqual(programOf(latin1('a SEARCH CHARSET ISO-8859-1 SUBJECT cafe')).criteria, { kind: 'header', field: 'Subject', value: 'cafe' });
    assert.deepEqual(programOf(Buffer.from('a SEARCH CHARSET UTF-8 BODY "café"')).criteria, { kind: 'body', value: 'café' });
    assert.deepEqual(programOf(Buffer.from('a SEARCH TEXT "café"')).criteria, { kind: 'text', value: 'café' });
    // Another charset, 8-bit: the octets are kept.
    assert.deepEqual(programOf(latin1('a SEARCH CHARSET ISO-8859-1 SUBJECT "caf\xe9"')).criteria, {
      kind: 'header',
      field: 'Subject',
      value: 'café',
      raw: latin1('caf\xe9'),
    });
    // Not UTF-8 under UTF-8: kept too (the server refuses it), in literals and HEADER values alike.
    const p = programOf(latin1('a SEARCH CHARSET UTF-8 OR HEADER X-Tag {5}\r\nna\xefve NOT BODY "ok"'));
    assert.deepEqual(p.criteria, {
      kind: 'or',
      left: { kind: 'header', field: 'X-Tag', value: 'naïve', raw: latin1('na\xefve') },
      right: { kind: 'not', key: { kind: 'body', value: 'ok' } },
    });
    // SORT and THREAD: the charset is part of the criteria.
    assert.deepEqual(programOf(latin1('a SORT (DATE) KOI8-R SUBJECT "\xf0\xd2\xc9"')), {
      charset: 'KOI8-R',
      criteria: { kind: 'header', field: 'Subject', value: 'ðÒÉ', raw: latin1('\xf0\xd2\xc9') },
    });
    assert.equal(programOf(latin1('a UID THREAD REFERENCES WINDOWS-1252 BODY "\x80"')).charset, 'WINDOWS-1252');
  });

  it('strings are read in the declared charset', () => {
    assert.deepEqual(decoded(programOf(latin1('a SEARCH CHARSET ISO-8859-1 SUBJECT "caf\xe9"'))), { kind: 'header', field: 'Subject', value: 'café', raw: latin1('caf\xe9') });
    // ISO-8859-1 is windows-1252 (src/mail/charset.ts): 0x80 is the euro sign, as clients mean it.
    assert.equal((decoded(programOf(latin1('a SEARCH CHARSET ISO-8859-1 BODY "5 \x80"'))) as { value: string }).value, '5 €');
    assert.equal((decoded(programOf(latin1('a SEARCH CHARSET WINDOWS-1252 BODY "\x93quoted\x94"'))) as { value: string }).value, '“quoted”');
    assert.equal((decoded(programOf(latin1('a SEARCH CHARSET KOI8-R TEXT "\xf0\xd2\xc9\xd7\xc5\xd4"'))) as { value: string }).value, 'Привет');
    assert.equal((decoded(programOf(latin1('a SEARCH CHARSET ISO-8859-7 TEXT "\xe1\xe2\xe3"'))) as { value: string }).value, 'αβγ');
    assert.equal((decoded(programOf(latin1('a SEARCH CHARSET SHIFT_JIS TEXT "\x93\xfa\x96\x7b"'))) as { value: string }).value, '日本');
    // Labels resolve as for MIME parts; US-ASCII with 8-bit UTF-8 is read as UTF-8, as Dovecot does.
    assert.equal((decoded(programOf(latin1('a SEARCH CHARSET latin1 TEXT "\xe9t\xe9"'))) as { value: string }).value, 'été');
    assert.equal((decoded(programOf(Buffer.from('a SEARCH CHARSET US-ASCII TEXT "été"'))) as { value: string }).value, 'été');
    // Nested keys are read too; other keys pass through.
    const key = decoded(programOf(latin1('a SEARCH CHARSET ISO-8859-15 (SEEN OR FROM "\xa4" NOT TO "\xe9")')));
    assert.deepEqual(key, {
      kind: 'and',
      keys: [
        { kind: 'flag', flag: '\\Seen', present: true },
        {
          kind: 'or',
          left: { kind: 'header', field: 'From', value: '€', raw: latin1('\xa4') },
          right: { kind: 'not', key: { kind: 'header', field: 'To', value: 'é', raw: latin1('\xe9') } },
        },
      ],
    });
  });

  it('unknown charsets and octets that are not text in the charset are refused', () => {
    assert.deepEqual(decodeProgram(programOf(latin1('a SEARCH CHARSET X-NOTHING ALL'))), { ok: false, problem: 'unknown-charset' });
    // WHATWG's replacement encoding and UTF-16 (NUL octets) are not offered.
    assert.deepEqual(decodeProgram(programOf(latin1('a SEARCH CHARSET ISO-2022-KR ALL'))), { ok: false, problem: 'unknown-charset' });
    assert.deepEqual(decodeProgram(programOf(latin1('a SEARCH CHARSET UTF-16LE ALL'))), { ok: false, problem: 'unknown-charset' });
    for (const cmd of [
      'a SEARCH CHARSET UTF-8 SUBJECT "caf\xe9"',
      'a SEARCH SUBJECT "caf\xe9"',
      'a SEARCH CHARSET US-ASCII BODY {4}\r\ncaf\xe9',
      'a SEARCH CHARSET UTF-8 NOT OR SEEN TEXT "\xff"',
      'a SORT (ARRIVAL) UTF-8 SUBJECT "\xc3"',
      'a SEARCH CHARSET SHIFT_JIS TEXT "\x81"',
      'a SEARCH CHARSET EUC-KR TEXT "\xff\xff"',
    ])
      assert.deepEqual(decodeProgram(programOf(latin1(cmd))), { ok: false, problem: 'invalid-text' }, JSON.stringify(cmd));
    // A charset without strings is fine.
    assert.equal(decodeProgram(programOf(latin1('a SEARCH CHARSET KOI8-U ALL'))).ok, true);
  });

  it('every announced charset has a decoder, and reads ASCII as ASCII', () => {
    for (const name of SEARCH_CHARSETS) {
      const encoding = searchEncodingOf(name);
      assert.notEqual(encoding, null, name);
      assert.equal(decodeSearchString(encoding!, Buffer.from('Plain ASCII 123 ~!')), 'Plain ASCII 123 ~!', name);
    }
    assert.ok(SEARCH_CHARSETS.includes('ISO-8859-1') && SEARCH_CHARSETS.includes('WINDOWS-1252') && SEARCH_CHARSETS.includes('UTF-8'));
    assert.equal(searchEncodingOf(undefined), 'utf-8');
    assert.equal(searchEncodingOf('US-ASCII'), 'utf-8');
  });
});
