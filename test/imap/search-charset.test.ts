/**
 * SEARCH, SORT and THREAD with a CHARSET other than UTF-8 (RFC 9051 §6.4.4, RFC 5256 §3) through the real IMAP
 * server (src/imap/server.ts) on an implicit-TLS loopback socket with real services (SQLite store, text index):
 * - Python's imaplib, as an older client would, sends 8-bit search strings in ISO-8859-1, WINDOWS-1252 and
 *   KOI8-R and finds the messages; strings that are not UTF-8 under UTF-8 (or no CHARSET) are a BAD and the
 *   session goes on; an unknown charset is NO [BADCHARSET (…)] listing the charsets offered; after ENABLE
 *   UTF8=ACCEPT a charset other than UTF-8 is a BAD (RFC 6855 §3);
 * - the same commands, octet for octet, to a private Dovecot 2.3 holding the same messages
 *   (test/imap/dovecot-oracle.ts): the tagged status (OK/NO/BAD, BADCHARSET) and the results agree.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect as netConnect } from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import type { TestServices } from '../kit/services.js';
import { startTestImap, type TestImapServer } from '../kit/imap-server.js';
import { python } from '../kit/python.js';
import { extractMeta } from '../../src/mail/meta.js';
import { describeMessage } from '../../src/imap/engine/describe.js';
import { startDovecot, type Dovecot } from './dovecot-oracle.js';

const PASSWORD = 'a long good passphrase';
const latin1 = (s: string) => Buffer.from(s, 'latin1');

/** 1: Latin-1 subject and body; 2: KOI8-R; 3: UTF-8 with a euro sign; 4: plain ASCII. */
const MESSAGES = [
  latin1(
    'From: a@example.test\r\nTo: b@example.test\r\nSubject: =?iso-8859-1?q?caf=E9?=\r\nDate: Mon, 2 Feb 2026 10:00:00 +0000\r\nMessage-ID: <m1@example.test>\r\n' +
      'Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\nun caf\xe9 na\xeff\r\n',
  ),
  latin1(
    'From: c@example.test\r\nTo: b@example.test\r\nSubject: =?koi8-r?b?8NLJ18XU?=\r\nDate: Tue, 3 Feb 2026 10:00:00 +0000\r\nMessage-ID: <m2@example.test>\r\n' +
      'Content-Type: text/plain; charset=koi8-r\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\xf0\xd2\xc9\xd7\xc5\xd4, \xcd\xc9\xd2\r\n',
  ),
  Buffer.from(
    'From: d@example.test\r\nTo: b@example.test\r\nSubject: price\r\nDate: Wed, 4 Feb 2026 10:00:00 +0000\r\nMessage-ID: <m3@example.test>\r\n' +
      'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nit costs 5 € and a “quote”\r\n',
  ),
  Buffer.from('From: e@example.test\r\nTo: b@example.test\r\nSubject: plain\r\nDate: Thu, 5 Feb 2026 10:00:00 +0000\r\nMessage-ID: <m4@example.test>\r\n\r\nnothing here\r\n'),
];

/** Commands compared with Dovecot (after the tag), as octets. */
const COMPARED = [
  'SEARCH CHARSET ISO-8859-1 SUBJECT "caf\xe9"',
  'SEARCH CHARSET ISO-8859-1 BODY {4+}\r\nna\xeff',
  'SEARCH CHARSET WINDOWS-1252 BODY "\x80"',
  'SEARCH CHARSET WINDOWS-1252 BODY "\x93quote\x94"',
  'SEARCH CHARSET KOI8-R SUBJECT "\xf0\xd2\xc9"',
  'SEARCH CHARSET KOI8-R TEXT "\xcd\xc9\xd2"',
  'SEARCH CHARSET ISO-8859-1 OR SUBJECT "caf\xe9" SUBJECT plain',
  'SEARCH CHARSET ISO-8859-1 NOT BODY "caf\xe9"',
  'SEARCH CHARSET ISO-8859-1 ALL',
  'SEARCH CHARSET UTF-8 SUBJECT "caf\xc3\xa9"',
  'SEARCH CHARSET US-ASCII SUBJECT "caf\xc3\xa9"',
  // Not UTF-8 where UTF-8 is declared or implied: Dovecot answers BAD (Invalid search key).
  'SEARCH CHARSET UTF-8 SUBJECT "caf\xe9"',
  'SEARCH SUBJECT "caf\xe9"',
  'SEARCH CHARSET US-ASCII BODY {4+}\r\ncaf\xe9',
  'SEARCH CHARSET UTF-8 OR SEEN HEADER X-Tag "\xff"',
  'UID SEARCH TEXT "\xc3"',
  // Unknown charsets: NO [BADCHARSET].
  'SEARCH CHARSET X-NO-SUCH-CHARSET ALL',
  'SEARCH CHARSET X-NO-SUCH-CHARSET SUBJECT "caf\xe9"',
  // SORT and THREAD: the same rules for their charset.
  'SORT (SUBJECT) ISO-8859-1 SUBJECT "caf\xe9"',
  'SORT (DATE) KOI8-R OR SUBJECT "\xf0\xd2\xc9" BODY "\xe9"',
  'SORT (DATE) UTF-8 SUBJECT "caf\xe9"',
  'SORT (DATE) X-NO-SUCH-CHARSET ALL',
  'THREAD REFERENCES WINDOWS-1252 BODY "\x80"',
  'THREAD ORDEREDSUBJECT UTF-8 BODY "\xe9"',
];

