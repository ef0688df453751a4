/**
 * The admin console in headless Chromium (playwright-core + Debian's chromium) on a real `outpost serve`: refused
 * to a non-admin; server status; domains (add, DKIM key, DNS records with the live check against the test DNS
 * server); mailboxes (search, create, disable, reset password, quota, allowance: each checked by its real effect);
 * the outbound queue (an entry deferred by a closed port: inspect its attempts, retry, bounce, delete); the support
 * view; CSRF refusals. Screenshots in test/artifacts/admin-*.png.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import nodemailer from 'nodemailer';
import { ImapFlow } from 'imapflow';
import { makeDataDir, type TestDataDir } from '../kit/data-dir.js';
import { startServe, type ServeProcess } from '../kit/serve.js';
import { outpost } from '../kit/cli.js';
import { startDnsServer, type TestDnsServer } from '../kit/dns-server.js';
import { freePort } from '../kit/ports.js';

const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const USER = 'user@example.test';
const USER_PASSWORD = 'amber meadow lighthouse 7';

let dns: TestDnsServer;
let d: TestDataDir;
let serve: ServeProcess;
let browser: Browser;
let origin: string;

before(async () => {
  dns = await startDnsServer({ records: { 'example.test': [{ type: 'MX', priority: 10, exchange: 'mail.example.test' }, { type: 'TXT', data: 'v=spf1 mx -all' }] } });
  d = await makeDataDir({ dns: [dns.server] });
  const closed = await freePort(); // nothing listens here: deliveries to remote.test are deferred
  appendFileSync(join(d.dir, 'outpost.toml'), `\n[routes]\n"remote.test" = "127.0.0.1:${closed}"\n`);
  const add = await outpost(['--data', d.dir, 'account', 'add', USER, '--password-stdin'], { stdin: `${USER_PASSWORD}\n` });
  assert.equal(add.code, 0, add.stderr);
  serve = startServe(d.dir);
  await serve.waitFor(/Outpost is running/, 60_000);
  origin = `https://127.0.0.1:${d.ports.https}`;
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: FLAGS });
  mkdirSync(ARTIFACTS, { recursive: true });
});
after(async () => {
  await browser?.close();
  await serve?.stop();
  await dns?.close();
});

async function signIn(address: string, password: string): Promise<Page> {
  const ctx = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1200, height: 900 } });
  const page = await ctx.newPage();
  await page.goto(`${origin}/signin`);
  await page.fill('#address', address);
  await page.fill('#password', password);
  await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);
  return page;
}

async function submit(page: Page, selector: string): Promise<void> {
  await Promise.all([page.waitForLoadState('load'), page.click(selector)]);
}

async function imapLogin(user: string, pass: string): Promise<boolean> {
  const c = new ImapFlow({ host: '127.0.0.1', port: d.ports.imaps, secure: true, auth: { user, pass }, tls: { rejectUnauthorized: false }, logger: false });
  try {
    await c.connect();
    await c.logout();
    return true;
  } catch {
    return false;
  }
}

describe('admin console', () => {
  it('is refused to a mailbox without the admin role', async () => {
    const page = await signIn(USER, USER_PASSWORD);
    const r = await page.goto(`${origin}/admin`);
    assert.equal(r?.status(), 403);
    assert.match(await page.locator('#forbidden').innerText(), /not an administrator/);
    await page.context().close();
  });

  it('status, domains, mailboxes, queue and support for the admin', async () => {
    // A message to a remote domain whose route is a closed port: it stays queued with a failed attempt.
    const t = nodemailer.createTransport({ host: '127.0.0.1', port: d.ports.submission, secure: false, requireTLS: true, auth: { user: d.postmaster, pass: d.postmasterPassword }, tls: { rejectUnauthorized: false } });
    await t.sendMail({ from: d.postmaster, to: 'someone@remote.test', subject: 'stuck', text: 'waiting' });
    t.close();

    const page = await signIn(d.postmaster, d.postmasterPassword);
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });

    // Status.
    await page.goto(`${origin}/admin`);
    assert.match(await page.locator('#version').innerText(), /^Outpost \d+\.\d+\.\d+/);
    assert.match(await page.locator('#cert-expiry').innerText(), /self-signed.*valid until \d{4}-\d\d-\d\d.*days left/);
    assert.match(await page.locator('#ready').innerText(), /^yes$/);
    assert.match(await page.locator('#queue-summary').innerText(), /^1 waiting/);
    assert.match(await page.locator('#store').innerText(), /sqlite:.*outpost\.db, [\d.]+ (KiB|MiB)/);
    assert.match(await page.locator('#listeners').innerText(), new RegExp(`imaps\\s+127\\.0\\.0\\.1:${d.ports.imaps}`));
    await page.screenshot({ path: join(ARTIFACTS, 'admin-status.png'), fullPage: true });

    // Domains: the live DNS check sees the published MX and SPF, and no DKIM or DMARC yet.
    await page.goto(`${origin}/admin/domains/example.test`);
    const row = (text: string) => page.locator('#dns tr', { hasText: text }).locator('td[data-status]').getAttribute('data-status');
    assert.equal(await row('IN\tMX'), 'ok');
    assert.equal(await row('v=spf1'), 'ok');
    assert.equal(await row('_domainkey'), 'fail');
    assert.equal(await row('_dmarc'), 'fail');
    await page.screenshot({ path: join(ARTIFACTS, 'admin-domain.png'), fullPage: true });
    // No answer from the DNS server (SERVFAIL) is "could not check", a warning, not "not published".
    dns.setFault('_dmarc.example.test', 'servfail');
    await page.reload();
    assert.equal(await row('_dmarc'), 'warn');
    assert.match((await page.locator('#dns tr', { hasText: '_dmarc' }).locator('td[data-status]').innerText()) ?? '', /^WARN: could not check: .*\(SERVFAIL\)$/);
    dns.setFault('_dmarc.example.test', undefined);
    const keysBefore = await page.locator('#dkim tr').count();
    await submit(page, '#add-dkim');
    assert.match(await page.locator('#message').innerText(), /new DKIM key/);
    assert.equal(await page.locator('#dkim tr').count(), keysBefore + 1);
    await page.goto(`${origin}/admin/domains`);
    await page.fill('#domain', 'second.test');
    await submit(page, '#add-domain');
    assert.match(page.url(), /\/admin\/domains\/second\.test\?done=added/);
    assert.equal(await page.locator('#dkim tr').count(), 2, 'a header row and the new key');
    assert.match((await outpost(['--data', d.dir, 'domain', 'list'])).stdout, /second\.test/);

    // Mailboxes: search, create, disable (the mailbox can no longer sign in), reset a password, quota, allowance.
    await page.goto(`${origin}/admin/mailboxes?q=user`);
    assert.match(await page.locator('#count').innerText(), /^1 of \d+ mailboxes$/);
    await page.fill('#address', 'new@example.test');
    await page.fill('#password', 'copper kettle horizon 42');
    await submit(page, '#create');
    assert.match(await page.locator('#message').innerText(), /mailbox is created/);
    assert.equal(await imapLogin('new@example.test', 'copper kettle horizon 42'), true);
    await submit(page, '#disable');
    assert.equal(await page.locator('#state').innerText(), 'disabled');
    assert.equal(await imapLogin('new@example.test', 'copper kettle horizon 42'), false);
    await page.goto(`${origin}/admin/mailboxes/${USER}`);
    await page.fill('#new-password', 'violet harbour compass 9');
    await submit(page, '#reset');
    assert.match(await page.locator('#message').innerText(), /password is reset/);
    assert.equal(await imapLogin(USER, 'violet harbour compass 9'), true);
    await page.fill('#quota', '250');
    await submit(page, '#set-quota');
    assert.match(await page.locator('#mailbox').innerText(), /of 250\.0 MiB/);
    await page.fill('#allowance', '3');
    await submit(page, '#set-allowance');
    assert.match(await page.locator('#subscription').innerText(), /1 of 3 mailboxes/);
    await page.fill('#quota', 'lots');
    await submit(page, '#set-quota');
    assert.match(await page.locator('#message').innerText(), /whole number/);
    await page.screenshot({ path: join(ARTIFACTS, 'admin-mailbox.png'), fullPage: true });

    // Queue: the deferred entry, its attempts, retry, bounce.
    let attempts = 0;
    for (let i = 0; i < 100 && attempts === 0; i++) {
      await page.goto(`${origin}/admin/queue`);
      const id = await page.locator('#queue tr td a').first().innerText();
      await page.goto(`${origin}/admin/queue/${id}`);
      attempts = (await page.locator('#attempts tr').count()) - 1;
      if (attempts === 0) await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(attempts >= 1, 'the failed attempt is listed');
    assert.match(await page.locator('#attempts').innerText(), /127\.0\.0\.1|refused|ECONNREFUSED/i);
    assert.match(await page.locator('#header').innerText(), /Subject: stuck/);
    await page.screenshot({ path: join(ARTIFACTS, 'admin-queue.png'), fullPage: true });
    await submit(page, '#retry');
    assert.match(await page.locator('#message').innerText(), /tried again now/);
    const id = await page.locator('#queue tr td a').first().innerText();
    await page.goto(`${origin}/admin/queue/${id}`);
    await submit(page, '#bounce');
    assert.match(await page.locator('#message').innerText(), /will bounce/);

    // Support view: a phone with the old password.
    assert.equal(await imapLogin(USER, USER_PASSWORD), false);
    await page.goto(`${origin}/admin/mailboxes/${USER}`);
    await submit(page, '#support-link');
    for (let i = 0; i < 30 && !(await page.locator('.fix').count()); i++) {
      await new Promise((r) => setTimeout(r, 100));
      await page.reload();
    }
    assert.match(await page.locator('.fix').first().innerText(), /Fix: wrong password saved in this program/);
    await page.screenshot({ path: join(ARTIFACTS, 'admin-support.png'), fullPage: true });

    // CSRF: the same action without the form's token is refused and changes nothing.
    const forged = await page.request.post(`${origin}/admin/mailboxes/${USER}/disable`, { form: { csrf: 'not-the-token' } });
    assert.equal(forged.status(), 403);
    const none = await page.request.post(`${origin}/admin/mailboxes/${USER}/disable`, { form: {} });
    assert.equal(none.status(), 403);
    assert.equal(await imapLogin(USER, 'violet harbour compass 9'), true, 'still enabled');
    assert.deepEqual(violations, []);
    await page.context().close();
  });
});
