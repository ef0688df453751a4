import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { allMailboxes, parseAddressList, type AddressEntry } from '../../src/mail/address-list.js';

/** A compact view of a parse: mailboxes as "name <address>", groups as "name: [...]". */
function view(entries: AddressEntry[]): string[] {
  const mb = (m: { name: string; address: string }): string => (m.name ? `${m.name} <${m.address}>` : m.address);
  return entries.map((e) => (e.kind === 'mailbox' ? mb(e.mailbox) : `${e.name}: [${e.mailboxes.map(mb).join(', ')}]`));
}

describe('parseAddressList: what RFC 5322 §3.4 and §4.4 accept', () => {
  const cases: Array<[string, string[]]> = [
    ['a@x.test', ['a@x.test']],
    ['<a@x.test>', ['a@x.test']],
    ['Alice <a@x.test>', ['Alice <a@x.test>']],
    ['"Alice Smith" <a@x.test>', ['Alice Smith <a@x.test>']],
    ['"Smith, Alice" <a@x.test>, b@y.test', ['Smith, Alice <a@x.test>', 'b@y.test']],
    ['"quote \\" and \\\\ backslash" <a@x.test>', ['quote " and \\ backslash <a@x.test>']],
    ['"boss@bank.test" <me@ours.test>', ['boss@bank.test <me@ours.test>']],
    ['John Q. Public <jqp@x.test>', ['John Q. Public <jqp@x.test>']],
    ['Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>', ['Mary Smith <mary@x.test>', 'jdoe@example.org', 'Who? <one@y.test>']],
    ['A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;', ['A Group: [Ed Jones <c@a.test>, joe@where.test, John <jdoe@one.test>]']],
    ['Undisclosed recipients:;', ['Undisclosed recipients: []']],
    ['Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>', ['Pete <pete@silly.test>']],
    ['(comment) a@x.test (another)', ['a@x.test']],
    ['a@x.test (Alice (nested) Smith)', ['a@x.test']],
    // Obsolete forms (§4.4).
    ['<@relay1.test,@relay2.test:a@x.test>', ['a@x.test']],
    ['Name <@relay.test:a@x.test>', ['Name <a@x.test>']],
    [', , a@x.test,, b@y.test ,', ['a@x.test', 'b@y.test']],
    ['john . doe @ example . com', ['john.doe@example.com']],
    ['"john".doe@x.test', ['john.doe@x.test']],
    ['"me"@ours.test', ['me@ours.test']],
    ['"a b"@x.test', ['"a b"@x.test']],
    ['"a\\"b"@x.test', ['"a\\"b"@x.test']],
    ['a@[192.0.2.1]', ['a@[192.0.2.1]']],
    ['a@[ 192.0.2.1 ]', ['a@[192.0.2.1]']],
    ['Group: a@x.test, , b@y.test;', ['Group: [a@x.test, b@y.test]']],
    // RFC 6532: UTF-8 in names and addresses.
    ['Jörg <jörg@bücher.test>', ['Jörg <jörg@bücher.test>']],
    ['"Zoë" <z@x.test>', ['Zoë <z@x.test>']],
    // RFC 2047 display names.
    ['=?utf-8?q?Andr=C3=A9?= <a@x.test>', ['André <a@x.test>']],
    ['=?utf-8?q?a?= =?utf-8?q?b?= c <a@x.test>', ['ab c <a@x.test>']],
    ['"=?utf-8?q?Andr=C3=A9?=" <a@x.test>', ['André <a@x.test>']],
    ['', []],
    ['   ', []],
  ];
  for (const [input, expected] of cases) {
    it(`reads ${JSON.stringify(input)}`, () => {
      const r = parseAddressList(input);
      assert.ok(r.ok, r.ok ? '' : r.error);
      assert.deepEqual(view(r.entries), expected);
    });
  }

  it('keeps comments with their mailbox, decoded', () => {
    const r = parseAddressList('a@x.test (=?utf-8?q?caf=C3=A9?=), (two) b@y.test (three)');
    assert.ok(r.ok);
    const [a, b] = allMailboxes(r.entries);
    assert.deepEqual(a?.comments.map((c) => c.decoded), ['café']);
    assert.deepEqual(b?.comments.map((c) => c.decoded), ['two', 'three']);
  });

  it('reports how each mailbox was written', () => {
    const r = parseAddressList('"x y" <"q"@x.test>, plain@y.test');
    assert.ok(r.ok);
    const [a, b] = allMailboxes(r.entries);
    assert.equal(a?.angle, true);
    assert.equal(a?.quotedLocal, true);
    assert.deepEqual(a?.nameWords.map((w) => w.kind), ['quoted']);
    assert.equal(b?.angle, false);
    assert.equal(b?.localPart, 'plain');
    assert.equal(b?.domain, 'y.test');
  });
});