/** A raw-octets IMAP client: sends a command, returns the untagged lines and the tagged line. */
class OctetClient {
  #buf = Buffer.alloc(0);
  #wake: (() => void) | undefined;
  #n = 0;
  constructor(private readonly socket: Duplex) {
    socket.on('data', (d: Buffer) => {
      this.#buf = Buffer.concat([this.#buf, d]);
      this.#wake?.();
    });
  }
  async #until(re: RegExp): Promise<string> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const text = this.#buf.toString('latin1');
      const m = re.exec(text);
      if (m) {
        this.#buf = this.#buf.subarray(Buffer.byteLength(text.slice(0, m.index + m[0].length), 'latin1'));
        return text.slice(0, m.index + m[0].length);
      }
      if (Date.now() > deadline) throw new Error(`no ${re} in ${JSON.stringify(text)}`);
      await new Promise<void>((r) => {
        this.#wake = r;
        setTimeout(r, 200);
      });
    }
  }
  async greeting(): Promise<void> {
    await this.#until(/^\* OK[^\r\n]*\r\n/m);
  }
  async command(octets: string): Promise<{ untagged: string[]; tagged: string }> {
    const tag = `c${++this.#n}`;
    this.socket.write(latin1(`${tag} ${octets}\r\n`));
    const out = await this.#until(new RegExp(`^${tag} [^\\r\\n]*\\r\\n`, 'm'));
    const lines = out.split('\r\n').filter((l) => l !== '');
    return { untagged: lines.filter((l) => l.startsWith('* ')), tagged: lines[lines.length - 1]!.slice(tag.length + 1) };
  }
  close(): void {
    this.socket.destroy();
  }
}

