/**
 * IMAP transcripts against the real `outpost serve` over raw TCP/TLS: every command in every state, sign-in
 * refused before TLS (and logged), STARTTLS injection, literal limits and quota before the continuation, a
 * client speaking HTTP, AUTHENTICATE with and without SASL-IR, and two sessions on one mailbox seeing each
 * other's EXPUNGE/EXISTS/FLAGS only at the moments the RFC allows, \Recent in exactly one session.
 */
import { waitForEvents } from '../kit/events.js';
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { makeDataDir, type TestDataDir } from '../kit/data-dir.js';
import { startServe, type ServeProcess } from '../kit/serve.js';
import { outpost } from '../kit/cli.js';
import { python, SEND_VIA_MX } from '../kit/python.js';
import { LineClient } from '../kit/tcp.js';

const PASSWORD = 'a long good passphrase';
const tagged = (tag: string) => new RegExp(`^${tag} (OK|NO|BAD)[^\\r\\n]*\\r\\n`, 'm');

describe('IMAP transcripts', () => {
  let d: TestDataDir;
  let serve: ServeProcess;
  const send = async (to: string, subject: string) => {
    const r = await python(SEND_VIA_MX, [String(d.ports.mx), 'bob@remote.test', to, subject, 'body']);
    assert.equal(r.code, 0, r.stderr);
  };
  /** A signed-in session on IMAPS. */
  const session = async (user: string): Promise<LineClient> => {
    const c = await LineClient.open(d.ports.imaps, true);
    await c.read(/^\* OK .*\r\n/);
    assert.match(await c.cmd(`L LOGIN ${user} "${PASSWORD}"`, tagged('L')), /^L OK /m);
    return c;
  };
  const append = async (c: LineClient, tag: string, folder: string, subject: string) => {
    const msg = `Subject: ${subject}\r\n\r\nbody\r\n`;
    return c.cmd(`${tag} APPEND ${folder} {${msg.length}+}\r\n${msg}`, tagged(tag));
  };

  before(async () => {
    d = await makeDataDir();
    for (const u of ['alice', 'bob', 'carol', 'dave', 'erin'])
      assert.equal((await outpost(['--data', d.dir, 'account', 'add', `${u}@example.test`, '--password-stdin'], { stdin: `${PASSWORD}\n` })).code, 0);
    assert.equal((await outpost(['--data', d.dir, 'account', 'add', 'full@example.test', '--quota', '10K', '--password-stdin'], { stdin: `${PASSWORD}\n` })).code, 0);
    serve = startServe(d.dir);
    await serve.waitFor(/Outpost is running/);
  });
  after(async () => {
    assert.equal(await serve.stop(), 0);
  });

  it('before TLS: LOGINDISABLED, LOGIN and AUTHENTICATE refused with NO [PRIVACYREQUIRED], the attempt logged', async () => {
    const c = await LineClient.open(d.ports.imap);
    const greeting = await c.read(/^\* OK .*\r\n/);
    assert.match(greeting, /\[CAPABILITY IMAP4rev1 [^\]]*STARTTLS[^\]]*LOGINDISABLED/);
    assert.doesNotMatch(greeting, /AUTH=/);
    assert.match(await c.cmd(`a LOGIN bob@example.test "${PASSWORD}"`, tagged('a')), /^a NO \[PRIVACYREQUIRED\]/m);
    assert.match(await c.cmd('b AUTHENTICATE PLAIN AGJvYkBleGFtcGxlLnRlc3QAeA==', tagged('b')), /^b NO \[PRIVACYREQUIRED\]/m);
    assert.match(await c.cmd('c SELECT INBOX', tagged('c')), /^c BAD /m);
    c.close();
    const events = await waitForEvents(d.dir, 'bob@example.test', (ev) => ev.some((e) => e.reason === 'plaintext-refused'));
    assert.ok(events.some((e) => e.protocol === 'imap' && e.reason === 'plaintext-refused' && !e.tls), JSON.stringify(events));
  });

  it('STARTTLS injection: commands pipelined after STARTTLS are discarded, not executed after the handshake', async () => {
    const c = await LineClient.open(d.ports.imap);
    await c.read(/^\* OK .*\r\n/);
    c.write(`a STARTTLS\r\nb LOGIN bob@example.test "${PASSWORD}"\r\nc CAPABILITY\r\n`);
    assert.match(await c.read(tagged('a')), /^a OK /m);
    await c.upgrade();
    const r = await c.cmd('d CAPABILITY', tagged('d'));
    assert.doesNotMatch(r, /^(b|c) /m, 'nothing sent before the handshake was answered');
    assert.match(r, /AUTH=PLAIN/);
    assert.doesNotMatch(r, /STARTTLS|LOGINDISABLED/);
    assert.match(await c.cmd('e STARTTLS', tagged('e')), /^e BAD /m);
    c.close();
  });

  it('AUTHENTICATE PLAIN with SASL-IR, without it (continuation), cancelled, and a wrong password', async () => {
    const plain = Buffer.from(`\0carol@example.test\0${PASSWORD}`).toString('base64');
    const c = await LineClient.open(d.ports.imaps, true);
    await c.read(/^\* OK .*\r\n/);
    assert.match(await c.cmd('a AUTHENTICATE PLAIN', /^\+ \r\n/m), /^\+ \r\n$/);
    assert.match(await c.cmd('*', tagged('a')), /^a BAD /m);
    assert.match(await c.cmd(`b AUTHENTICATE PLAIN ${Buffer.from('\0carol@example.test\0wrong').toString('base64')}`, tagged('b')), /^b NO \[AUTHENTICATIONFAILED\]/m);
    await c.cmd('c AUTHENTICATE PLAIN', /^\+ \r\n/m);
    assert.match(await c.cmd(plain, tagged('c')), /^c OK \[CAPABILITY /m);
    assert.match(await c.cmd('d LOGIN x y', tagged('d')), /^d BAD /m, 'LOGIN after sign-in is a BAD');
    c.close();
    const c2 = await LineClient.open(d.ports.imaps, true);
    await c2.read(/^\* OK .*\r\n/);
    assert.match(await c2.cmd(`a AUTHENTICATE PLAIN ${plain}`, tagged('a')), /^a OK /m);
    c2.close();
  });

  it('every command in every state', async () => {
    const c = await LineClient.open(d.ports.imaps, true);
    await c.read(/^\* OK .*\r\n/);
    // Not authenticated: only CAPABILITY, NOOP, LOGOUT, ID, STARTTLS, LOGIN, AUTHENTICATE.
    const authOnly = ['SELECT INBOX', 'EXAMINE INBOX', 'CREATE x', 'DELETE x', 'RENAME x y', 'SUBSCRIBE x', 'UNSUBSCRIBE x', 'LIST "" *', 'LSUB "" *', 'STATUS INBOX (MESSAGES)', 'NAMESPACE', 'IDLE', 'ENABLE CONDSTORE'];
    const selectedOnly = ['CHECK', 'CLOSE', 'UNSELECT', 'EXPUNGE', 'SEARCH ALL', 'FETCH 1 FLAGS', 'STORE 1 +FLAGS (\\Seen)', 'COPY 1 Trash', 'MOVE 1 Trash', 'UID FETCH 1 FLAGS', 'UID SEARCH ALL', 'UID STORE 1 FLAGS ()', 'UID COPY 1 Trash', 'UID MOVE 1 Trash', 'UID EXPUNGE 1'];
    let n = 0;
    for (const cmd of [...authOnly, ...selectedOnly.slice(0, 5)]) assert.match(await c.cmd(`n${++n} ${cmd}`, tagged(`n${n}`)), new RegExp(`^n${n} BAD `, 'm'), cmd);
    assert.match(await c.cmd('i1 ID ("name" "transcript" "version" "1")', tagged('i1')), /^\* ID \("name" "Outpost"/m);
    assert.match(await c.cmd('i2 NOOP', tagged('i2')), /^i2 OK/m);
    assert.match(await c.cmd(`L LOGIN dave@example.test "${PASSWORD}"`, tagged('L')), /^L OK/m);
    // Authenticated: the selected-state commands are BAD; the rest work.
    for (const cmd of selectedOnly) assert.match(await c.cmd(`a${++n} ${cmd}`, tagged(`a${n}`)), new RegExp(`^a${n} BAD `, 'm'), cmd);
    // Unknown names are ignored (RFC 5161 §3.1); CONDSTORE/QRESYNC are in server-extensions.test.ts.
    assert.match(await c.cmd('e1 ENABLE X-NOTHING', tagged('e1')), /^\* ENABLED\r\ne1 OK/m);
    assert.match(await c.cmd('e2 NAMESPACE', tagged('e2')), /^\* NAMESPACE \(\("" "\/"\)\) NIL NIL\r\n/m);
    assert.match(await c.cmd('e3 LIST "" ""', tagged('e3')), /^\* LIST \(\\Noselect\) "\/" ""\r\n/m);
    assert.match(await c.cmd('e4 STARTTLS', tagged('e4')), /^e4 BAD /m);
    assert.match(await c.cmd('e5 AUTHENTICATE PLAIN', tagged('e5')), /^e5 BAD /m);
    assert.match(await c.cmd('e6 SORT (DATE) UTF-8 ALL', tagged('e6')), /^e6 BAD /m);
    assert.match(await c.cmd('e7 CREATE Work/Clients/', tagged('e7')), /^e7 OK/m);
    assert.match(await c.cmd('e8 CREATE Work', tagged('e8')), /^e8 NO \[ALREADYEXISTS\]/m, 'superiors were created');
    assert.match(await c.cmd('e9 CREATE inbox', tagged('e9')), /^e9 NO \[ALREADYEXISTS\]/m);
    for (const bad of ['"../etc"', '"a//b"', '"a/./b"', '" padded"', '"x*y"'])
      assert.match(await c.cmd(`f1 CREATE ${bad}`, tagged('f1')), /^f1 NO \[CANNOT\]/m, bad);
    assert.match(await c.cmd(`f2 CREATE "${'x/'.repeat(40)}x"`, tagged('f2')), /^f2 NO \[LIMIT\]/m);
    assert.match(await c.cmd('f3 CREATE Receipts (USE (\\Archive))', tagged('f3')), /^f3 OK/m);
    assert.match(await c.cmd('f4 CREATE Everything (USE (\\All))', tagged('f4')), /^f4 NO \[USEATTR\]/m);
    assert.match(await c.cmd('f5 LIST "" "Work/%"', tagged('f5')), /^\* LIST \(\\HasNoChildren\) "\/" Work\/Clients\r\n/m);
    assert.match(await c.cmd('f6 LIST "" Receipts', tagged('f6')), /^\* LIST \(\\HasNoChildren \\Archive\) "\/" Receipts\r\n/m);
    assert.match(await c.cmd('f7 RENAME Work Job', tagged('f7')), /^f7 OK/m);
    assert.match(await c.cmd('f8 LIST "" "Job*"', tagged('f8')), /\* LIST \(\\HasChildren\) "\/" Job\r\n\* LIST \(\\HasNoChildren\) "\/" Job\/Clients\r\n/);
    assert.match(await c.cmd('f9 RENAME Job Job/Inside', tagged('f9')), /^f9 NO \[CANNOT\]/m);
    assert.match(await c.cmd('g1 DELETE Job', tagged('g1')), /^g1 OK/m);
    assert.match(await c.cmd('g2 LIST "" "Job*"', tagged('g2')), /\* LIST \(\\Noselect \\HasChildren\) "\/" Job\r\n/, 'a deleted superior stays as \\Noselect');
    assert.match(await c.cmd('g3 DELETE INBOX', tagged('g3')), /^g3 NO /m);
    assert.match(await c.cmd('g4 DELETE Nowhere', tagged('g4')), /^g4 NO \[NONEXISTENT\]/m);
    assert.match(await c.cmd('g5 SELECT Nowhere', tagged('g5')), /^g5 NO \[NONEXISTENT\]/m);
    assert.match(await c.cmd('g6 UNSUBSCRIBE Sent', tagged('g6')), /^g6 OK/m);
    assert.doesNotMatch(await c.cmd('g7 LSUB "" "*"', tagged('g7')), /"\/" Sent\r\n/);
    assert.match(await c.cmd('g8 LIST (SUBSCRIBED) "" "*" RETURN (SPECIAL-USE)', tagged('g8')), /\\Subscribed/);
    assert.match(await append(c, 'h1', 'Nowhere', 'lost'), /^h1 NO \[TRYCREATE\]/m);
    assert.match(await append(c, 'h2', 'INBOX', 'one'), /^h2 OK \[APPENDUID \d+ 1\]/m);
    assert.match(await c.cmd('h3 STATUS INBOX (MESSAGES RECENT UIDNEXT UNSEEN DELETED SIZE)', tagged('h3')), /^\* STATUS INBOX \(MESSAGES 1 RECENT 1 UIDNEXT 2 UNSEEN 1 DELETED 0 SIZE \d+\)/m);
    // Selected (read-only): changes are refused, reading works; ENABLE is no longer allowed.
    assert.match(await c.cmd('s1 EXAMINE INBOX', tagged('s1')), /^s1 OK \[READ-ONLY\]/m);
    assert.match(await c.cmd('s2 STORE 1 +FLAGS (\\Seen)', tagged('s2')), /^s2 NO /m);
    assert.match(await c.cmd('s3 EXPUNGE', tagged('s3')), /^s3 NO /m);
    assert.match(await c.cmd('s4 FETCH 1 (BODY[])', tagged('s4')), /^\* 1 FETCH \(BODY\[\] \{\d+\}\r\n/m);
    assert.match(await c.cmd('s5 FETCH 1 FLAGS', tagged('s5')), /^\* 1 FETCH \(FLAGS \(\\Recent\)\)/m, 'EXAMINE did not set \\Seen');
    assert.match(await c.cmd('s6 ENABLE CONDSTORE', tagged('s6')), /^s6 BAD /m);
    assert.match(await c.cmd('s7 FETCH 5 FLAGS', tagged('s7')), /^s7 BAD /m, 'a sequence number past the last message');
    assert.match(await c.cmd('s8 UID FETCH 5 FLAGS', tagged('s8')), /^s8 OK /m, 'a UID that does not exist is ignored');
    // Selected (read-write).
    const sel = await c.cmd('s9 SELECT INBOX', tagged('s9'));
    assert.match(sel, /^\* OK \[CLOSED\]/m);
    assert.match(sel, /^\* 1 EXISTS\r\n/m);
    assert.match(sel, /^\* OK \[UIDVALIDITY \d+\]/m);
    assert.match(sel, /^\* OK \[UIDNEXT 2\]/m);
    assert.match(sel, /^\* OK \[UNSEEN 1\]/m);
    assert.match(sel, /^s9 OK \[READ-WRITE\]/m);
    assert.match(await c.cmd('t1 FETCH 1 (BODY[TEXT])', tagged('t1')), /^\* 1 FETCH \(BODY\[TEXT\] \{6\}\r\nbody\r\n FLAGS \(\\Seen \\Recent\)\)/m);
    assert.match(await c.cmd('t2 UID STORE 1 +FLAGS (\\Deleted $Important)', tagged('t2')), /^\* 1 FETCH \(UID 1 FLAGS \(\$Important \\Deleted \\Seen \\Recent\)\)/m);
    assert.match(await c.cmd('t3 STORE 1 -FLAGS.SILENT (\\Deleted)', tagged('t3')), /^t3 OK/m);
    assert.match(await c.cmd('t4 COPY 1 Nowhere', tagged('t4')), /^t4 NO \[TRYCREATE\]/m);
    assert.match(await c.cmd('t5 UID COPY 1 Trash', tagged('t5')), /^t5 OK \[COPYUID \d+ 1 1\]/m);
    assert.match(await c.cmd('t6 UID MOVE 1 Archive', tagged('t6')), /^\* OK \[COPYUID \d+ 1 1\][^\r]*\r\n\* 1 EXPUNGE\r\nt6 OK/m);
    assert.match(await c.cmd('t7 CHECK', tagged('t7')), /^t7 OK/m);
    assert.match(await c.cmd('t8 UNSELECT', tagged('t8')), /^t8 OK/m);
    assert.match(await c.cmd('t9 CHECK', tagged('t9')), /^t9 BAD /m);
    assert.match(await c.cmd('z LOGOUT', tagged('z')), /^\* BYE [^\r]*\r\nz OK/m);
    c.close();
  });

  it('literal limits: a too-big literal refused before the continuation, quota before the message, a bad-command budget', async () => {
    const c = await LineClient.open(d.ports.imaps, true);
    await c.read(/^\* OK .*\r\n/);
    const r = await c.cmd('a LOGIN {100000}', /\r\n/);
    assert.match(r, /^a BAD \[TOOBIG\]/m);
    assert.doesNotMatch(r, /^\+/m, 'no continuation was sent');
    assert.match(await c.cmd(`L LOGIN full@example.test "${PASSWORD}"`, tagged('L')), /^L OK/m);
    const q = await c.cmd('b APPEND INBOX {20000}', /\r\n/);
    assert.match(q, /^b NO \[OVERQUOTA\]/m);
    assert.doesNotMatch(q, /^\+/m);
    const big = await c.cmd('c APPEND INBOX {60000000}', /\r\n/);
    assert.match(big, /^c BAD \[TOOBIG\]/m);
    assert.match(await append(c, 'd', 'INBOX', 'small enough'), /^d OK \[APPENDUID/m);
    // The two refused literals were BADs already: eight more garbage commands use up the budget of ten.
    c.write(Array.from({ length: 8 }, (_, i) => `x${i} FROBNICATE\r\n`).join(''));
    const out = await c.read(/^\* BYE [^\r]*\r\n/m);
    assert.equal(out.match(/^x\d BAD /gm)?.length, 8);
    assert.match(out, /BYE too many bad commands/);
    c.close();
  });

  it('a client speaking HTTP gets a BAD and a BYE, and is disconnected', async () => {
    const c = await LineClient.open(d.ports.imap);
    await c.read(/^\* OK .*\r\n/);
    c.write('GET / HTTP/1.1\r\nHost: example.test\r\n\r\n');
    const r = await c.read(/^\* BYE [^\r]*\r\n/m);
    assert.match(r, /BAD/);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.ok(c.closed);
  });

  it('two sessions: EXPUNGE is held back during FETCH/STORE/SEARCH, EXISTS and FLAGS arrive at NOOP, \\Recent in one session only', async () => {
    const a = await session('erin@example.test');
    const b = await session('erin@example.test');
    for (const [i, s] of ['one', 'two', 'three'].entries()) assert.match(await append(b, `p${i}`, 'INBOX', s), /OK/);
    const selA = await a.cmd('a1 SELECT INBOX', tagged('a1'));
    assert.match(selA, /^\* 3 EXISTS\r\n\* 3 RECENT\r\n/m);
    const selB = await b.cmd('b1 SELECT INBOX', tagged('b1'));
    assert.match(selB, /^\* 0 RECENT\r\n/m, 'the other session got the \\Recent messages');
    // B deletes message 2; A is not told during FETCH (by sequence number), only at NOOP.
    assert.match(await b.cmd('b2 STORE 2 +FLAGS.SILENT (\\Deleted)', tagged('b2')), /^b2 OK/m);
    assert.match(await b.cmd('b3 EXPUNGE', tagged('b3')), /^\* 2 EXPUNGE\r\nb3 OK/m);
    const f = await a.cmd('a2 FETCH 1:3 (UID)', tagged('a2'));
    assert.doesNotMatch(f, /EXPUNGE/);
    assert.match(f, /^\* 3 FETCH \(UID 3\)/m, 'message 3 keeps its number until the EXPUNGE is sent');
    assert.doesNotMatch(await a.cmd('a3 STORE 1 +FLAGS (\\Flagged)', tagged('a3')), /EXPUNGE/);
    assert.doesNotMatch(await a.cmd('a4 SEARCH ALL', tagged('a4')), /EXPUNGE/);
    assert.match(await a.cmd('a5 NOOP', tagged('a5')), /^\* 2 EXPUNGE\r\n/m);
    assert.match(await a.cmd('a6 FETCH 2 (UID)', tagged('a6')), /^\* 2 FETCH \(UID 3\)/m);
    // B sees A's flag change and a new message at its next command.
    await send('erin@example.test', 'arrived by MX');
    const nb = await b.cmd('b4 NOOP', tagged('b4'));
    assert.match(nb, /^\* 3 EXISTS\r\n\* 1 RECENT\r\n/m);
    assert.match(nb, /^\* 1 FETCH \(UID 1 FLAGS \(\\Flagged\)\)/m);
    const na = await a.cmd('a7 NOOP', tagged('a7'));
    assert.match(na, /^\* 3 EXISTS\r\n\* 2 RECENT\r\n/m, 'A keeps its own \\Recent; the new one went to B');
    assert.doesNotMatch(await a.cmd('a8 FETCH 3 FLAGS', tagged('a8')), /\\Recent/);
    // IDLE in A: B's EXPUNGE arrives while idling.
    await a.cmd('a9 IDLE', /^\+ /m);
    await b.cmd('b5 UID STORE 1 +FLAGS.SILENT (\\Deleted)', tagged('b5'));
    await b.cmd('b6 UID EXPUNGE 1', tagged('b6'));
    assert.match(await a.read(/^\* 1 EXPUNGE\r\n/m, 10_000), /\* 1 EXPUNGE/);
    assert.match(await a.cmd('DONE', tagged('a9')), /^a9 OK/m);
    a.close();
    b.close();
  });
});
