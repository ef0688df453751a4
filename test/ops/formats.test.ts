/** mbox and Maildir formats, sans I/O: From_ quoting both ways, Content-Length, status headers, maildir info letters. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatMboxMessage, parseFromLineDate, splitMbox } from '../../src/ops/formats/mbox.js';
import { dirOfFolder, flagsOfName, folderOfDir, infoOfFlags, parseDovecotKeywords } from '../../src/ops/formats/maildir.js';
import { toCrlf } from '../../src/ops/import.js';

const crlf = (s: string) => Buffer.from(s.replace(/\n/g, '\r\n'), 'latin1');

describe('mbox', () => {
  it('splits at From_ lines after an empty line and undoes mboxrd quoting', () => {
    const text = [
      'From alice@example.test Tue Mar  3 10:00:00 2020',
      'Subject: one',
      'Status: RO',
      'X-Status: AF',
      'X-Keywords: $Label1 project',
      '',
      '>From the start',
      '>>From twice',
      'From_ is not a From line here',
      '',
      'From bob@example.test Wed Mar  4 11:12:13 2020',
      'Subject: two',
      '',
      'body',
      '',
    ].join('\n');
    const msgs = [...splitMbox(Buffer.from(text))];
    assert.equal(msgs.length, 2);
    assert.equal(msgs[0]!.raw.toString(), 'Subject: one\r\n\r\nFrom the start\r\n>From twice\r\nFrom_ is not a From line here\r\n');
    assert.deepEqual(msgs[0]!.flags, ['$Label1', '\\Answered', '\\Flagged', '\\Seen', 'project']);
    assert.equal(msgs[0]!.date, Date.UTC(2020, 2, 3, 10, 0, 0));
    assert.equal(msgs[0]!.sender, 'alice@example.test');
    assert.equal(msgs[1]!.raw.toString(), 'Subject: two\r\n\r\nbody\r\n');
    assert.deepEqual(msgs[1]!.flags, []);
    // mboxo only unquotes one level of ">From ".
    const o = [...splitMbox(Buffer.from(text), 'mboxo')];
    assert.match(o[0]!.raw.toString(), /\r\nFrom the start\r\n>>From twice\r\n/);
  });

  it('trusts a Content-Length that ends at the next From_ line (mutt), and ignores a wrong one', () => {
    const body = 'Hello\n\nFrom here on\n';
    const good = `From a@x Sun Nov 29 00:16:41 2026\nSubject: s\nContent-Length: ${body.length}\nLines: 3\n\n${body}\nFrom b@x Sun Nov 29 00:16:42 2026\nSubject: t\n\nx\n`;
    const g = [...splitMbox(Buffer.from(good))];
    assert.equal(g.length, 2);
    assert.equal(g[0]!.raw.toString(), 'Subject: s\r\nLines: 3\r\n\r\nHello\r\n\r\nFrom here on\r\n');
    const wrong = good.replace(`Content-Length: ${body.length}`, 'Content-Length: 3');
    assert.equal([...splitMbox(Buffer.from(wrong))].length, 3, 'a wrong length falls back to From_ lines');
  });

  it('reads the From_ line date in its common shapes', () => {
    assert.equal(parseFromLineDate('From x Sat Nov 28 23:58:54 2026'), Date.UTC(2026, 10, 28, 23, 58, 54));
    assert.equal(parseFromLineDate('From x Mon Jan  5 07:08 2015'), Date.UTC(2015, 0, 5, 7, 8, 0));
    assert.equal(parseFromLineDate('From x Mon Jan  5 07:08:09 PST 2015'), Date.UTC(2015, 0, 5, 7, 8, 9));
    assert.equal(parseFromLineDate('From x'), null);
  });

  it('format then split gives back the same bytes, flags and date (property)', () => {
    const line = fc.stringMatching(/^(>{0,3}From [a-z ]{0,10}|[a-zA-Z0-9 .:>-]{0,30})$/);
    fc.assert(
      fc.property(fc.array(fc.array(line, { maxLength: 6 }), { minLength: 1, maxLength: 4 }), fc.subarray(['\\Seen', '\\Answered', '\\Flagged', '\\Draft', '$Label1', 'kw']), (bodies, flags) => {
        const raws = bodies.map((b, i) => crlf(`Subject: m${i}\nX-Extra: y\n\n${b.map((l) => `${l}\n`).join('')}`));
        const file = Buffer.concat(raws.map((r, i) => formatMboxMessage(r, flags, Date.UTC(2020, 0, 1 + i, 1, 2, 3), 'me@example.test')));
        const back = [...splitMbox(file)];
        assert.equal(back.length, raws.length);
        back.forEach((m, i) => {
          assert.deepEqual(m.raw, raws[i]);
          assert.deepEqual(m.flags, [...flags].sort());
          assert.equal(m.date, Date.UTC(2020, 0, 1 + i, 1, 2, 3));
        });
      }),
      { numRuns: 300 },
    );
  });
});

describe('Maildir', () => {
  it('reads flags and Dovecot keywords from file names', () => {
    const kw = parseDovecotKeywords('0 $Label1\n1 project_x\nbad line\n');
    assert.deepEqual(flagsOfName('1700000000.M1P2.host,S=10,W=12:2,FRSab', kw), ['$Label1', '\\Answered', '\\Flagged', '\\Seen', 'project_x']);
    assert.deepEqual(flagsOfName('1700000000.M1P2.host:2,DPT', kw), ['$Forwarded', '\\Deleted', '\\Draft']);
    assert.deepEqual(flagsOfName('1700000000.M1P2.host', kw), [], 'new/ files have no info');
  });

  it('writes info letters in ASCII order and numbers new keywords', () => {
    const index = ['$Label1'];
    assert.deepEqual(infoOfFlags(['\\Seen', 'zeta', '\\Answered', '$Label1', '\\Draft'], index), { info: ':2,DRSab', dropped: [] });
    assert.deepEqual(index, ['$Label1', 'zeta']);
    const full = Array.from({ length: 26 }, (_, i) => `k${i}`);
    assert.deepEqual(infoOfFlags(['one-more'], full).dropped, ['one-more']);
  });

  it('maps Maildir++ directories to folder names (modified UTF-7)', () => {
    assert.equal(folderOfDir('.Projects.2026'), 'Projects/2026');
    assert.equal(folderOfDir('.&ANw-ber uns'), 'Über uns');
    assert.equal(folderOfDir('cur'), null);
    assert.equal(folderOfDir('..'), null);
    assert.equal(dirOfFolder('Über uns/Ärger'), '.&ANw-ber uns.&AMQ-rger');
    assert.equal(dirOfFolder('INBOX'), '');
  });

  it('converts LF to CRLF without doubling CR', () => {
    assert.equal(toCrlf(Buffer.from('a\nb\r\nc\n')).toString(), 'a\r\nb\r\nc\r\n');
    assert.equal(toCrlf(Buffer.from('no newline')).toString(), 'no newline');
  });
});