/** What both servers must agree on: OK/NO/BAD, BADCHARSET or not, and the SEARCH/SORT/THREAD results. */
function outcome(r: { untagged: string[]; tagged: string }): string {
  const status = /^(OK|NO|BAD)/.exec(r.tagged)![1]!;
  const code = /^NO \[BADCHARSET\b/.test(r.tagged) ? ' [BADCHARSET]' : '';
  const results = r.untagged.filter((l) => /^\* (SEARCH|SORT|THREAD)\b/.test(l)).map((l) => l.trimEnd());
  return `${status}${code} ${results.join(' | ')}`.trim();
}

describe('SEARCH, SORT and THREAD in other charsets', { timeout: 120_000 }, () => {
  let server: TestImapServer;
  let t: TestServices;
  let port: number;

  before(async () => {
    server = await startTestImap();
    ({ t, port } = server);
    await t.accounts.addMailbox('alice@example.test', PASSWORD);
    const inbox = (await t.store.getFolder((await t.store.getMailbox('alice@example.test'))!.id, 'INBOX'))!;
    for (const [i, raw] of MESSAGES.entries()) await t.store.append(inbox.id, raw, { ...extractMeta(raw), ...describeMessage(raw) }, [], 1_770_000_000_000 + i * 60_000);
  });
  after(() => server?.close());

  it('Python imaplib searches, sorts and threads in ISO-8859-1, WINDOWS-1252 and KOI8-R', async () => {
    const script = `
import imaplib, ssl, sys, json
port, user, password = sys.argv[1:4]
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
m = imaplib.IMAP4_SSL('127.0.0.1', int(port), ssl_context=ctx)
m.login(user, password)
m.select('INBOX')
out = {}
def run(name, f):
    try:
        typ, data = f()
        out[name] = [typ, [d.decode('latin1') if isinstance(d, bytes) else str(d) for d in data]]
    except imaplib.IMAP4.error as e:
        out[name] = ['error', str(e)]
run('latin1', lambda: m.search('ISO-8859-1', 'SUBJECT', '"café"'.encode('latin1')))
run('cp1252', lambda: m.search('WINDOWS-1252', 'BODY', '"€"'.encode('cp1252')))
run('koi8', lambda: m.search('KOI8-R', 'TEXT', '"Привет"'.encode('koi8-r')))
m.literal = 'naïf'.encode('latin1')
run('literal', lambda: m.search('ISO-8859-1', 'BODY'))
run('uid', lambda: m.uid('SEARCH', 'CHARSET', 'ISO-8859-1', 'SUBJECT', '"café"'.encode('latin1')))
run('sort', lambda: m.sort('(REVERSE DATE)', 'ISO-8859-1', 'OR', 'SUBJECT', '"café"'.encode('latin1'), 'SUBJECT', 'plain'))
run('thread', lambda: m.thread('REFERENCES', 'KOI8-R', 'BODY', '"мир"'.encode('koi8-r')))
run('utf8-invalid', lambda: m.search('UTF-8', 'SUBJECT', '"café"'.encode('latin1')))
run('none-invalid', lambda: m.search(None, 'SUBJECT', '"café"'.encode('latin1')))
run('unknown', lambda: m.search('X-MARTIAN', 'ALL'))
run('after', lambda: m.noop())
m.logout()
print(json.dumps(out))
`;
    const r = await python(script, [String(port), 'alice@example.test', PASSWORD]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Record<string, [string, unknown]>;
    assert.deepEqual(out.latin1, ['OK', ['1']]);
    assert.deepEqual(out.cp1252, ['OK', ['3']]);
    assert.deepEqual(out.koi8, ['OK', ['2']]);
    assert.deepEqual(out.literal, ['OK', ['1']]);
    assert.deepEqual(out.uid, ['OK', ['1']]);
    assert.deepEqual(out.sort, ['OK', ['4 1']]);
    assert.deepEqual(out.thread, ['OK', ['(2)']]);
    assert.equal(out['utf8-invalid']![0], 'error');
    assert.match(String(out['utf8-invalid']![1]), /BAD.*not text in UTF-8/);
    assert.match(String(out['none-invalid']![1]), /BAD.*not text in UTF-8/);
    assert.equal(out.unknown![0], 'NO');
    assert.deepEqual(out.after![0], 'OK', 'the session goes on after the BAD and the NO');
  });

  it('an unknown charset lists the charsets offered', async () => {
    const c = new OctetClient(tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false }));
    await c.greeting();
    assert.match((await c.command(`LOGIN alice@example.test "${PASSWORD}"`)).tagged, /^OK/);
    assert.match((await c.command('SELECT INBOX')).tagged, /^OK/);
    const r = await c.command('SEARCH CHARSET X-MARTIAN ALL');
    assert.match(r.tagged, /^NO \[BADCHARSET \(UTF-8 US-ASCII ISO-8859-1 WINDOWS-1252 [^)]*\bKOI8-R\b[^)]*\)\] /);
    c.close();
  });

  it('after ENABLE UTF8=ACCEPT another charset label is a BAD (RFC 6855 §3, erratum 4029); UTF-8 still answers', async () => {
    const c = new OctetClient(tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false }));
    await c.greeting();
    assert.match((await c.command(`LOGIN alice@example.test "${PASSWORD}"`)).tagged, /^OK/);
    assert.match((await c.command('ENABLE UTF8=ACCEPT')).tagged, /^OK/);
    assert.match((await c.command('SELECT INBOX')).tagged, /^OK/);
    assert.match((await c.command('SEARCH CHARSET ISO-8859-1 SUBJECT "caf\xe9"')).tagged, /^BAD after ENABLE UTF8=ACCEPT, search strings are UTF-8, not ISO-8859-1/);
    assert.match((await c.command('SORT (DATE) KOI8-R ALL')).tagged, /^BAD /);
    assert.match((await c.command('THREAD REFERENCES X-MARTIAN ALL')).tagged, /^BAD /);
    const r = await c.command('SEARCH CHARSET UTF-8 SUBJECT "caf\xc3\xa9"');
    assert.deepEqual([r.untagged, r.tagged.slice(0, 2)], [['* SEARCH 1'], 'OK']);
    assert.match((await c.command('SORT (DATE) UTF-8 SUBJECT "caf\xc3\xa9"')).untagged.join(), /^\* SORT 1$/);
    c.close();
  });

  describe('the same commands to Dovecot 2.3', () => {
    let dovecot: Dovecot;
    before(async () => {
      dovecot = await startDovecot();
      for (const raw of MESSAGES) await dovecot.deliver(raw);
    });
    after(async () => {
      await dovecot?.stop();
    });

    it('agrees on the tagged status and the results of every command', async () => {
      const ours = new OctetClient(tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false }));
      const theirs = new OctetClient(netConnect(dovecot.port, '127.0.0.1'));
      await ours.greeting();
      await theirs.greeting();
      assert.match((await ours.command(`LOGIN alice@example.test "${PASSWORD}"`)).tagged, /^OK/);
      assert.match((await theirs.command('LOGIN alice secret')).tagged, /^OK/);
      for (const c of [ours, theirs]) assert.match((await c.command('SELECT INBOX')).tagged, /^OK/);
      const uidsOurs = (await ours.command('UID SEARCH ALL')).untagged;
      const uidsTheirs = (await theirs.command('UID SEARCH ALL')).untagged;
      assert.deepEqual(uidsOurs, uidsTheirs, 'both number the messages 1..4');
      let bads = 0;
      for (const cmd of COMPARED) {
        const a = outcome(await ours.command(cmd));
        const b = outcome(await theirs.command(cmd));
        assert.equal(a, b, `${JSON.stringify(cmd)}: Outpost ${a}, Dovecot ${b}`);
        if (a.startsWith('BAD')) bads++;
      }
      assert.ok(bads >= 5, 'the invalid strings were refused by both');
      ours.close();
      theirs.close();
    });
  });
});
