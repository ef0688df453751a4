/** Messages written in the webmail: built octets read back by our MIME reader and by Python's email package. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { withBcc, buildMessage, quote, quotedPrintable, recipients, replyDraft, type Composition } from '../../src/webmail/compose.js';
import { readMessage } from '../../src/webmail/message.js';
import { parseMime } from '../../src/mail/mime/parse.js';
import { decodeQuotedPrintable } from '../../src/imap/engine/sections.js';
import { conversation } from '../../src/webmail/listing.js';

const base: Composition = {
  from: { name: 'Zoë Écrivain', address: 'zoe@example.test' },
  to: ['Bob <bob@remote.test>', 'carol@example.test'],
  cc: ['"Dan, Jr." <dan@remote.test>'],
  bcc: ['secret@remote.test'],
  subject: 'Grüße — a long subject line that needs encoding and maybe folding across lines',
  text: `Hello,\n\nA line with = signs and trailing space \nand a very long line ${'x'.repeat(200)}\nÜnïcödé.\n`,
  inReplyTo: '<orig@remote.test>',
  references: ['<root@remote.test>', '<orig@remote.test>'],
  attachments: [{ filename: 'résumé.pdf', type: 'application/pdf', data: Buffer.from('%PDF-1.4 binary \x00\x01\x02') }],
};

describe('buildMessage', () => {
  const raw = buildMessage(base, { now: new Date(Date.UTC(2026, 10, 28, 12)), messageIdDomain: 'example.test', keepBcc: false, randomId: () => 'fixed' });

  it('reads back through our MIME reader', () => {
    const v = readMessage(raw, parseMime(raw));
    assert.equal(v.subject, base.subject);
    assert.deepEqual(v.from, [{ name: 'Zoë Écrivain', address: 'zoe@example.test' }]);
    assert.deepEqual(v.to.map((p) => p.address), ['bob@remote.test', 'carol@example.test']);
    assert.deepEqual(v.cc, [{ name: 'Dan, Jr.', address: 'dan@remote.test' }]);
    assert.equal(v.text!.replace(/\r\n/g, '\n'), base.text);
    assert.equal(v.attachments.length, 1);
    assert.equal(v.attachments[0]!.filename, 'résumé.pdf');
    assert.equal(v.messageId, '<fixed@example.test>');
    assert.equal(v.inReplyTo, '<orig@remote.test>');
    assert.deepEqual(v.references, ['<root@remote.test>', '<orig@remote.test>']);
    assert.doesNotMatch(raw.toString(), /secret@remote\.test/, 'no Bcc in a sent message');
    for (const line of raw.toString('latin1').split('\r\n')) assert.ok(line.length <= 998, 'RFC 5322 §2.1.1 line length');
    assert.doesNotMatch(raw.toString('latin1'), /[^\r]\n/, 'CRLF only');
  });

  it('reads back through Python email (an independent parser)', () => {
    const out = execFileSync('python3', ['-c', `
import sys, email, email.policy, json
m = email.message_from_bytes(sys.stdin.buffer.read(), policy=email.policy.default)
body = m.get_body(('plain',)).get_content()
att = [ (p.get_filename(), p.get_content_type(), len(p.get_content())) for p in m.iter_attachments() ]
print(json.dumps({'subject': str(m['subject']), 'from': str(m['from']), 'cc': str(m['cc']), 'body': body, 'att': att, 'defects': [str(d) for p in m.walk() for d in p.defects]}))
`], { input: raw });
    const r = JSON.parse(out.toString()) as { subject: string; from: string; cc: string; body: string; att: Array<[string, string, number]>; defects: string[] };
    assert.equal(r.subject, base.subject);
    assert.equal(r.from, 'Zoë Écrivain <zoe@example.test>');
    assert.equal(r.cc, '"Dan, Jr." <dan@remote.test>');
    assert.equal(r.body.replace(/\r\n/g, '\n'), base.text);
    assert.deepEqual(r.att, [['résumé.pdf', 'application/pdf', base.attachments[0]!.data.length]]);
    assert.deepEqual(r.defects, []);
  });

  it('adds Bcc at the end of the header for the Sent copy, leaving the octets around it as they were', () => {
    const raw = buildMessage(base, { now: new Date(), messageIdDomain: 'example.test', keepBcc: false });
    const copy = withBcc(raw, recipients(base.bcc));
    const head = raw.indexOf('\r\n\r\n') + 2;
    assert.equal(copy.subarray(0, head).toString(), raw.subarray(0, head).toString());
    assert.equal(copy.subarray(head).toString(), `Bcc: secret@remote.test\r\n${raw.subarray(head).toString()}`);
    assert.equal(withBcc(raw, []), raw);
  });

  it('keeps Bcc in a draft', () => {
    const draft = buildMessage(base, { now: new Date(), messageIdDomain: 'example.test', keepBcc: true });
    assert.match(draft.toString(), /^Bcc: secret@remote\.test\r$/m);
  });

  it('refuses unreadable recipients and header injection', () => {
    assert.throws(() => recipients(['not an address']), /not an address/);
    assert.throws(() => recipients(['a@b.test\r\nBcc: x@y.test']), /line break/);
    assert.throws(() => buildMessage({ ...base, subject: 'x\r\nBcc: evil@x.test' }, { now: new Date(), messageIdDomain: 'x', keepBcc: false }), /one line/);
  });
});

describe('quoted-printable', () => {
  for (const text of ['', 'plain', 'trailing space ', `=${'é'.repeat(80)}`, 'tab\tend\t', 'a\nb\n\nc']) {
    it(`round-trips ${JSON.stringify(text.slice(0, 20))}`, () => {
      const qp = quotedPrintable(text);
      for (const l of qp.split('\r\n')) assert.ok(l.length <= 76, l);
      assert.equal(decodeQuotedPrintable(Buffer.from(qp)).toString('utf8').replace(/\r\n/g, '\n'), text);
    });
  }
});

describe('replies', () => {
  const raw = Buffer.from(
    'From: Bob <bob@remote.test>\r\nTo: zoe@example.test, Carol <carol@example.test>\r\nCc: dan@remote.test\r\nSubject: Plans\r\nMessage-ID: <m2@remote.test>\r\nReferences: <m1@remote.test>\r\nIn-Reply-To: <m1@remote.test>\r\n\r\nLine one\r\n> earlier\r\n',
  );
  const view = readMessage(raw, parseMime(raw));
  const own = new Set(['zoe@example.test']);

  it('reply: to the sender, Re: once, quoted, In-Reply-To and References (RFC 5322 §3.6.4)', () => {
    const r = replyDraft(view, view.text!, 'reply', own, 'Sat, 28 Nov 2026');
    assert.deepEqual(r.to, ['Bob <bob@remote.test>']);
    assert.deepEqual(r.cc, []);
    assert.equal(r.subject, 'Re: Plans');
    assert.equal(r.inReplyTo, '<m2@remote.test>');
    assert.deepEqual(r.references, ['<m1@remote.test>', '<m2@remote.test>']);
    assert.match(r.text, /Bob <bob@remote\.test> wrote:\n> Line one\n>> earlier/);
    assert.equal(replyDraft({ ...view, subject: 'RE: Plans' }, '', 'reply', own, '').subject, 'RE: Plans');
  });

  it('reply-all: everyone but me', () => {
    const r = replyDraft(view, view.text!, 'all', own, '');
    assert.deepEqual(r.to, ['Bob <bob@remote.test>']);
    assert.deepEqual(r.cc, ['Carol <carol@example.test>', 'dan@remote.test']);
  });

  it('forward: Fwd:, no recipients, the original header block', () => {
    const r = replyDraft(view, view.text!, 'forward', own, 'when');
    assert.equal(r.subject, 'Fwd: Plans');
    assert.deepEqual(r.to, []);
    assert.match(r.text, /Forwarded message[\s\S]*From: Bob <bob@remote\.test>[\s\S]*Line one/);
  });

  it('quote marks nest', () => assert.equal(quote('a\n> b'), '> a\n>> b'));
});

describe('conversation', () => {
  const e = (id: string, irt: string | null, refs: string | null, date: number) => ({ internalDate: date, meta: { messageId: id, inReplyTo: irt, references: refs, date, size: 1, subject: null, from: null, to: null, cc: null, structure: null } });
  it('links by Message-ID, In-Reply-To and References, oldest first', () => {
    const a = e('<a@x>', null, null, 1);
    const b = e('<b@x>', '<a@x>', '<a@x>', 2);
    const c = e('<c@x>', '<b@x>', '<a@x> <b@x>', 3);
    const d = e('<d@x>', '<zzz@x>', null, 4);
    const orphanReply = e('<f@x>', '<c@x>', null, 5);
    assert.deepEqual(conversation(a, [d, c, orphanReply, b, a]), [a, b, c, orphanReply]);
    assert.deepEqual(conversation(d, [a, b, c, d]), [d]);
  });
});
