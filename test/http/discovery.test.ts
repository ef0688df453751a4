/** Discovery over real HTTP(S) against a real `outpost serve`: autoconfig, Autodiscover, the Apple profile, plain-HTTP rules. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { makeDataDir, type TestDataDir } from '../kit/data-dir.js';
import { startServe, type ServeProcess } from '../kit/serve.js';
import { outpost } from '../kit/cli.js';
import { python } from '../kit/python.js';
import { fetchRaw } from './client.js';

let d: TestDataDir;
let serve: ServeProcess;
let https: string;
let http: string;

before(async () => {
  d = await makeDataDir();
  const r = await outpost(['--data', d.dir, 'account', 'add', 'alice@example.test', '--password-stdin'], { stdin: 'correct horse battery staple\n' });
  assert.equal(r.code, 0, r.stderr);
  serve = startServe(d.dir);
  await serve.waitFor(/Outpost is running/);
  https = `https://127.0.0.1:${d.ports.https}`;
  http = `http://127.0.0.1:${d.ports.http}`;
});
after(async () => {
  await serve?.stop();
});

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, isArray: (n) => ['incomingServer', 'outgoingServer', 'Protocol'].includes(n) });

describe('Thunderbird autoconfig', () => {
  for (const [scheme, path] of [
    ['https', '/mail/config-v1.1.xml'],
    ['https', '/.well-known/autoconfig/mail/config-v1.1.xml'],
    ['http', '/mail/config-v1.1.xml'],
    ['http', '/.well-known/autoconfig/mail/config-v1.1.xml'],
  ] as const)
    it(`${scheme}://…${path} lists every server field by field`, async () => {
      const a = await fetchRaw(`${scheme === 'https' ? https : http}${path}?emailaddress=alice%40example.test`);
      assert.equal(a.status, 200);
      assert.match(String(a.headers['content-type']), /^application\/xml; charset=utf-8/);
      assert.ok(!a.body.startsWith('\ufeff'));
      const doc = parser.parse(a.body);
      assert.equal(doc.clientConfig['@version'], '1.1');
      const p = doc.clientConfig.emailProvider;
      assert.equal(p['@id'], 'example.test');
      assert.equal(p.domain, 'example.test');
      assert.ok(p.displayName.length <= 30 && p.displayShortName.length <= 12);
      const inc = p.incomingServer.map((s: Record<string, string>) => [s['@type'], s.hostname, Number(s.port), s.socketType, s.authentication, s.username]);
      assert.deepEqual(inc, [
        ['imap', 'mail.example.test', d.ports.imaps, 'SSL', 'password-cleartext', '%EMAILADDRESS%'],
        ['imap', 'mail.example.test', d.ports.imap, 'STARTTLS', 'password-cleartext', '%EMAILADDRESS%'],
        ['pop3', 'mail.example.test', d.ports.pop3s, 'SSL', 'password-cleartext', '%EMAILADDRESS%'],
        ['pop3', 'mail.example.test', d.ports.pop3, 'STARTTLS', 'password-cleartext', '%EMAILADDRESS%'],
      ]);
      const out = p.outgoingServer.map((s: Record<string, string>) => [s['@type'], s.hostname, Number(s.port), s.socketType]);
      assert.deepEqual(out, [
        ['smtp', 'mail.example.test', d.ports.submissions, 'SSL'],
        ['smtp', 'mail.example.test', d.ports.submission, 'STARTTLS'],
        ['smtp', 'mail.example.test', d.ports.submission_fallback, 'STARTTLS'],
      ]);
      assert.match(p.documentation['@url'], /^https:\/\/mail\.example\.test:\d+\//);
    });

  it('takes the domain from the Host header when no address is given', async () => {
    const a = await fetchRaw(`${http}/mail/config-v1.1.xml`, { headers: { host: 'autoconfig.other.test' } });
    assert.equal(parser.parse(a.body).clientConfig.emailProvider.domain, 'other.test');
  });

  it('answers a known and an unknown address identically', async () => {
    const known = await fetchRaw(`${https}/mail/config-v1.1.xml?emailaddress=alice@example.test`);
    const unknown = await fetchRaw(`${https}/mail/config-v1.1.xml?emailaddress=nobody@example.test`);
    assert.equal(known.body, unknown.body);
    assert.equal(known.status, unknown.status);
  });
});

describe('Outlook Autodiscover', () => {
  const request = (addr: string) => `<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">
  <Request><EMailAddress>${addr}</EMailAddress>
  <AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema></Request>
</Autodiscover>`;
  const post = (path: string, body: string) => fetchRaw(`${https}${path}`, { method: 'POST', headers: { 'content-type': 'text/xml; charset=utf-8', authorization: 'Basic ' + Buffer.from('alice@example.test:whatever').toString('base64') }, body });

  it('answers POX with implicit-TLS IMAP, POP3 and SMTP, SPA off, SSL on, whatever the case of the path', async () => {
    for (const path of ['/autodiscover/autodiscover.xml', '/Autodiscover/Autodiscover.xml', '/AUTODISCOVER/AUTODISCOVER.XML']) {
      const a = await post(path, request('alice@example.test'));
      assert.equal(a.status, 200, path);
      const doc = parser.parse(a.body);
      const account = doc.Autodiscover.Response.Account;
      assert.equal(account.AccountType, 'email');
      assert.equal(account.Action, 'settings');
      const protos = account.Protocol.map((p: Record<string, string>) => [p.Type, p.Server, Number(p.Port), p.LoginName, p.SPA, p.SSL, p.AuthRequired, p.DomainRequired]);
      assert.deepEqual(protos, [
        ['IMAP', 'mail.example.test', d.ports.imaps, 'alice@example.test', 'off', 'on', 'on', 'off'],
        ['POP3', 'mail.example.test', d.ports.pop3s, 'alice@example.test', 'off', 'on', 'on', 'off'],
        ['SMTP', 'mail.example.test', d.ports.submissions, 'alice@example.test', 'off', 'on', 'on', 'off'],
      ]);
      assert.ok(!a.body.includes('<Encryption>'));
    }
  });

  it('known and unknown addresses get the same shape (only the login name differs)', async () => {
    const k = await post('/autodiscover/autodiscover.xml', request('alice@example.test'));
    const u = await post('/autodiscover/autodiscover.xml', request('zed@example.test'));
    assert.equal(k.body.replaceAll('alice@', 'X@'), u.body.replaceAll('zed@', 'X@'));
  });

  it('never expands a DOCTYPE: billion laughs and external entities get the error form', async () => {
    const bomb = `<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006"><Request><EMailAddress>&lol3;&xxe;@example.test</EMailAddress></Request></Autodiscover>`;
    const a = await post('/autodiscover/autodiscover.xml', bomb);
    assert.equal(a.status, 200);
    assert.match(a.body, /<ErrorCode>600<\/ErrorCode>/);
    assert.ok(!a.body.includes('lollol') && !a.body.includes('root:'));
  });

  it('refuses bodies over 4 KB and answers the error form for garbage', async () => {
    const big = await post('/autodiscover/autodiscover.xml', request('a'.repeat(5000) + '@example.test'));
    assert.equal(big.status, 413);
    const junk = await post('/autodiscover/autodiscover.xml', '<<<not xml');
    assert.match(junk.body, /<ErrorCode>600<\/ErrorCode>/);
  });

  it('JSON v2 points at the POX URL; another protocol is a 400', async () => {
    const a = await fetchRaw(`${https}/autodiscover/autodiscover.json?Email=alice@example.test&Protocol=AutodiscoverV1`);
    assert.equal(a.status, 200);
    assert.deepEqual(JSON.parse(a.body), { Protocol: 'AutodiscoverV1', Url: `https://mail.example.test:${d.ports.https}/Autodiscover/Autodiscover.xml` });
    const b = await fetchRaw(`${https}/autodiscover/autodiscover.json/v1.0/alice@example.test?Protocol=AutodiscoverV1`);
    assert.equal(JSON.parse(b.body).Protocol, 'AutodiscoverV1');
    const c = await fetchRaw(`${https}/autodiscover/autodiscover.json?Email=alice@example.test&Protocol=ActiveSync`);
    assert.equal(c.status, 400);
    assert.equal(JSON.parse(c.body).ErrorCode, 'InvalidProtocol');
  });

  it('plain HTTP Autodiscover is redirected to https', async () => {
    const a = await fetchRaw(`${http}/autodiscover/autodiscover.xml`, { headers: { host: 'autodiscover.example.test' } });
    assert.equal(a.status, 301);
    assert.equal(a.headers.location, `https://autodiscover.example.test:${d.ports.https}/autodiscover/autodiscover.xml`);
  });
});

describe('Apple profile', () => {
  it('is a valid plist with stable identifiers and no password', async () => {
    const url = `${https}/apple/mail.mobileconfig?emailaddress=alice@example.test`;
    const a = await fetchRaw(url);
    const b = await fetchRaw(url);
    assert.equal(a.status, 200);
    assert.equal(a.headers['content-type'], 'application/x-apple-aspen-config');
    assert.match(String(a.headers['content-disposition']), /^attachment; filename="alice@example\.test\.mobileconfig"$/);
    assert.equal(a.body, b.body, 'identifiers and UUIDs are stable');
    const file = join(d.dir, 'profile.mobileconfig');
    writeFileSync(file, a.body);
    const out = await python(`import plistlib, sys, json\nprint(json.dumps(plistlib.load(open(sys.argv[1], 'rb'))))`, [file]);
    assert.equal(out.code, 0, out.stderr);
    const p = JSON.parse(out.stdout);
    assert.equal(p.PayloadType, 'Configuration');
    assert.equal(p.PayloadVersion, 1);
    const m = p.PayloadContent[0];
    assert.equal(m.PayloadType, 'com.apple.mail.managed');
    assert.equal(m.EmailAccountType, 'EmailTypeIMAP');
    assert.equal(m.EmailAddress, 'alice@example.test');
    assert.equal(m.IncomingMailServerHostName, 'mail.example.test');
    assert.equal(m.IncomingMailServerPortNumber, d.ports.imaps);
    assert.equal(m.IncomingMailServerUseSSL, true);
    assert.equal(m.OutgoingMailServerPortNumber, d.ports.submissions);
    assert.equal(m.OutgoingMailServerUseSSL, true);
    assert.equal(m.IncomingMailServerAuthentication, 'EmailAuthPassword');
    assert.equal(m.IncomingMailServerUsername, 'alice@example.test');
    assert.ok(!('IncomingPassword' in m) && !('OutgoingPassword' in m));
    assert.match(m.PayloadUUID, /^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/);
    const unknown = await fetchRaw(`${https}/apple/mail.mobileconfig?emailaddress=nobody@example.test`);
    assert.equal(unknown.status, 200);
  });
});

describe('plain HTTP and headers', () => {
  it('redirects everything but autoconfig and ACME to https with 301', async () => {
    for (const path of ['/', '/signin', '/signup', '/account', '/apple/mail.mobileconfig?emailaddress=a@example.test']) {
      const a = await fetchRaw(`${http}${path}`, { headers: { host: 'mail.example.test' } });
      assert.equal(a.status, 301, path);
      assert.equal(a.headers.location, `https://mail.example.test:${d.ports.https}${path}`);
    }
    const post = await fetchRaw(`${http}/signin`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'address=a&password=b' });
    assert.equal(post.status, 301);
    const acme = await fetchRaw(`${http}/.well-known/acme-challenge/abc`);
    assert.equal(acme.status, 404);
  });

  it('sends CSP, nosniff and frame-ancestors none everywhere', async () => {
    for (const url of [`${https}/`, `${https}/signin`, `${https}/no-such-page`, `${https}/mail/config-v1.1.xml`, `${http}/mail/config-v1.1.xml`, `${http}/x`]) {
      const a = await fetchRaw(url);
      assert.match(String(a.headers['content-security-policy']), /frame-ancestors 'none'/, url);
      assert.match(String(a.headers['content-security-policy']), /default-src 'none'/, url);
      assert.equal(a.headers['x-content-type-options'], 'nosniff', url);
    }
    assert.match(String((await fetchRaw(`${https}/`)).headers['strict-transport-security']), /max-age=/);
  });
});

describe('hostile clients', () => {
  const raw = (port: number, bytes: string) =>
    new Promise<string>((resolve) => {
      const sock = connect(port, '127.0.0.1');
      let got = '';
      sock.on('data', (b) => (got += b));
      sock.on('close', () => resolve(got));
      sock.on('error', () => resolve(got));
      sock.write(bytes);
      setTimeout(() => sock.destroy(), 3000);
    });

  it('a mail client speaking SMTP to the HTTP port gets a 400 and the server keeps serving', async () => {
    const got = await raw(d.ports.http, 'EHLO client.example\r\nMAIL FROM:<a@b>\r\n\r\n');
    assert.match(got, /^HTTP\/1\.1 400/);
    const a = await fetchRaw(`${http}/mail/config-v1.1.xml`);
    assert.equal(a.status, 200);
  });

  it('oversized headers are refused', async () => {
    const got = await raw(d.ports.http, `GET /mail/config-v1.1.xml HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(70_000)}\r\n\r\n`);
    assert.match(got, /^HTTP\/1\.1 431/);
  });
});

