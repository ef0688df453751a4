/**
 * The webmail JSON API over real HTTPS against a real `outpost serve`: sessions and CSRF on every change, one
 * mailbox never reaching another's folders, the body document's CSP and sandbox, downloads as attachments with
 * nosniff, cid: images, per-sender remote images, sending under the submission rules (ownership, unknown local
 * recipients, Bcc), forged upload tokens, drafts, spam training, paging and sorting, and live events (SSE).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { makeDataDir, type TestDataDir } from '../kit/data-dir.js';
import { startServe, type ServeProcess } from '../kit/serve.js';
import { outpost } from '../kit/cli.js';
import { Browser, fetchRaw } from '../http/client.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { SpamTraining } from '../../src/inbound/training.js';
import { webmailLimits } from '../../src/lib/limits.js';

let d: TestDataDir;
let serve: ServeProcess;
let origin: string;
const ALICE = 'alice@example.test';
const ALICE_PASSWORD = 'a long good passphrase';

interface Session {
  b: Browser;
  csrf: string;
}

async function signIn(address: string, password: string): Promise<Session> {
  const b = new Browser(origin);
  const form = await b.get('/signin');
  const r = await b.post('/signin', { csrf: Browser.csrf(form.body), address, password });
  assert.equal(r.status, 303, r.body);
  const me = await api(b, 'GET', '/me');
  return { b, csrf: (me.json as { csrfToken: string }).csrfToken };
}

async function api(b: Browser, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: unknown; headers: Record<string, unknown>; body: string }> {
  const cookie = [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const a = await fetchRaw(`${origin}/webmail/api${path}`, {
    method,
    headers: { ...(cookie ? { cookie } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  let json: unknown = null;
  try {
    json = JSON.parse(a.body);
  } catch {
    /* not JSON */
  }
  return { status: a.status, json, headers: a.headers, body: a.body };
}

const change = (s: Session, method: string, path: string, body?: unknown) => api(s.b, method, path, body, { 'x-csrf-token': s.csrf });

async function folders(s: Session): Promise<Record<string, { id: number; messages: number; unread: number }>> {
  const r = await api(s.b, 'GET', '/folders');
  return Object.fromEntries((r.json as { folders: Array<{ role: string | null; name: string; id: number; messages: number; unread: number }> }).folders.map((f) => [f.role ?? f.name, f]));
}

async function appendAsPostmaster(raw: string, folder = 'INBOX'): Promise<void> {
  const c = new ImapFlow({ host: '127.0.0.1', port: d.ports.imaps, secure: true, tls: { rejectUnauthorized: false }, auth: { user: d.postmaster, pass: d.postmasterPassword }, logger: false });
  await c.connect();
  await c.append(folder, Buffer.from(raw.replace(/\r?\n/g, '\r\n')));
  await c.logout();
}

let pm: Session;
let alice: Session;

before(async () => {
  d = await makeDataDir();
  const add = await outpost(['--data', d.dir, 'account', 'add', ALICE, '--password-stdin'], { stdin: `${ALICE_PASSWORD}\n` });
  assert.equal(add.code, 0, add.stderr);
  serve = startServe(d.dir);
  await serve.waitFor(/Outpost is running/);
  origin = `https://127.0.0.1:${d.ports.https}`;
  pm = await signIn(d.postmaster, d.postmasterPassword);
  alice = await signIn(ALICE, ALICE_PASSWORD);
});
after(async () => {
  await serve?.stop();
});

