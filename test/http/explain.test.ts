/** The event log in plain words, and the escaping every page relies on. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MailboxEvent } from '../../src/store/types.js';
import type { Config } from '../../src/config/load.js';
import { devicesSeen, explainEvent } from '../../src/http/explain.js';
import { clientSettings } from '../../src/http/settings.js';
import { esc, html } from '../../src/http/escape.js';
import { screen, THEMES } from '../../src/http/illustrations.js';
import { discoveryDomain, parseAutodiscoverRequest, stableUuid } from '../../src/http/discovery.js';

const config = {
  server: { hostname: 'mail.example.com', domain: 'example.com' },
  public: { hostname: 'mail.example.com', ports: { imaps: 993, imap: 143, submissions: 465, submission: 587, mx: 25 } },
} as unknown as Config;
const s = clientSettings(config, 'ann@example.com', 'example.com');
const at = Date.UTC(2026, 0, 5, 9, 14);
const ev = (e: Partial<MailboxEvent>): MailboxEvent => ({ mailboxId: 1, at, protocol: 'smtp', port: 25, clientIp: '203.0.113.5', tls: false, clientName: null, kind: 'auth', result: 'fail', reason: null, ...e });

describe('explainEvent', () => {
  const cases: Array<[Partial<MailboxEvent>, RegExp, RegExp]> = [
    [{ kind: 'smtp.sender', reason: 'relay-denied', clientName: 'iPhone' }, /"iPhone" tried to send mail from your address through port 25 without signing in, from 203\.0\.113\.5 at 2026-01-05 09:14 UTC/, /use port 465 with SSL\/TLS/],
    [{ kind: 'smtp.sender', reason: 'unauthenticated-local-sender' }, /without signing in/, /port 465/],
    [{ protocol: 'imap', port: 143, reason: 'plaintext-refused' }, /without encryption for reading mail \(IMAP\)/, /port 993 with SSL\/TLS/],
    [{ protocol: 'submission', port: 587, reason: 'plaintext-refused' }, /without encryption/, /For sending, use port 465/],
    [{ protocol: 'imap', port: 993, tls: true, reason: 'bad-password' }, /wrong password.*port 993 \(encrypted\)/, /change your password/],
    [{ protocol: 'pop3', reason: 'locked-out' }, /paused after too many wrong passwords/, /Wait a few minutes/],
    [{ protocol: 'web', reason: 'app-password-on-web' }, /with an app password/, /main password/],
  ];
  for (const [e, what, advice] of cases)
    it(`${e.reason}`, () => {
      const x = explainEvent(ev(e), s);
      assert.match(x.what, what);
      assert.match(x.advice, advice);
      assert.equal(x.ok, false);
    });

  it('a successful sign-in names the app password', () => {
    const x = explainEvent(ev({ protocol: 'imap', result: 'ok', reason: 'app-password:phone', clientName: 'K-9' }), s);
    assert.match(x.what, /signed in for reading mail \(IMAP\).*with the app password "phone"/);
    assert.equal(x.advice, '');
  });

  it('devices seen: grouped by program and protocol, first and last seen', () => {
    const list = devicesSeen([
      ev({ protocol: 'imap', result: 'ok', clientName: 'K-9', at: at + 2000, reason: 'app-password:phone' }),
      ev({ protocol: 'imap', result: 'ok', clientName: 'K-9', at: at + 1000 }),
      ev({ protocol: 'imap', result: 'fail', clientName: 'Evil', reason: 'bad-password' }),
      ev({ protocol: 'submission', result: 'ok', clientName: 'K-9', at }),
    ]);
    assert.deepEqual(list.map((d) => [d.name, d.protocol, d.firstSeen - at, d.lastSeen - at, d.via]), [
      ['K-9', 'imap', 1000, 2000, 'app password "phone"'],
      ['K-9', 'submission', 0, 0, 'main password'],
    ]);
  });
});

describe('escaping and drawings', () => {
  it('escapes markup, quotes and forbidden control characters', () => {
    assert.equal(esc(`<a href="x">'&'</a>\u0001`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    assert.equal(html`<p>${'<script>'}</p>${[html`<b>${'&'}</b>`]}`.text, '<p>&lt;script&gt;</p><b>&amp;</b>');
  });

  it('a drawing shows the values and never a hostile value as markup', () => {
    const svg = screen('Set up', [{ kind: 'field', label: 'Email address', value: '<x@y>"' }, { kind: 'field', label: 'Password', value: 'secret', secret: true }], THEMES.thunderbird).text;
    assert.match(svg, /&lt;x@y&gt;&quot;/);
    assert.ok(!svg.includes('secret'));
    assert.ok(!/style=/.test(svg), 'no style attributes (CSP)');
  });
});

describe('discovery helpers', () => {
  it('picks the domain from the address, else the Host header, else the server domain', () => {
    assert.deepEqual(discoveryDomain('Ann@Example.ORG', 'autoconfig.x.test', 'd.test'), { domain: 'example.org', address: 'ann@example.org' });
    assert.equal(discoveryDomain(undefined, 'autoconfig.x.test:443', 'd.test').domain, 'x.test');
    assert.equal(discoveryDomain(undefined, 'autodiscover.x.test', 'd.test').domain, 'x.test');
    assert.equal(discoveryDomain('not an address', '127.0.0.1:8080', 'd.test').domain, 'd.test');
    assert.equal(discoveryDomain(undefined, '<evil>', 'd.test').domain, 'd.test');
  });

  it('refuses DTDs, oversize and malformed Autodiscover requests', () => {
    assert.deepEqual(parseAutodiscoverRequest('<!DOCTYPE a [<!ENTITY b "c">]><Autodiscover/>'), { ok: false, reason: 'dtd' });
    assert.deepEqual(parseAutodiscoverRequest('<Autodiscover><Request><EMailAddress>' + 'a'.repeat(5000) + '</EMailAddress></Request></Autodiscover>'), { ok: false, reason: 'too-large' });
    assert.equal(parseAutodiscoverRequest('<a><b></a>').ok, false);
    assert.deepEqual(parseAutodiscoverRequest('<a:Autodiscover xmlns:a="x"><a:Request><a:EMailAddress> u@x.test </a:EMailAddress></a:Request></a:Autodiscover>'), { ok: true, emailAddress: 'u@x.test' });
  });

  it('derives stable, well-formed UUIDs', () => {
    const a = stableUuid('k', 'mail:a@x');
    assert.equal(a, stableUuid('k', 'mail:a@x'));
    assert.notEqual(a, stableUuid('k', 'mail:b@x'));
    assert.match(a, /^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/);
  });
});
