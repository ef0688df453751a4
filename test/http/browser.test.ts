/** Headless Chromium (playwright-core + Debian's chromium): sign-up → sign-in → settings guide, with screenshots. */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { makeDataDir, type TestDataDir } from '../kit/data-dir.js';
import { startServe, type ServeProcess } from '../kit/serve.js';
import { outpost } from '../kit/cli.js';

const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const PASSWORD = 'amber meadow lighthouse 7';

let d: TestDataDir;
let serve: ServeProcess;
let browser: Browser;
let origin: string;

before(async () => {
  d = await makeDataDir();
  for (const args of [['domain', 'signup', 'example.test', 'open']]) {
    const r = await outpost(['--data', d.dir, ...args]);
    assert.equal(r.code, 0, r.stderr);
  }
  serve = startServe(d.dir);
  await serve.waitFor(/Outpost is running/);
  origin = `https://127.0.0.1:${d.ports.https}`;
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: FLAGS });
  mkdirSync(ARTIFACTS, { recursive: true });
});
after(async () => {
  await browser?.close();
  await serve?.stop();
});

it('sign-up refusals are shown, then sign-up → sign-in → guide, screenshot saved', async () => {
  const ctx = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1100, height: 900 } });
  const page = await ctx.newPage();
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });

  const attempt = async (local: string, password: string, password2 = password) => {
    await page.goto(`${origin}/signup`);
    await page.fill('#local', local);
    await page.fill('#password', password);
    await page.fill('#password2', password2);
    await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);
  };
  for (const [local, password, why, words] of [
    ['postmaster', PASSWORD, 'reserved', /reserved/i],
    ['bad name', PASSWORD, 'invalid', /not a valid address/i],
    ['walker', 'password', 'weak', /too easy to guess/i],
  ] as const) {
    await attempt(local, password);
    const refusal = page.locator('#refusal');
    assert.equal(await refusal.getAttribute('data-reason'), why);
    assert.match(await refusal.innerText(), words);
  }
  await attempt('walker', PASSWORD);
  await page.waitForURL(/\/guide\?welcome=1$/);
  assert.match(await page.locator('#welcome').innerText(), /walker@example\.test/);
  await attempt('walker', PASSWORD);
  assert.equal(await page.locator('#refusal').getAttribute('data-reason'), 'taken');
  await page.screenshot({ path: `${ARTIFACTS}signup-refused.png` });

  const cookies = await ctx.cookies();
  const session = cookies.find((c) => c.name === '__Host-outpost-session')!;
  assert.ok(session.httpOnly && session.secure && session.sameSite === 'Strict');

  // Sign out, sign in again.
  await page.goto(`${origin}/account`);
  await Promise.all([page.waitForURL(`${origin}/`), page.click('header form button')]);
  await page.goto(`${origin}/signin`);
  await page.fill('#address', 'walker@example.test');
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForURL(/\/account$/), page.click('main button[type=submit]')]);
  assert.equal(await page.locator('#address').innerText(), 'walker@example.test');

  await page.goto(`${origin}/guide`);
  const table = await page.locator('#settings').innerText();
  assert.match(table, new RegExp(String(d.ports.imaps)));
  assert.match(table, /walker@example\.test/);
  assert.ok((await page.locator('section.client svg').count()) >= 12);
  assert.ok((await page.locator('#thunderbird svg').first().boundingBox())!.width > 200, 'the drawings render');
  await page.screenshot({ path: `${ARTIFACTS}settings-guide.png`, fullPage: true });
  await page.goto(`${origin}/guide/sheet`);
  await page.screenshot({ path: `${ARTIFACTS}settings-sheet.png`, fullPage: true });
  assert.deepEqual(violations, [], 'no CSP violations on our own pages');
  await ctx.close();
});