describe('webmail API', () => {
  it('refuses without a session (401) and state changes without the CSRF header (403)', async () => {
    const anon = new Browser(origin);
    assert.equal((await api(anon, 'GET', '/folders')).status, 401);
    assert.equal((await api(anon, 'POST', '/send', { to: [ALICE] })).status, 401);
    const f = await folders(pm);
    for (const [path, body] of [
      ['/send', { to: [ALICE], subject: 'x', text: 'x' }],
      ['/drafts', { subject: 'x' }],
      [`/folders/${f.inbox!.id}/actions`, { action: 'seen', uids: [1] }],
      ['/settings', { displayName: 'x' }],
      ['/trusted-senders', { sender: 'a@b.test' }],
    ] as const) {
      assert.equal((await api(pm.b, 'POST', path, body)).status, 403, path);
      assert.equal((await api(pm.b, 'POST', path, body, { 'x-csrf-token': alice.csrf })).status, 403, `${path} with another session's token`);
    }
    assert.equal((await fetchRaw(`${origin}/webmail`)).status, 303);
  });

  it('sends under the submission rules: From must be owned, unknown local recipients refused, Bcc never shown', async () => {
    const refusedFrom = await change(pm, 'POST', '/send', { from: ALICE, to: [ALICE], subject: 'spoof', text: 'x' });
    assert.equal(refusedFrom.status, 422);
    assert.match((refusedFrom.json as { message: string }).message, /cannot send as alice@example\.test/);
    const unknown = await change(pm, 'POST', '/send', { to: ['nobody@example.test'], subject: 'x', text: 'x' });
    assert.equal(unknown.status, 422);
    assert.match((unknown.json as { message: string }).message, /no mailbox nobody@example\.test/);
    const none = await change(pm, 'POST', '/send', { to: [], subject: 'x', text: 'x' });
    assert.equal(none.status, 422);

    const before = await folders(alice);
    const sent = await change(pm, 'POST', '/send', { to: [ALICE], bcc: [d.postmaster], subject: 'Hi Alice', text: 'Hello there' });
    assert.equal(sent.status, 200, sent.body);
    const after = await folders(alice);
    assert.equal(after.inbox!.messages, before.inbox!.messages + 1);
    assert.equal(after.inbox!.unread, before.inbox!.unread + 1);
    const page = (await api(alice.b, 'GET', `/folders/${after.inbox!.id}/messages`)).json as { items: Array<{ uid: number; subject: string; from: Array<{ address: string }> }> };
    const item = page.items.find((m) => m.subject === 'Hi Alice')!;
    assert.equal(item.from[0]!.address, d.postmaster);
    const raw = await api(alice.b, 'GET', `/folders/${after.inbox!.id}/messages/${item.uid}/raw`);
    assert.doesNotMatch(raw.body, /^Bcc:/im);
    assert.match(raw.body, /^Received: from webmail/m);
    // The Bcc copy went to postmaster's INBOX, and the Sent copy is there (read).
    const pf = await folders(pm);
    assert.ok(pf.sent!.messages >= 1);
    assert.equal(pf.sent!.unread, 0);
    // The Sent copy keeps the Bcc field (the transmitted one above has none), and so does nothing else.
    const sentUid = (sent.json as { sentUid: number }).sentUid;
    const copy = await api(pm.b, 'GET', `/folders/${pf.sent!.id}/messages/${sentUid}/raw`);
    assert.match(copy.body, new RegExp(`^Bcc: ${d.postmaster.replace(/\./g, '\\.')}\r$`, 'm'));
    assert.match(copy.body, /^Subject: Hi Alice\r$/m);
    const bccCopy = ((await api(pm.b, 'GET', `/folders/${pf.inbox!.id}/messages`)).json as { items: Array<{ uid: number; subject: string }> }).items.find((m) => m.subject === 'Hi Alice')!;
    assert.doesNotMatch((await api(pm.b, 'GET', `/folders/${pf.inbox!.id}/messages/${bccCopy.uid}/raw`)).body, /^Bcc:/im, 'the blind recipient’s copy has no Bcc');
  });

  it('signing in from /webmail returns to /webmail; a return-to off this site goes to /account instead', async () => {
    const shell = await fetchRaw(`${origin}/webmail`);
    assert.equal(shell.status, 303);
    assert.equal(shell.headers.location, '/signin?next=%2Fwebmail');
    const b = new Browser(origin);
    const form = await b.get('/signin?next=%2Fwebmail');
    assert.match(form.body, /<input type="hidden" name="next" value="\/webmail">/);
    const ok = await b.post('/signin', { csrf: Browser.csrf(form.body), address: ALICE, password: ALICE_PASSWORD, next: '/webmail' });
    assert.equal(ok.status, 303, ok.body);
    assert.equal(ok.headers.location, '/webmail');
    assert.equal((await b.get('/webmail')).status, 200);
    for (const next of ['//evil.test/webmail', '/\\evil.test', 'https://evil.test/', '/.//evil.test', 'javascript:alert(1)']) {
      const other = new Browser(origin);
      const f = await other.get(`/signin?next=${encodeURIComponent(next)}`);
      assert.doesNotMatch(f.body, /name="next"/, `no return-to kept for ${next}`);
      const r = await other.post('/signin', { csrf: Browser.csrf(f.body), address: ALICE, password: ALICE_PASSWORD, next });
      assert.equal(r.status, 303);
      assert.equal(r.headers.location, '/account', `signing in with next=${next}`);
    }
  });

  it('one mailbox never reads another one’s folders or messages', async () => {
    const af = await folders(alice);
    assert.equal((await api(pm.b, 'GET', `/folders/${af.inbox!.id}/messages`)).status, 404);
    assert.equal((await api(pm.b, 'GET', `/folders/${af.inbox!.id}/messages/1`)).status, 404);
    assert.equal((await api(pm.b, 'GET', `/folders/${af.inbox!.id}/messages/1/raw`)).status, 404);
    assert.equal((await change(pm, 'POST', `/folders/${af.inbox!.id}/actions`, { action: 'delete', uids: [1] })).status, 404);
    const pf = await folders(pm);
    assert.equal((await change(pm, 'POST', `/folders/${pf.inbox!.id}/actions`, { action: 'move', uids: [1], to: af.inbox!.id })).status, 404);
  });

  it('serves an HTML body under a strict CSP, cid: images inline, attachments as downloads with nosniff', async () => {
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
    await appendAsPostmaster(
      [
        'From: Shop <news@shop.test>',
        'To: postmaster@example.test',
        'Subject: With pictures',
        'MIME-Version: 1.0',
        'Content-Type: multipart/related; boundary="b1"',
        '',
        '--b1',
        'Content-Type: text/html; charset=utf-8',
        '',
        '<p>Logo: <img src="cid:logo@shop.test"> remote: <img src="https://tracker.shop.test/p.gif"></p>',
        '--b1',
        'Content-Type: image/png',
        'Content-ID: <logo@shop.test>',
        'Content-Transfer-Encoding: base64',
        '',
        png.toString('base64'),
        '--b1',
        'Content-Type: text/html; name="page.html"',
        'Content-Disposition: attachment; filename="page.html"',
        '',
        '<script>alert(1)</script>',
        '--b1--',
        '',
      ].join('\n'),
    );
    const f = await folders(pm);
    const list = (await api(pm.b, 'GET', `/folders/${f.inbox!.id}/messages`)).json as { items: Array<{ uid: number; subject: string }> };
    const uid = list.items.find((m) => m.subject === 'With pictures')!.uid;
    const m = (await api(pm.b, 'GET', `/folders/${f.inbox!.id}/messages/${uid}`)).json as { hasHtml: boolean; remoteBlocked: boolean; attachments: Array<{ path: string; filename: string; inline: boolean }> };
    assert.equal(m.hasHtml, true);
    assert.equal(m.remoteBlocked, true);
    assert.deepEqual(m.attachments.map((a) => [a.filename, a.inline]), [['part-2.png', true], ['page.html', false]]);

    const body = await api(pm.b, 'GET', `/folders/${f.inbox!.id}/messages/${uid}/body.html`);
    const csp = String(body.headers['content-security-policy']);
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /sandbox/);
    assert.doesNotMatch(csp, /script-src|https:/);
    assert.match(body.body, new RegExp(`src="/webmail/api/folders/${f.inbox!.id}/messages/${uid}/parts/2\\?inline=1"`));
    assert.doesNotMatch(body.body, /tracker\.shop\.test/);

    const img = await api(pm.b, 'GET', `/folders/${f.inbox!.id}/messages/${uid}/parts/2?inline=1`);
    assert.equal(img.headers['content-type'], 'image/png');
    assert.equal(img.headers['x-content-type-options'], 'nosniff');
    const page = await api(pm.b, 'GET', `/folders/${f.inbox!.id}/messages/${uid}/parts/3?inline=1`);
    assert.match(String(page.headers['content-disposition']), /^attachment; filename="page\.html"/, 'HTML is never served inline');
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
    assert.match(String(page.headers['content-security-policy']), /sandbox/);

    // Trusting the sender shows remote images from then on.
    assert.equal((await change(pm, 'POST', '/trusted-senders', { sender: 'news@shop.test' })).status, 204);
    const trusted = await api(pm.b, 'GET', `/folders/${f.inbox!.id}/messages/${uid}/body.html`);
    assert.match(trusted.body, /tracker\.shop\.test/);
    assert.match(String(trusted.headers['content-security-policy']), /img-src 'self' data: https: http:/);
  });

  it('uploads are bound to the mailbox: another mailbox cannot send with the token, a forged one is refused', async () => {
    const cookie = [...alice.b.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const up = await fetchRaw(`${origin}/webmail/api/uploads`, { method: 'POST', headers: { cookie, 'x-csrf-token': alice.csrf, 'content-type': 'text/plain', 'x-filename': 'note.txt' }, body: 'secret note' });
    assert.equal(up.status, 201, up.body);
    const token = (JSON.parse(up.body) as { token: string }).token;
    const odd = await fetchRaw(`${origin}/webmail/api/uploads`, { method: 'POST', headers: { cookie, 'x-csrf-token': alice.csrf, 'content-type': 'application/pdf', 'x-filename': '%E0%A4%A.pdf' }, body: 'x' });
    assert.equal(odd.status, 201, 'a name that is not valid percent-encoding is kept as sent');
    assert.equal((JSON.parse(odd.body) as { name: string }).name, '%E0%A4%A.pdf');
    const noCsrf = await fetchRaw(`${origin}/webmail/api/uploads`, { method: 'POST', headers: { cookie, 'content-type': 'text/plain' }, body: 'x' });
    assert.equal(noCsrf.status, 403);
    const stolen = await change(pm, 'POST', '/send', { to: [ALICE], subject: 'x', text: 'x', attachments: [{ token, name: 'note.txt' }] });
    assert.equal(stolen.status, 422);
    const forged = await change(alice, 'POST', '/send', { to: [d.postmaster], subject: 'x', text: 'x', attachments: [{ token: `${token.split('.')[0]}.AAAA` }] });
    assert.equal(forged.status, 422);
    const ok = await change(alice, 'POST', '/send', { to: [d.postmaster], subject: 'With a note', text: 'see attached', attachments: [{ token, name: 'note.txt', type: 'text/plain' }] });
    assert.equal(ok.status, 200, ok.body);
    // Sent: the upload is forgotten (the message holds its own copy); the one never sent still waits.
    const store = openSqliteStore({ path: join(d.dir, 'outpost.db') });
    try {
      assert.equal(await store.uploadBytes((await store.getMailbox(ALICE))!.id), 1);
    } finally {
      await store.close();
    }
    const again = await change(alice, 'POST', '/send', { to: [d.postmaster], subject: 'Again', text: 'x', attachments: [{ token, name: 'note.txt' }] });
    assert.equal(again.status, 422, 'a sent upload cannot be sent again');
  });

  it('forwarding carries the original attachments (a change: CSRF needed)', async () => {
    const f = await folders(pm);
    const list = (await api(pm.b, 'GET', `/folders/${f.inbox!.id}/messages`)).json as { items: Array<{ uid: number; subject: string }> };
    const uid = list.items.find((m) => m.subject === 'With pictures')!.uid;
    assert.equal((await api(pm.b, 'POST', `/folders/${f.inbox!.id}/messages/${uid}/forward-attachments`, {})).status, 403);
    const r = await change(pm, 'POST', `/folders/${f.inbox!.id}/messages/${uid}/forward-attachments`, {});
    const atts = (r.json as { attachments: Array<{ token: string; name: string; type: string; size: number }> }).attachments;
    assert.deepEqual(atts.map((a) => [a.name, a.type]), [['part-2.png', 'image/png'], ['page.html', 'text/html']]);
    const fwd = (await api(pm.b, 'GET', `/folders/${f.inbox!.id}/messages/${uid}/reply?mode=forward`)).json as { subject: string; text: string };
    assert.equal(fwd.subject, 'Fwd: With pictures');
    const sent = await change(pm, 'POST', '/send', { to: [ALICE], subject: fwd.subject, text: fwd.text, attachments: atts });
    assert.equal(sent.status, 200, sent.body);
    const af = await folders(alice);
    const got = (await api(alice.b, 'GET', `/folders/${af.inbox!.id}/messages`)).json as { items: Array<{ uid: number; subject: string }> };
    const m = (await api(alice.b, 'GET', `/folders/${af.inbox!.id}/messages/${got.items.find((x) => x.subject === 'Fwd: With pictures')!.uid}`)).json as { attachments: Array<{ filename: string; size: number }> };
    assert.deepEqual(m.attachments.map((a) => a.filename), ['part-2.png', 'page.html']);
  });

  it('drafts: saved to Drafts, each save replaces the last', async () => {
    const first = await change(alice, 'POST', '/drafts', { to: ['bob@remote.test'], bcc: ['hidden@remote.test'], subject: 'Draft 1', text: 'one' });
    assert.equal(first.status, 200, first.body);
    const { folderId, uid } = first.json as { folderId: number; uid: number };
    const second = await change(alice, 'POST', '/drafts', { to: ['bob@remote.test'], subject: 'Draft 2', text: 'two', draftUid: uid });
    const list = (await api(alice.b, 'GET', `/folders/${folderId}/messages`)).json as { items: Array<{ subject: string; draft: boolean }> };
    assert.deepEqual(list.items.map((m) => [m.subject, m.draft]), [['Draft 2', true]]);
    const raw = await api(alice.b, 'GET', `/folders/${folderId}/messages/${(second.json as { uid: number }).uid}/raw`);
    assert.match(raw.body, /^To: bob@remote\.test\r$/m);
  });

  it('spam / not spam move the messages and train the sender for this mailbox', async () => {
    await appendAsPostmaster('From: Pushy <pushy@ads.test>\nTo: postmaster@example.test\nSubject: Buy now\n\nbuy\n');
    const f = await folders(pm);
    const list = (await api(pm.b, 'GET', `/folders/${f.inbox!.id}/messages`)).json as { items: Array<{ uid: number; subject: string }> };
    const uid = list.items.find((m) => m.subject === 'Buy now')!.uid;
    assert.equal((await change(pm, 'POST', `/folders/${f.inbox!.id}/actions`, { action: 'spam', uids: [uid] })).status, 200);
    const g = await folders(pm);
    assert.ok(g.junk, 'a Junk folder exists');
    const junk = (await api(pm.b, 'GET', `/folders/${g.junk!.id}/messages`)).json as { items: Array<{ uid: number; subject: string }> };
    assert.deepEqual(junk.items.map((m) => m.subject), ['Buy now']);
    const store = openSqliteStore({ path: join(d.dir, 'outpost.db') });
    try {
      const me = (await store.getMailbox(d.postmaster))!;
      assert.equal(await new SpamTraining(store, Date.now).standing(me.id, 'pushy@ads.test'), 1);
      assert.equal((await change(pm, 'POST', `/folders/${g.junk!.id}/actions`, { action: 'notspam', uids: [junk.items[0]!.uid] })).status, 200);
      assert.equal(await new SpamTraining(store, Date.now).standing(me.id, 'pushy@ads.test'), -1);
    } finally {
      await store.close();
    }
  });

  it('pages newest first with a cursor, and sorts by subject', async () => {
    for (let i = 0; i < 7; i++) await appendAsPostmaster(`From: a@x.test\nTo: postmaster@example.test\nSubject: page ${String.fromCharCode(103 - i)}\n\n${i}\n`, 'Archive');
    const f = await folders(pm);
    const id = f.archive!.id;
    const p1 = (await api(pm.b, 'GET', `/folders/${id}/messages?limit=3`)).json as { items: Array<{ uid: number; subject: string }>; next: string };
    assert.equal(f.archive!.messages, 7);
    assert.equal(p1.items.length, 3);
    const p2 = (await api(pm.b, 'GET', `/folders/${id}/messages?limit=3&cursor=${p1.next}`)).json as { items: Array<{ uid: number }>; next: string };
    const p3 = (await api(pm.b, 'GET', `/folders/${id}/messages?limit=3&cursor=${p2.next}`)).json as { items: Array<{ uid: number }>; next: string | null };
    const uids = [...p1.items, ...p2.items, ...p3.items].map((m) => m.uid);
    assert.deepEqual(uids, [...uids].sort((a, b) => b - a));
    assert.equal(new Set(uids).size, 7);
    assert.equal(p3.next, null);
    const bySubject = (await api(pm.b, 'GET', `/folders/${id}/messages?sort=subject&order=asc&limit=2`)).json as { items: Array<{ subject: string }>; next: string };
    assert.deepEqual(bySubject.items.map((m) => m.subject), ['page a', 'page b']);
    const next = (await api(pm.b, 'GET', `/folders/${id}/messages?sort=subject&order=asc&limit=2&cursor=${bySubject.next}`)).json as { items: Array<{ subject: string }> };
    assert.deepEqual(next.items.map((m) => m.subject), ['page c', 'page d']);
  });

  it('conversation view: one row per conversation, newest first, with its count', async () => {
    await appendAsPostmaster('From: a@x.test\nSubject: Trip\nMessage-ID: <t1@x.test>\n\nfirst\n', 'Trash');
    await appendAsPostmaster('From: b@x.test\nSubject: Other\nMessage-ID: <o1@x.test>\n\nother\n', 'Trash');
    await appendAsPostmaster('From: c@x.test\nSubject: Re: Trip\nMessage-ID: <t2@x.test>\nIn-Reply-To: <t1@x.test>\nReferences: <t1@x.test>\n\nsecond\n', 'Trash');
    const f = await folders(pm);
    const r = (await api(pm.b, 'GET', `/folders/${f.trash!.id}/messages?view=threads`)).json as { items: Array<{ subject: string; count: number; uids: number[] }> };
    assert.deepEqual(r.items.map((i) => [i.subject, i.count, i.uids.length]), [['Re: Trip', 2, 2], ['Other', 1, 1]]);
  });

  it('streams live changes (server-sent events) for the signed-in mailbox only', async () => {
    const cookie = [...pm.b.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const events: string[] = [];
    const req = request(`${origin}/webmail/api/live`, { headers: { cookie }, rejectUnauthorized: false });
    const opened = new Promise<void>((resolve) =>
      req.on('response', (res) => {
        assert.equal(res.headers['content-type'], 'text/event-stream; charset=utf-8');
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => events.push(chunk));
        resolve();
      }),
    );
    req.end();
    await opened;
    await change(alice, 'POST', '/send', { to: [ALICE], subject: 'only alice', text: 'x' });
    await change(alice, 'POST', '/send', { to: [d.postmaster], subject: 'for pm', text: 'x' });
    const f = await folders(pm);
    for (let i = 0; i < 200 && !events.join('').includes(`"folderId":${f.inbox!.id}`); i++) await new Promise((r) => setTimeout(r, 50));
    req.destroy();
    const text = events.join('');
    assert.match(text, /event: change\ndata: \{"kind":"exists","folderId":\d+/);
    const af = await folders(alice);
    assert.doesNotMatch(text, new RegExp(`"folderId":${af.inbox!.id}\\b`), 'no events of another mailbox');
  });

  it('uploads waiting to be sent are bounded per mailbox (422 with the reason past the bound)', async () => {
    const store = openSqliteStore({ path: join(d.dir, 'outpost.db') });
    const aliceId = (await store.getMailbox(ALICE))!.id;
    // Another upload already waits, all but 10 bytes of the bound.
    const waiting = 'f'.repeat(64);
    const room = webmailLimits.uploadsPendingBytes - (await store.uploadBytes(aliceId)) - 10;
    await store.addUpload(aliceId, waiting, room, Date.now(), webmailLimits.uploadsPendingBytes);
    try {
      const cookie = [...alice.b.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      const upload = (body: string) => fetchRaw(`${origin}/webmail/api/uploads`, { method: 'POST', headers: { cookie, 'x-csrf-token': alice.csrf, 'content-type': 'text/plain' }, body });
      assert.equal((await upload('0123456789')).status, 201, 'up to the bound');
      const over = await upload('one byte too many');
      assert.equal(over.status, 422, over.body);
      assert.match((JSON.parse(over.body) as { message: string }).message, /attachments waiting to be sent may take at most 96 MB/);
    } finally {
      await store.removeUploads(aliceId, [waiting]);
      await store.close();
    }
  });

  it('uploads are limited per mailbox per hour (429 past the limit)', async () => {
    const cookie = [...pm.b.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    let status = 0;
    let n = 0;
    for (; n < 400 && status !== 429; n++)
      status = (await fetchRaw(`${origin}/webmail/api/uploads`, { method: 'POST', headers: { cookie, 'x-csrf-token': pm.csrf, 'content-type': 'text/plain' }, body: `u${n}` })).status;
    assert.equal(status, 429);
    assert.ok(n > 250, `refused only after the hourly allowance (${n})`);
  });

  it('settings: display name and signature validated, forwarding and vacation through the rules service', async () => {
    const bad = await change(alice, 'POST', '/settings', { displayName: 'Evil <x@y>' });
    assert.equal(bad.status, 422);
    const ok = await change(alice, 'POST', '/settings', { displayName: 'Alice A.', signature: 'A.', forwarding: { to: ['alice@remote.test'], keepCopy: true }, vacation: { enabled: true, subject: 'Away', body: 'Back soon' } });
    assert.equal(ok.status, 200, ok.body);
    const s = (await api(alice.b, 'GET', '/settings')).json as { displayName: string; forwarding: { to: string[] }; vacation: { enabled: boolean; body: string } };
    assert.equal(s.displayName, 'Alice A.');
    assert.deepEqual(s.forwarding.to, ['alice@remote.test']);
    assert.equal(s.vacation.enabled, true);
    const store = openSqliteStore({ path: join(d.dir, 'outpost.db') });
    try {
      const rules = await store.getMailboxRules((await store.getMailbox(ALICE))!.id);
      assert.deepEqual(rules?.forwardTo, ['alice@remote.test']);
      assert.equal(rules?.vacation.body, 'Back soon');
    } finally {
      await store.close();
    }
  });
});
