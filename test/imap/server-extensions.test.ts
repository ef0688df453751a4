/**
 * IMAP extensions of part 2 against the real `outpost serve`: CONDSTORE and QRESYNC (RFC 7162) through imapflow
 * (which enables and uses them when advertised) and raw transcripts (HIGHESTMODSEQ, FETCH MODSEQ/CHANGEDSINCE/
 * VANISHED, STORE UNCHANGEDSINCE → MODIFIED, SEARCH MODSEQ, SELECT … QRESYNC, VANISHED instead of EXPUNGE);
 * ESEARCH, SEARCHRES, SORT, THREAD, QUOTA, STATUS=SIZE and LIST-STATUS through Python imaplib and transcripts;
 * COMPRESS=DEFLATE through imaplib's socket and Python's zlib; the per-(user, IP) connection limit across both
 * listeners; UTF8=ACCEPT (RFC 6855) in a transcript and through imapflow (which enables it).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ImapFlow } from 'imapflow';
import { makeDataDir, type TestDataDir } from '../kit/data-dir.js';
import { startServe, type ServeProcess } from '../kit/serve.js';
import { outpost } from '../kit/cli.js';
import { LineClient } from '../kit/tcp.js';
import { python } from '../kit/python.js';

const PASSWORD = 'a long good passphrase';
const tagged = (tag: string) => new RegExp(`^${tag} (OK|NO|BAD)[^\\r\\n]*\\r\\n`, 'm');

describe('IMAP extensions', () => {
  let d: TestDataDir;
  let serve: ServeProcess;
  const session = async (user: string): Promise<LineClient> => {
    const c = await LineClient.open(d.ports.imaps, true);
    await c.read(/^\* OK .*\r\n/);
    assert.match(await c.cmd(`L LOGIN ${user} "${PASSWORD}"`, tagged('L')), /^L OK /m);
    return c;
  };
  const append = async (c: LineClient, tag: string, folder: string, subject: string, extra = '') => {
    const msg = `Subject: ${subject}\r\n${extra}\r\nbody\r\n`;
    return c.cmd(`${tag} APPEND ${folder} {${msg.length}+}\r\n${msg}`, tagged(tag));
  };
  const modSeqOf = (text: string, uid: number): number => Number(new RegExp(`UID ${uid} [^\\r\\n]*MODSEQ \\((\\d+)\\)`).exec(text)?.[1] ?? NaN);

  before(async () => {
    d = await makeDataDir();
    for (const u of ['alice', 'bob', 'carol', 'dave', 'erin'])
      assert.equal((await outpost(['--data', d.dir, 'account', 'add', `${u}@example.test`, '--password-stdin'], { stdin: `${PASSWORD}\n` })).code, 0);
    assert.equal((await outpost(['--data', d.dir, 'account', 'add', 'quota@example.test', '--quota', '100K', '--password-stdin'], { stdin: `${PASSWORD}\n` })).code, 0);
    serve = startServe(d.dir);
    await serve.waitFor(/Outpost is running/);
  });
  after(async () => {
    assert.equal(await serve.stop(), 0);
  });

  it('CONDSTORE: HIGHESTMODSEQ, FETCH MODSEQ and CHANGEDSINCE, STORE UNCHANGEDSINCE → MODIFIED, SEARCH MODSEQ', async () => {
    const c = await session('alice@example.test');
    assert.match(await c.cmd('c CAPABILITY', tagged('c')), /^\* CAPABILITY [^\r\n]* CONDSTORE QRESYNC/m);
    for (let i = 1; i <= 4; i++) await append(c, `a${i}`, 'INBOX', `m${i}`);
    // Plain SELECT before CONDSTORE is enabled: no HIGHESTMODSEQ.
    assert.doesNotMatch(await c.cmd('s0 SELECT INBOX', tagged('s0')), /HIGHESTMODSEQ/);
    const sel = await c.cmd('s1 SELECT INBOX (CONDSTORE)', tagged('s1'));
    const highest = Number(/^\* OK \[HIGHESTMODSEQ (\d+)\]/m.exec(sel)?.[1]);
    assert.ok(highest > 0, sel);
    const all = await c.cmd('f1 UID FETCH 1:* (FLAGS MODSEQ)', tagged('f1'));
    assert.equal(all.match(/^\* \d+ FETCH \(UID \d+ FLAGS \(\) MODSEQ \(\d+\)\)/gm)?.length, 4, all);
    assert.equal(Math.max(...[1, 2, 3, 4].map((u) => modSeqOf(all, u))), highest);
    // A change made by this session: its STORE answer carries the new MODSEQ.
    const st = await c.cmd('st1 STORE 2 +FLAGS (\\Flagged)', tagged('st1'));
    assert.match(st, /^\* 2 FETCH \(FLAGS \(\\Flagged\) MODSEQ \((\d+)\)\)/m);
    const m2 = Number(/MODSEQ \((\d+)\)/.exec(st)?.[1]);
    assert.ok(m2 > highest);
    // CHANGEDSINCE: only the message changed since; MODSEQ added without being asked.
    const ch = await c.cmd(`f2 UID FETCH 1:* (FLAGS) (CHANGEDSINCE ${highest})`, tagged('f2'));
    assert.match(ch, /^\* 2 FETCH \(UID 2 FLAGS \(\\Flagged\) MODSEQ \(\d+\)\)\r\nf2 OK/m);
    // UNCHANGEDSINCE: message 2 changed after `highest`, so it is left alone and reported; 1 and 3 are stored.
    const cond = await c.cmd(`st2 STORE 1:3 (UNCHANGEDSINCE ${highest}) +FLAGS.SILENT (\\Seen)`, tagged('st2'));
    assert.match(cond, /^st2 OK \[MODIFIED 2\]/m, cond);
    assert.match(cond, /^\* 1 FETCH \(MODSEQ \(\d+\)\)/m, '.SILENT still reports MODSEQ');
    assert.doesNotMatch(cond, /^\* 2 FETCH/m);
    const uidCond = await c.cmd(`st3 UID STORE 2,4 (UNCHANGEDSINCE ${highest}) FLAGS (\\Answered)`, tagged('st3'));
    assert.match(uidCond, /^\* 4 FETCH \(UID 4 FLAGS \(\\Answered\) MODSEQ \(\d+\)\)/m);
    assert.match(uidCond, /^st3 OK \[MODIFIED 2\]/m);
    // SEARCH MODSEQ: the highest mod-sequence of the matches.
    const se = await c.cmd(`se1 SEARCH MODSEQ ${m2}`, tagged('se1'));
    assert.match(se, /^\* SEARCH 1 2 3 4 \(MODSEQ \d+\)\r\n/m, se);
    assert.match(await c.cmd('se2 SEARCH MODSEQ 999999', tagged('se2')), /^\* SEARCH\r\n/m);
    assert.match(await c.cmd(`se3 UID SEARCH RETURN (COUNT) MODSEQ ${m2}`, tagged('se3')), /^\* ESEARCH \(TAG "se3"\) UID COUNT 4 MODSEQ \d+\r\n/m);
    // A change by another session arrives with its MODSEQ.
    const other = await session('alice@example.test');
    await other.cmd('o1 SELECT INBOX', tagged('o1'));
    await other.cmd('o2 STORE 3 +FLAGS (\\Draft)', tagged('o2'));
    assert.match(await c.cmd('n1 NOOP', tagged('n1')), /^\* 3 FETCH \(UID 3 FLAGS \([^)]*\\Draft[^)]*\) MODSEQ \(\d+\)\)/m);
    other.close();
    c.close();
  });

  it('QRESYNC: ENABLE, VANISHED instead of EXPUNGE, SELECT (QRESYNC …) and UID FETCH (CHANGEDSINCE VANISHED)', async () => {
    const c = await session('bob@example.test');
    for (let i = 1; i <= 6; i++) await append(c, `a${i}`, 'INBOX', `m${i}`);
    assert.match(await c.cmd('b1 SELECT INBOX (QRESYNC (1 1))', tagged('b1')), /^b1 BAD /m, 'QRESYNC needs ENABLE first');
    assert.match(await c.cmd('b2 UID FETCH 1:* FLAGS (CHANGEDSINCE 1 VANISHED)', tagged('b2')), /^b2 BAD /m);
    assert.match(await c.cmd('e1 ENABLE QRESYNC', tagged('e1')), /^\* ENABLED QRESYNC\r\ne1 OK/m);
    const sel = await c.cmd('s1 SELECT INBOX', tagged('s1'));
    const uidValidity = Number(/UIDVALIDITY (\d+)/.exec(sel)?.[1]);
    const highest = Number(/HIGHESTMODSEQ (\d+)/.exec(sel)?.[1]);
    assert.ok(highest > 0, 'QRESYNC implies CONDSTORE');
    // Own expunge: VANISHED, not EXPUNGE.
    await c.cmd('st1 STORE 2,3 +FLAGS.SILENT (\\Deleted)', tagged('st1'));
    const ex = await c.cmd('x1 EXPUNGE', tagged('x1'));
    assert.match(ex, /^\* VANISHED 2:3\r\n/m);
    assert.doesNotMatch(ex, /EXPUNGE\r\n/);
    // Another session expunges and flags: VANISHED (not EARLIER) at the next NOOP.
    const other = await session('bob@example.test');
    await other.cmd('o1 SELECT INBOX', tagged('o1'));
    await other.cmd('o2 STORE 1 +FLAGS (\\Deleted)', tagged('o2'));
    await other.cmd('o3 EXPUNGE', tagged('o3'));
    await other.cmd('o4 STORE 2 +FLAGS (\\Flagged)', tagged('o4')); // UID 5 is now message 2 there
    const n = await c.cmd('n1 NOOP', tagged('n1'));
    assert.match(n, /^\* VANISHED 1\r\n/m, n);
    assert.match(n, /^\* \d+ FETCH \(UID 5 FLAGS \(\\Flagged[^)]*\) MODSEQ \(\d+\)\)/m);
    // UID FETCH … (CHANGEDSINCE VANISHED): expunged UIDs first as VANISHED (EARLIER), then the changes.
    const f = await c.cmd(`f1 UID FETCH 1:* (FLAGS) (CHANGEDSINCE ${highest} VANISHED)`, tagged('f1'));
    assert.match(f, /^\* VANISHED \(EARLIER\) 1:3\r\n\* \d+ FETCH \(UID 5 FLAGS \(\\Flagged[^)]*\) MODSEQ \(\d+\)\)\r\nf1 OK/m, f);
    // SELECT with QRESYNC from the old state: the same answer, and only UIDs the client says it knows.
    await c.cmd('u1 UNSELECT', tagged('u1'));
    const re = await c.cmd(`s2 SELECT INBOX (QRESYNC (${uidValidity} ${highest} 2:6))`, tagged('s2'));
    assert.match(re, /^\* VANISHED \(EARLIER\) 2:3\r\n/m, re);
    assert.match(re, /^\* \d+ FETCH \(UID 5 FLAGS \(\\Flagged[^)]*\) MODSEQ \(\d+\)\)\r\n/m);
    assert.match(re, /^s2 OK \[READ-WRITE\]/m);
    // A wrong UIDVALIDITY: a plain SELECT, no resynchronisation data.
    const wrong = await c.cmd(`s3 EXAMINE INBOX (QRESYNC (${uidValidity + 1} ${highest}))`, tagged('s3'));
    assert.match(wrong, /\[CLOSED\]/);
    assert.doesNotMatch(wrong, /VANISHED|FETCH/);
    other.close();
    c.close();
  });

  it('imapflow with qresync: resynchronises with changedSince and sees expunges as VANISHED UIDs', async () => {
    const open = async () => {
      const client = new ImapFlow({
        host: '127.0.0.1',
        port: d.ports.imaps,
        secure: true,
        auth: { user: 'carol@example.test', pass: PASSWORD },
        tls: { rejectUnauthorized: false },
        logger: false,
        disableAutoIdle: true,
        qresync: true,
      });
      await client.connect();
      return client;
    };
    const a = await open();
    assert.ok(a.enabled.has('CONDSTORE') && a.enabled.has('QRESYNC'), [...a.enabled].join(' '));
    for (let i = 1; i <= 5; i++) await a.append('INBOX', `Subject: flow ${i}\r\n\r\nbody ${i}\r\n`);
    const box = await a.mailboxOpen('INBOX');
    const since = box.highestModseq;
    assert.equal(typeof since, 'bigint');
    const expunged: Array<{ uid?: number; vanished?: boolean }> = [];
    a.on('expunge', (e: { uid?: number; vanished?: boolean }) => expunged.push(e));

    const b = await open();
    await b.mailboxOpen('INBOX');
    await b.messageFlagsAdd('2', ['\\Seen'], { uid: true });
    await b.messageDelete('4', { uid: true });
    await b.logout();

    await a.noop();
    assert.deepEqual(expunged.map((e) => [e.uid, e.vanished]), [[4, true]]);
    const changed: Array<{ uid: number; modseq?: bigint; flags?: Set<string> }> = [];
    for await (const m of a.fetch('1:*', { uid: true, flags: true }, { uid: true, changedSince: since })) changed.push(m);
    assert.deepEqual(changed.map((m) => m.uid), [2]);
    assert.ok(changed[0]!.flags?.has('\\Seen'));
    assert.ok(typeof changed[0]!.modseq === 'bigint' && changed[0]!.modseq > since!);
    // Conditional store through imapflow: refused for a message changed since.
    const ok = await a.messageFlagsAdd('2', ['\\Flagged'], { uid: true, unchangedSince: since });
    assert.equal(ok, false);
    await a.logout();
  });

  it('imaplib: ESEARCH, SORT, THREAD, QUOTA, STATUS SIZE and APPENDLIMIT', async () => {
    const script = `
import imaplib, ssl, sys, json
port, user, password = sys.argv[1:4]
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
m = imaplib.IMAP4_SSL('127.0.0.1', int(port), ssl_context=ctx)
m.login(user, password)
out = {'caps': list(m.capabilities)}
msgs = [
  ('Mon, 02 Mar 2026 10:00:00 +0000', 'carol@x.test', 'Lunch', '<a@x>', ''),
  ('Mon, 02 Mar 2026 09:00:00 +0000', 'alice@x.test', 'Re: Lunch', '<b@x>', '<a@x>'),
  ('Sun, 01 Mar 2026 08:00:00 +0000', 'bob@x.test', 'Budget', '<c@x>', ''),
  ('Tue, 03 Mar 2026 08:00:00 +0000', 'dave@x.test', 'Re: Re: Lunch', '<d@x>', '<b@x>'),
]
for date, frm, subj, mid, irt in msgs:
    hdr = 'Date: %s\\r\\nFrom: %s\\r\\nSubject: %s\\r\\nMessage-ID: %s\\r\\n' % (date, frm, subj, mid)
    if irt: hdr += 'In-Reply-To: %s\\r\\nReferences: %s\\r\\n' % (irt, irt)
    m.append('INBOX', None, None, (hdr + '\\r\\nhello\\r\\n').encode())
m.select('INBOX')
m.store('2', '+FLAGS', '(\\\\Seen)')
typ, dat = m._simple_command('SEARCH', 'RETURN', '(MIN MAX COUNT ALL)', 'UNSEEN')
out['esearch'] = [typ, [x.decode() for x in m._untagged_response(typ, dat, 'ESEARCH')[1]]]
typ, dat = m._simple_command('UID', 'SEARCH', 'RETURN', '(COUNT)', 'FROM', 'x.test')
out['uid_esearch'] = [typ, [x.decode() for x in m._untagged_response(typ, dat, 'ESEARCH')[1]]]
typ, dat = m._simple_command('SEARCH', 'RETURN', '(SAVE)', 'SUBJECT', 'Lunch')
out['save'] = typ
typ, dat = m.fetch('$', '(UID)')
out['fetch_saved'] = [x.decode() for x in dat]
out['sort_date'] = [x.decode() for x in m.sort('(DATE)', 'UTF-8', 'ALL')[1]]
out['sort_rev_from'] = [x.decode() for x in m.sort('(REVERSE FROM)', 'UTF-8', 'ALL')[1]]
out['uid_sort'] = [x.decode() for x in m.uid('SORT', '(SUBJECT)', 'UTF-8', 'ALL')[1]]
out['thread_refs'] = [x.decode() for x in m.thread('REFERENCES', 'UTF-8', 'ALL')[1]]
out['thread_subj'] = [x.decode() for x in m.thread('ORDEREDSUBJECT', 'UTF-8', 'ALL')[1]]
out['uid_thread'] = [x.decode() for x in m.uid('THREAD', 'REFERENCES', 'UTF-8', 'ALL')[1]]
typ, dat = m.getquotaroot('INBOX')
out['quotaroot'] = [typ, [[y.decode() for y in x] for x in dat]]
typ, dat = m.getquota('""')
out['quota'] = [typ, [x.decode() for x in dat]]
out['setquota'] = m._simple_command('SETQUOTA', '""', '(STORAGE 10)')[0]
out['status'] = m.status('INBOX', '(MESSAGES SIZE APPENDLIMIT)')[1][0].decode()
typ, dat = m._simple_command('LIST', '""', '*', 'RETURN', '(STATUS (MESSAGES UNSEEN))')
out['list_status'] = [x.decode() for x in m._untagged_response(typ, dat, 'STATUS')[1]]
m.logout()
print(json.dumps(out))
`;
    const r = await python(script, [String(d.ports.imaps), 'quota@example.test', PASSWORD]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    const caps = out.caps as string[];
    for (const c of ['ESEARCH', 'SEARCHRES', 'SORT', 'THREAD=REFERENCES', 'THREAD=ORDEREDSUBJECT', 'QUOTA', 'STATUS=SIZE', 'LIST-STATUS', 'LIST-EXTENDED']) assert.ok(caps.includes(c), c);
    assert.ok(caps.some((c) => /^APPENDLIMIT=\d+$/.test(c)));
    assert.equal((out.esearch as [string])[0], 'OK');
    assert.match((out.esearch as [string, string[]])[1][0]!, /^\(TAG "\w+"\) MIN 1 MAX 4 ALL 1,3:4 COUNT 3$/);
    assert.match((out.uid_esearch as [string, string[]])[1][0]!, /^\(TAG "\w+"\) UID COUNT 4$/);
    assert.equal(out.save, 'OK');
    assert.deepEqual(out.fetch_saved, ['1 (UID 1)', '2 (UID 2)', '4 (UID 4)']);
    assert.deepEqual(out.sort_date, ['3 2 1 4']);
    assert.deepEqual(out.sort_rev_from, ['4 1 3 2']);
    assert.deepEqual(out.uid_sort, ['3 1 2 4']);
    assert.deepEqual(out.thread_refs, ['(3)(1 2 4)']);
    assert.deepEqual(out.thread_subj, ['(3)(2 (1)(4))']);
    assert.deepEqual(out.uid_thread, ['(3)(1 2 4)']);
    const [qtyp, qdat] = out.quotaroot as [string, string[][]];
    assert.equal(qtyp, 'OK');
    assert.deepEqual(qdat[0], ['INBOX ""']);
    assert.match(qdat[1]![0]!, /^"" \(STORAGE [1-9]\d* 100\)$/);
    assert.match((out.quota as [string, string[]])[1][0]!, /^"" \(STORAGE [1-9]\d* 100\)$/);
    assert.equal(out.setquota, 'NO');
    assert.match(out.status as string, /^INBOX \(MESSAGES 4 SIZE [1-9]\d* APPENDLIMIT \d+\)$/);
    assert.ok((out.list_status as string[]).some((l) => /^INBOX \(MESSAGES 4 UNSEEN 3\)$/.test(l)), String(out.list_status));
  });

  it('transcripts: unknown THREAD algorithm, ESORT refused, GETQUOTA of an unknown root, SETQUOTA refused, LIST RECURSIVEMATCH', async () => {
    const c = await session('dave@example.test');
    // The default quota (1 GiB) in KiB.
    assert.match(await c.cmd('q1 GETQUOTAROOT INBOX', tagged('q1')), /^\* QUOTAROOT INBOX ""\r\n\* QUOTA "" \(STORAGE 0 1048576\)\r\nq1 OK/m);
    assert.match(await c.cmd('q2 GETQUOTA Other', tagged('q2')), /^q2 NO \[NONEXISTENT\]/m);
    assert.match(await c.cmd('q3 SETQUOTA "" (STORAGE 1)', tagged('q3')), /^q3 NO \[NOPERM\]/m);
    assert.match(await c.cmd('q4 GETQUOTAROOT Nowhere', tagged('q4')), /^q4 NO \[NONEXISTENT\]/m);
    await append(c, 'a1', 'INBOX', 'one');
    await c.cmd('s1 SELECT INBOX', tagged('s1'));
    assert.match(await c.cmd('t1 THREAD SHUFFLE UTF-8 ALL', tagged('t1')), /^t1 BAD /m);
    assert.match(await c.cmd('t2 SORT RETURN (MIN) (DATE) UTF-8 ALL', tagged('t2')), /^t2 BAD /m);
    assert.match(await c.cmd('t3 SORT (ARRIVAL) X-MARTIAN ALL', tagged('t3')), /^t3 NO \[BADCHARSET/m);
    assert.match(await c.cmd('t4 SORT (ARRIVAL) UTF-8 ALL', tagged('t4')), /^\* SORT 1\r\nt4 OK/m);
    assert.match(await c.cmd('t5 SEARCH RETURN () ALL', tagged('t5')), /^\* ESEARCH \(TAG "t5"\) ALL 1\r\nt5 OK/m);
    assert.match(await c.cmd('t6 SEARCH RETURN (SAVE) ALL', tagged('t6')), /^t6 OK/m);
    assert.match(await c.cmd('t7 SEARCH RETURN (MIN) SUBJECT nothing-like-it', tagged('t7')), /^\* ESEARCH \(TAG "t7"\)\r\nt7 OK/m);
    await c.cmd('u1 UNSELECT', tagged('u1'));
    await c.cmd('c1 CREATE Projects/Alpha', tagged('c1'));
    await c.cmd('c2 SUBSCRIBE Projects/Alpha', tagged('c2'));
    await c.cmd('c3 UNSUBSCRIBE Projects', tagged('c3'));
    const l = await c.cmd('l1 LIST (SUBSCRIBED RECURSIVEMATCH) "" "Projects"', tagged('l1'));
    assert.match(l, /^\* LIST \(\\HasChildren\) "\/" Projects \("CHILDINFO" \("SUBSCRIBED"\)\)\r\n/m, l);
    c.close();
  });

  it('COMPRESS=DEFLATE: imaplib over a raw-deflate socket, a command pipelined right behind COMPRESS', async () => {
    const script = `
import imaplib, ssl, sys, json, zlib, re
port, user, password = sys.argv[1:4]
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
m = imaplib.IMAP4_SSL('127.0.0.1', int(port), ssl_context=ctx)
out = {'caps_before': 'COMPRESS=DEFLATE' in m.capabilities}
m.login(user, password)
typ, dat = m.capability()
out['caps_after'] = 'COMPRESS=DEFLATE' in dat[0].decode().split()
big = ('x' * 70 + '\\r\\n') * 3000
m.append('INBOX', None, None, ('Subject: big\\r\\n\\r\\n' + big).encode())
sock = m.sock
comp = zlib.compressobj(wbits=-15)
dec = zlib.decompressobj(wbits=-15)
# COMPRESS and, in the same write, the first compressed command.
sock.sendall(b'z1 COMPRESS DEFLATE\\r\\n' + comp.compress(b'z2 SELECT INBOX\\r\\n') + comp.flush(zlib.Z_SYNC_FLUSH))
buf = b''
while b'z1 ' not in buf: buf += sock.recv(65536)
head, _, rest = buf.partition(b'\\r\\n')
out['z1'] = head.decode()
def read_until(tag, pending=b''):
    text = dec.decompress(pending)
    while not re.search(rb'^' + tag + rb' (OK|NO|BAD)', text, re.M):
        chunk = sock.recv(65536)
        if not chunk: break
        text += dec.decompress(chunk)
    return text
text = read_until(b'z2', rest)
out['z2'] = text.decode().splitlines()[-1]
def cmd(tag, line):
    sock.sendall(comp.compress((tag + ' ' + line + '\\r\\n').encode()) + comp.flush(zlib.Z_SYNC_FLUSH))
    return read_until(tag.encode())
body = cmd('z3', 'FETCH 1 BODY.PEEK[]')
out['z3_len'] = len(body)
out['z3_has_body'] = big.encode() in body
out['z4'] = cmd('z4', 'COMPRESS DEFLATE').decode().strip()
out['z5'] = cmd('z5', 'LOGOUT').decode()
print(json.dumps(out))
`;
    const r = await python(script, [String(d.ports.imaps), 'erin@example.test', PASSWORD]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.equal(out.caps_before, false, 'not offered before sign-in');
    assert.equal(out.caps_after, true);
    assert.match(out.z1 as string, /^z1 OK/);
    assert.match(out.z2 as string, /^z2 OK \[READ-WRITE\]/);
    assert.equal(out.z3_has_body, true);
    assert.match(out.z4 as string, /^z4 NO \[COMPRESSIONACTIVE\]/);
    assert.match(out.z5 as string, /\* BYE [^\r]*\r\nz5 OK/);
  });

  it('at most 10 signed-in connections per user and IP, counted across imap (STARTTLS) and imaps: NO [LIMIT]', async () => {
    const open: LineClient[] = [];
    for (let i = 0; i < 10; i++) {
      if (i % 2 === 0) open.push(await session('carol@example.test'));
      else {
        const c = await LineClient.open(d.ports.imap);
        await c.read(/^\* OK .*\r\n/);
        assert.match(await c.cmd('t STARTTLS', tagged('t')), /^t OK/m);
        await c.upgrade();
        assert.match(await c.cmd(`L LOGIN carol@example.test "${PASSWORD}"`, tagged('L')), /^L OK /m);
        open.push(c);
      }
    }
    const extra = await LineClient.open(d.ports.imaps, true);
    await extra.read(/^\* OK .*\r\n/);
    assert.match(await extra.cmd(`a LOGIN carol@example.test "${PASSWORD}"`, tagged('a')), /^a NO \[LIMIT\] /m);
    // Another user from the same address is not affected.
    const dave = await session('dave@example.test');
    // One closes (LOGOUT): the place is free again.
    assert.match(await open[3]!.cmd('z LOGOUT', tagged('z')), /^z OK/m);
    assert.match(await extra.cmd(`b LOGIN carol@example.test "${PASSWORD}"`, tagged('b')), /^b OK /m);
    // A dropped connection frees its place too.
    open[4]!.close();
    await new Promise((r) => setTimeout(r, 200));
    const again = await session('carol@example.test');
    for (const c of [...open, extra, dave, again]) c.close();
  });

  it('UTF8=ACCEPT: mailbox names in UTF-8 after ENABLE, modified UTF-7 for others; APPEND UTF8 only once enabled', async () => {
    const c = await session('erin@example.test');
    const msg = 'Subject: caf\u00e9\r\n\r\nbody\r\n';
    const octets = Buffer.byteLength(msg);
    assert.match(await c.cmd(`a1 APPEND INBOX UTF8 (~{${octets}+}\r\n${msg})`, tagged('a1')), /^a1 BAD /m);
    assert.match(await c.cmd('e1 ENABLE UTF8=ACCEPT', tagged('e1')), /^\* ENABLED UTF8=ACCEPT\r\ne1 OK/m);
    c.socket.write(Buffer.from('c1 CREATE "R\u00e9sum\u00e9s"\r\n', 'utf8'));
    assert.match(await c.read(tagged('c1')), /^c1 OK/m);
    const l = Buffer.from(await c.cmd('l1 LIST "" "R*"', tagged('l1')), 'latin1').toString('utf8');
    assert.match(l, /^\* LIST \([^)]*\) "\/" "R\u00e9sum\u00e9s"\r\n/m, l);
    c.socket.write(Buffer.concat([Buffer.from(`a2 APPEND INBOX UTF8 (~{${octets}+}\r\n`), Buffer.from(msg, 'utf8'), Buffer.from(')\r\n')]));
    assert.match(await c.read(tagged('a2')), /^a2 OK \[APPENDUID /m);
    const other = await session('erin@example.test');
    assert.match(await other.cmd('l2 LIST "" "R*"', tagged('l2')), /^\* LIST \([^)]*\) "\/" R&AOk-sum&AOk-s\r\n/m);
    other.close();
    c.close();

    const flow = new ImapFlow({ host: '127.0.0.1', port: d.ports.imaps, secure: true, auth: { user: 'erin@example.test', pass: PASSWORD }, tls: { rejectUnauthorized: false }, logger: false, disableAutoIdle: true });
    await flow.connect();
    assert.ok(flow.enabled.has('UTF8=ACCEPT'));
    await flow.mailboxCreate('Reçus');
    const names = (await flow.list()).map((b) => b.path);
    assert.ok(names.includes('Reçus') && names.includes('Résumés'), names.join(','));
    await flow.logout();
  });
});
