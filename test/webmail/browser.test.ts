/**
 * The webmail end to end in headless Chromium (playwright-core + Debian's chromium) against a real `outpost serve`:
 * sign in, send to yourself with an attachment and see it arrive live, reply (delivered to a remote test MX with
 * In-Reply-To/References and a DKIM signature), search, move and delete, delivery status from the queue, settings,
 * keyboard shortcuts, and a corpus of hostile HTML mails that must open no dialog and reach no server (a canary
 * HTTP server on loopback counts every request). Screenshots of each main screen go to test/artifacts/webmail-*.png.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ImapFlow } from 'imapflow';
import { editConfig, makeDataDir, type TestDataDir } from '../kit/data-dir.js';
import { startServe, type ServeProcess } from '../kit/serve.js';
import { startDnsServer, type TestDnsServer } from '../kit/dns-server.js';
import { freePort } from '../kit/ports.js';
import { startScriptedSmtp, type ScriptedServer } from '../queue/kit.js';
import { HOSTILE, HOSTILE_HEADERS, hostileMessage } from './hostile.js';

const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

let d: TestDataDir;
let dns: TestDnsServer;
let sink: ScriptedServer;
let serve: ServeProcess;
let browser: Browser;
let ctx: BrowserContext;
let page: Page;
let origin: string;
let canary: Server;
let canaryUrl: string;
const canaryHits: string[] = [];
const dialogs: string[] = [];
const cspViolations: string[] = [];

async function imap<T>(fn: (c: ImapFlow) => Promise<T>): Promise<T> {
  const c = new ImapFlow({ host: '127.0.0.1', port: d.ports.imaps, secure: true, tls: { rejectUnauthorized: false }, auth: { user: d.postmaster, pass: d.postmasterPassword }, logger: false });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.logout();
  }
}

const append = (raw: string, folder = 'INBOX') => imap((c) => c.append(folder, Buffer.from(raw.replace(/\r?\n/g, '\r\n'))));

/** The list settles on these subjects (live updates may redraw it while we look). */
async function listShows(expected: string[]): Promise<void> {
  let got: string[] = [];
  for (let i = 0; i < 50; i++) {
    got = await page.locator('#messages li .subject').allInnerTexts();
    if (JSON.stringify(got) === JSON.stringify(expected)) return;
    await page.waitForTimeout(100);
  }
  assert.deepEqual(got, expected);
}

/** Form controls and buttons a screen reader could not name (no label, no aria-label, no text). */
async function unlabelled(): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
      .filter((el) => {
        const e = el as HTMLInputElement;
        if (e.getAttribute('aria-label') || (e.labels && e.labels.length > 0)) return false;
        if (e.tagName === 'BUTTON') return (e.textContent ?? '').trim() === '';
        return true;
      })
      .map((el) => el.outerHTML.slice(0, 120)),
  );
}

async function openFolder(role: string): Promise<void> {
  await page.click(`nav.folders a[data-folder="${role}"]`);
  await page.waitForSelector(`nav.folders a[data-folder="${role}"].current`);
}

async function openMessage(subject: string): Promise<void> {
  await page.locator('#messages li a.row', { hasText: subject }).first().click();
  await page.waitForSelector('#reader #subject');
  assert.equal(await page.locator('#reader #subject').innerText(), subject);
}

before(async () => {
  canary = createServer((req, res) => {
    canaryHits.push(`${req.method} ${req.url}`);
    res.writeHead(200, { 'content-type': 'image/gif' }).end(Buffer.from('R0lGODlhAQABAAAAACw=', 'base64'));
  });
  await new Promise<void>((r) => canary.listen(0, '127.0.0.1', r));
  canaryUrl = `http://127.0.0.1:${(canary.address() as { port: number }).port}`;

  dns = await startDnsServer({ records: {} });
  sink = await startScriptedSmtp({
    rcpt: (to) => (/bounce@/i.test(to) ? '550 5.1.1 <bounce@remote.test>: no such user here' : /later@/i.test(to) ? '451 4.3.0 greylisted, come back later' : '250 2.1.5 OK'),
  });
  d = await makeDataDir({ dns: [dns.server] });
  editConfig(d.dir, (t) => `${t}\n[routes]\n"remote.test" = "127.0.0.1:${sink.port}"\n`);
  serve = startServe(d.dir);
  await serve.waitFor(/Outpost is running/);
  origin = `https://127.0.0.1:${d.ports.https}`;
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: FLAGS });
  ctx = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 860 }, acceptDownloads: true });
  page = await ctx.newPage();
  page.on('dialog', (dlg) => {
    dialogs.push(dlg.message());
    void dlg.dismiss();
  });
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  mkdirSync(ARTIFACTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  await serve?.stop();
  await sink?.close();
  await dns?.close();
  canary?.close();
});