describe('parseAddressList: what it refuses', () => {
  const cases: Array<[string, RegExp]> = [
    ['boss@bank.test <me@ours.test>', /expected "," between addresses/],
    ['Me me@ours.test', /need a "\." between them/],
    ['Me', /not an address \(no "@"\)/],
    ['a@x.test b@y.test', /expected ","/],
    ['<a@x.test', /">" to close/],
    ['a@x.test>', /expected ","/],
    ['<>', /before "@" is empty/],
    ['@x.test', /before "@" is empty/],
    ['a@', /expected a domain/],
    ['a@x.', /domain label after "\."/],
    ['.a@x.test', /misplaced "\."/],
    ['a.@x.test', /ends with "\."/],
    ['a..b@x.test', /misplaced "\."/],
    ['"unclosed <a@x.test>', /quoted string is not closed/],
    ['(unclosed a@x.test', /comment "\(" is not closed/],
    ['a@x.test)', /"\)" is not allowed/],
    ['a@[1.2.3.4', /domain literal "\[" is not closed/],
    ['a@[1[2]', /not allowed in a domain literal/],
    ['a\\b@x.test', /"\\" is not allowed/],
    ['a@x.test\u0000', /control character U\+0000/],
    ['"a\u0007" <a@x.test>', /control character U\+0007/],
    ['a@x.test\r\nBcc: b@y.test', /control character U\+000D/],
    ['Outer: Inner: a@x.test;;', /cannot contain another group/],
    ['Group: a@x.test', /not closed with ";"/],
    [': a@x.test;', /group needs a name/],
    ['. <a@x.test>', /cannot start with "\."/],
    ['=?utf-8?q?evil_<evil@x>?= <me@ours.test>', /expected/],
    ['<@relay.test a@x.test>', /source route/],
  ];
  for (const [input, error] of cases) {
    it(`refuses ${JSON.stringify(input)}`, () => {
      const r = parseAddressList(input);
      assert.equal(r.ok, false, `parsed as ${JSON.stringify(r.ok && view(r.entries))}`);
      if (!r.ok) assert.match(r.error, error);
    });
  }
});

describe('parseAddressList: robustness', () => {
  it('never throws on any string (property)', () => {
    const piece = fc.constantFrom('a', 'b.c', '@', '<', '>', ',', ';', ':', '.', '"', '\\', '(', ')', '[', ']', ' ', '\t', '=?utf-8?q?x?=', 'é', '\u0000', '\uff20');
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 80 }), fc.array(piece, { maxLength: 40 }).map((p) => p.join(''))), (s) => {
        const r = parseAddressList(s);
        assert.equal(typeof r.ok, 'boolean');
      }),
      { numRuns: 2000 },
    );
  });

  it('handles deep nesting and long input without recursion', () => {
    const deep = `${'('.repeat(100_000)}${')'.repeat(100_000)} a@x.test`;
    assert.equal(parseAddressList(deep).ok, true);
    const many = Array.from({ length: 20_000 }, (_, i) => `u${i}@x.test`).join(', ');
    const r = parseAddressList(many);
    assert.ok(r.ok);
    assert.equal(allMailboxes(r.entries).length, 20_000);
  });

  it('reads every generated well-formed list back (property)', () => {
    const atom = fc.stringMatching(/^[a-z0-9]{1,8}$/);
    const mailbox = fc.record({ name: fc.option(fc.stringMatching(/^[A-Za-z ,@<>"]{1,12}$/), { nil: undefined }), local: atom, domain: atom });
    fc.assert(
      fc.property(fc.array(mailbox, { minLength: 1, maxLength: 5 }), (mbs) => {
        const text = mbs
          .map((m) => (m.name === undefined ? `${m.local}@${m.domain}.test` : `"${m.name.replace(/(["\\])/g, '\\$1')}" <${m.local}@${m.domain}.test>`))
          .join(', ');
        const r = parseAddressList(text);
        assert.ok(r.ok, text);
        assert.deepEqual(
          allMailboxes(r.entries).map((m) => m.address),
          mbs.map((m) => `${m.local}@${m.domain}.test`),
        );
      }),
    );
  });
});