describe('webmail in a browser', () => {
  it('needs a session: /webmail redirects to sign-in; sign in, back to the webmail, the inbox shows', async () => {
    await page.goto(`${origin}/webmail`);
    await page.waitForURL(/\/signin\?next=%2Fwebmail$/);
    await page.fill('#address', d.postmaster);
    await page.fill('#password', d.postmasterPassword);
    await Promise.all([page.waitForURL(/\/webmail$/), page.click('main button[type=submit]')]);
    await page.waitForSelector('nav.folders a[data-folder="inbox"].current');
    const folders = await page.locator('nav.folders a .name').allInnerTexts();
    for (const f of ['Inbox', 'Drafts', 'Sent', 'Trash']) assert.ok(folders.includes(f), `${f} in ${folders.join(', ')}`);
  });

  it('sends to yourself with an attachment; the message arrives live, unread count and all', async () => {
    await page.click('#compose');
    await page.waitForSelector('#composer');
    await page.fill('#to', d.postmaster);
    await page.fill('#subject-input', 'Hello from the webmail');
    await page.fill('#body', 'First line with a link https://example.test/page and the word zanzibar.\n');
    const attachment = Buffer.from('%PDF-1.4\n% a small pdf for the round trip \u00e9\n'.repeat(2000), 'latin1');
    await page.setInputFiles('#attach', { name: 'report é.pdf', mimeType: 'application/pdf', buffer: attachment });
    await page.waitForSelector('.uploads li.attached');
    assert.deepEqual(await unlabelled(), [], 'every control has a label (webmail-compose.png)');
    await page.screenshot({ path: `${ARTIFACTS}webmail-compose.png` });
    await page.click('#send');
    await page.waitForSelector('#notice', { state: 'visible' });
    assert.match(await page.locator('#notice').innerText(), /Sent/);
    // Back on the inbox without a reload: the live stream brings the message in.
    await page.locator('#messages li.unread a.row', { hasText: 'Hello from the webmail' }).waitFor();
    await page.locator('nav.folders a[data-folder="inbox"] .count').waitFor();

    // Mail arriving by another door (IMAP APPEND here) shows up live too.
    await append('From: Bob <bob@remote.test>\nTo: postmaster@example.test\nSubject: Lunch plans\nMessage-ID: <lunch-1@remote.test>\nDate: Sat, 28 Nov 2026 11:00:00 +0000\n\nShall we meet at noon?\n');
    await page.locator('#messages li a.row', { hasText: 'Lunch plans' }).waitFor({ timeout: 5000 });
    assert.deepEqual(await unlabelled(), [], 'every control has a label (webmail-inbox.png)');
    await page.screenshot({ path: `${ARTIFACTS}webmail-inbox.png` });
  });

  it('reads the message: text with links, the attachment downloads with its bytes, show original', async () => {
    await openMessage('Hello from the webmail');
    assert.equal(await page.locator('.text-body a[href="https://example.test/page"]').count(), 1);
    const link = page.locator('a.attachment', { hasText: 'report é.pdf' });
    const href = await link.getAttribute('href');
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const saved = readFileSync((await download.path())!);
    assert.ok(saved.equals(Buffer.from('%PDF-1.4\n% a small pdf for the round trip \u00e9\n'.repeat(2000), 'latin1')), 'attachment bytes round-trip');
    const res = await page.request.get(`${origin}${href}`);
    assert.match(res.headers()['content-disposition']!, /^attachment;/);
    assert.equal(res.headers()['x-content-type-options'], 'nosniff');
    const original = await page.request.get(`${origin}${await page.locator('#show-original').getAttribute('href')}`);
    assert.match(original.headers()['content-type']!, /^text\/plain/);
    assert.match(await original.text(), /^Subject: Hello from the webmail\r$/m);
    // Opening marked it read.
    await page.locator('#messages li:not(.unread) a.row', { hasText: 'Hello from the webmail' }).waitFor();
    assert.deepEqual(await unlabelled(), [], 'every control has a label (webmail-reader.png)');
    await page.screenshot({ path: `${ARTIFACTS}webmail-reader.png` });
  });

  it('replies: quoted text, Re:, delivered to the remote MX with In-Reply-To, References and DKIM; a conversation', async () => {
    await openMessage('Lunch plans');
    await page.click('#reply');
    await page.waitForSelector('#composer');
    assert.equal(await page.inputValue('#to'), 'Bob <bob@remote.test>');
    assert.equal(await page.inputValue('#subject-input'), 'Re: Lunch plans');
    assert.match(await page.inputValue('#body'), /wrote:\n> Shall we meet at noon\?/);
    await page.locator('#body').press('Control+Home');
    await page.locator('#body').type('Noon works. ');
    await page.click('#send');
    await page.waitForSelector('#notice:has-text("Sent")');
    const deadline = Date.now() + 15_000;
    while (sink.received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const got = sink.received.find((m) => m.rcpts.includes('bob@remote.test'));
    assert.ok(got, 'the reply reached the remote MX');
    assert.match(got.data, /^In-Reply-To: <lunch-1@remote\.test>\r?$/m);
    assert.match(got.data, /^References: <lunch-1@remote\.test>\r?$/m);
    assert.match(got.data, /^DKIM-Signature: .*d=example\.test/m);
    assert.match(got.data, /Noon works\./);
    // The original is marked answered; the conversation shows both.
    await openMessage('Lunch plans');
    await page.locator('#conversation li', { hasText: 'Re: Lunch plans' }).waitFor();
  });

  it('searches on the server: body words, sender, has attachment', async () => {
    await openFolder('inbox');
    await page.fill('#search', 'zanzibar');
    await page.click('form.search button[type=submit]');
    await page.locator('#list-counts', { hasText: '1 found' }).waitFor();
    await listShows(['Hello from the webmail']);
    await page.click('form.search button[aria-expanded]');
    await page.fill('#search', '');
    await page.fill('#search-from', 'bob@remote');
    await page.click('form.search button[type=submit]');
    await page.locator('#list-counts', { hasText: '1 found' }).waitFor();
    await listShows(['Lunch plans']);
    await page.click('form.search button[aria-expanded]');
    await page.fill('#search-from', '');
    await page.check('#search-hasAttachment');
    await page.click('form.search button[type=submit]');
    await page.locator('#list-counts', { hasText: '1 found' }).waitFor();
    await listShows(['Hello from the webmail']);
    assert.deepEqual(await unlabelled(), [], 'every control has a label (webmail-search.png)');
    await page.screenshot({ path: `${ARTIFACTS}webmail-search.png` });
    await page.click('text=Clear search');
  });

  it('moves (with the menu and by drag and drop), archives, deletes to Trash and for good', async () => {
    await openFolder('inbox');
    const row = (s: string) => page.locator('#messages li', { hasText: s });
    await row('Lunch plans').locator('input[type=checkbox]').check();
    await page.locator('.list-tools select.move').selectOption({ label: 'Archive' });
    await row('Lunch plans').waitFor({ state: 'detached' });
    await row('Hello from the webmail').locator('a.row').dragTo(page.locator('nav.folders a[data-folder="drafts"]'));
    await row('Hello from the webmail').waitFor({ state: 'detached' });
    await openFolder('drafts');
    await row('Hello from the webmail').waitFor();
    await row('Hello from the webmail').locator('input[type=checkbox]').check();
    await page.click('.list-tools button[data-action="delete"]');
    await row('Hello from the webmail').waitFor({ state: 'detached' });
    await openFolder('archive');
    await row('Lunch plans').waitFor();
    await openFolder('trash');
    await row('Hello from the webmail').waitFor();
    await row('Hello from the webmail').locator('input[type=checkbox]').check();
    await page.click('.list-tools button[data-action="delete"]');
    await row('Hello from the webmail').waitFor({ state: 'detached' });
    assert.equal(await imap(async (c) => (await c.status('Trash', { messages: true })).messages), 0);
  });

  it('shows delivery status from the queue: delivered, bounced, retrying with the remote reply', async () => {
    await page.click('#compose');
    // Suggestions from past correspondents: Bob was written to (Sent) and wrote (Inbox).
    await page.locator('#to').pressSequentially('bo');
    await page.locator('#to-suggestions li', { hasText: 'Bob <bob@remote.test>' }).waitFor();
    await page.locator('#to').press('ArrowDown');
    await page.locator('#to').press('Enter');
    assert.equal(await page.inputValue('#to'), 'Bob <bob@remote.test>, ');
    await page.fill('#to', 'bob@remote.test, bounce@remote.test, later@remote.test');
    await page.fill('#bcc', 'hidden@remote.test');
    await page.fill('#subject-input', 'Status check');
    await page.fill('#body', 'Three recipients, three fates.');
    await page.click('#send');
    await page.waitForSelector('#notice:has-text("Sent")');
    // The remote MX gets no Bcc field (the blind copy went to hidden@ as an envelope recipient only); Sent keeps it.
    const deadline = Date.now() + 15_000;
    const hidden = () => sink.received.find((m) => m.rcpts.includes('hidden@remote.test') && m.data.includes('Status check'));
    while (!hidden() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.ok(hidden(), 'the blind copy reached the remote MX');
    assert.doesNotMatch(hidden()!.data, /^Bcc:/im);
    await openFolder('sent');
    await openMessage('Status check');
    const original = await page.request.get(new URL((await page.locator('#show-original').getAttribute('href'))!, page.url()).toString());
    assert.match(await original.text(), /^Bcc: hidden@remote\.test\r?$/m);
    await page.click('#outbox-link');
    const row = (addr: string) => page.locator('#outbox article', { hasText: 'Status check' }).locator(`tr:has-text("${addr}")`);
    await row('bob@remote.test').and(page.locator('[data-state="delivered"]')).waitFor({ timeout: 15_000 });
    await row('bounce@remote.test').and(page.locator('[data-state="bounced"]')).waitFor({ timeout: 15_000 });
    await row('later@remote.test').and(page.locator('[data-state="retrying"]')).waitFor({ timeout: 15_000 });
    assert.match(await row('bounce@remote.test').innerText(), /550 5\.1\.1 .*no such user/);
    assert.match(await row('later@remote.test').innerText(), /451 4\.3\.0 greylisted/);
    assert.deepEqual(await unlabelled(), [], 'every control has a label (webmail-outbox.png)');
    await page.screenshot({ path: `${ARTIFACTS}webmail-outbox.png`, fullPage: true });
  });

  it('settings: display name and signature are used when writing; vacation saved', async () => {
    await page.click('#settings-link');
    await page.fill('#display-name', 'Post Master');
    await page.fill('#signature', 'Sent from Outpost');
    await page.check('#vacation-on');
    await page.fill('#vacation-subject', 'Away');
    await page.fill('#vacation-body', 'Back on Monday.');
    await page.click('#save-settings');
    await page.waitForSelector('#notice:has-text("Settings saved")');
    assert.deepEqual(await unlabelled(), [], 'every control has a label (webmail-settings.png)');
    await page.screenshot({ path: `${ARTIFACTS}webmail-settings.png`, fullPage: true });
    await page.click('#compose');
    assert.match(await page.inputValue('#body'), /\n-- \nSent from Outpost$/);
    assert.match(await page.locator('#from option').first().innerText(), /Post Master <postmaster@example\.test>/);
    await page.fill('#to', 'carol@remote.test');
    await page.fill('#subject-input', 'Draft kept');
    await page.waitForSelector('#draft-status:has-text("Draft saved")', { timeout: 10_000 });
    await page.click('text=Close');
    await openFolder('drafts');
    await page.locator('#messages li', { hasText: 'Draft kept' }).waitFor();
  });

  it('keyboard shortcuts: ? help, c write, j/k and Escape', async () => {
    await openFolder('inbox');
    await page.locator('body').press('?');
    await page.waitForSelector('#help');
    await page.click('#help button');
    await page.keyboard.press('c');
    await page.waitForSelector('#composer');
    await page.click('text=Close');
    await page.waitForSelector('#messages');
  });

  it('hostile HTML: no dialog, no request to the canary, no overlay over our page; remote images only when allowed', async () => {
    let n = 0;
    for (const m of HOSTILE) await append(hostileMessage(m, canaryUrl, n++));
    await append(
      [`From: ${HOSTILE_HEADERS.from}`, 'To: postmaster@example.test', `Subject: ${HOSTILE_HEADERS.subject.replaceAll('CANARY', canaryUrl)}`, 'Message-ID: <hostile-headers@evil.test>', '', 'plain body'].join('\r\n'),
    );
    await openFolder('inbox');
    for (const m of HOSTILE) {
      await openMessage(m.subject);
      await page.waitForSelector('#html-body');
      await page.waitForTimeout(300);
      await page.locator('#html-body').hover();
      // Our own UI stays on top: the overlay is confined to the sandboxed frame and loses its position:fixed.
      const box = (await page.locator('#compose').boundingBox())!;
      assert.equal(await page.evaluate(([x, y]) => document.elementFromPoint(x!, y!)?.id, [box.x + box.width / 2, box.y + box.height / 2]), 'compose', m.name);
      if (m.name === 'position:fixed overlay') await page.screenshot({ path: `${ARTIFACTS}webmail-hostile.png` });
    }
    // The hostile From and Subject are shown as text.
    await page.locator('#messages li a.row', { hasText: "<script>alert('subject')</script>" }).click();
    await page.waitForSelector('#reader #subject');
    assert.match(await page.locator('#reader #from').innerText(), /<img src=x onerror=alert\('from'\)> Bank <security@bank\.test> <evil@attacker\.test>/);
    await page.waitForTimeout(500);
    assert.equal(dialogs.length, 0, `no dialog opened: ${dialogs.join(', ')}`);
    assert.equal(canaryHits.length, 0, `the canary received no request: ${canaryHits.join(', ')}`);

    // The control: once the user allows remote images for the newsletter, they load (so the canary can see them).
    await openMessage('Newsletter');
    await page.waitForSelector('#remote-blocked');
    await page.click('#show-images');
    const deadline = Date.now() + 5000;
    while (!canaryHits.some((h) => h.includes('/pixel.gif')) && Date.now() < deadline) await page.waitForTimeout(100);
    assert.ok(canaryHits.some((h) => h.includes('/pixel.gif')), `remote image loaded after "Show images": ${canaryHits.join(', ')}`);
    assert.ok(!canaryHits.some((h) => /refresh|import|link\.css|bg\.png|object|embed/.test(h)), `only images: ${canaryHits.join(', ')}`);
    assert.equal(dialogs.length, 0, dialogs.join(', '));
  });

  it('phone-sized screen: one column, the reader replaces the list', async () => {
    const phone = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 390, height: 800 }, isMobile: true, hasTouch: true, storageState: await ctx.storageState() });
    const p = await phone.newPage();
    await p.goto(`${origin}/webmail`);
    await p.waitForSelector('#messages li');
    const width = await p.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `no sideways scrolling (${width}px)`);
    await p.screenshot({ path: `${ARTIFACTS}webmail-mobile.png` });
    await p.locator('#messages li a.row').first().click();
    await p.waitForSelector('#reader');
    assert.equal(await p.locator('section.list').isVisible(), false);
    await p.screenshot({ path: `${ARTIFACTS}webmail-mobile-reader.png` });
    await phone.close();
  });

  it('our own pages raised no CSP violation', () => {
    assert.deepEqual(cspViolations.filter((v) => !/html-body|body\.html/.test(v)), []);
  });
});
