/**
 * Inbound checks against a real DNS server on loopback: SPF, DKIM (signed with a key published there, then tampered),
 * DMARC p=reject / p=quarantine, temperror, blocklists, HELO sanity, forged Authentication-Results, training.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { dkimSign } from 'mailauth';
import { startDnsServer, type TestDnsServer } from '../kit/dns-server.js';
import { createResolver } from '../../src/dns/node-resolver.js';
import { InboundChecker } from '../../src/inbound/checker.js';
import { defaultInboundOptions, type InboundOptions } from '../../src/inbound/options.js';
import type { InboundContext } from '../../src/inbound/types.js';
import { testServices, type TestServices } from '../kit/services.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PRIVATE_PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const PUBLIC_B64 = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');

function message(from: string, extra = ''): Buffer {
  return Buffer.from(
    `From: Sender <${from}>\r\nTo: alice@example.test\r\nSubject: Hello there\r\nDate: Sat, 28 Nov 2026 10:00:00 +0000\r\n` +
      `Message-ID: <m1@${from.split('@')[1]}>\r\n${extra}\r\nHi Alice,\r\nthis is a test.\r\n`,
  );
}

async function sign(raw: Buffer, domain: string): Promise<Buffer> {
  const r = await dkimSign(raw, {
    // The typings want the key at the top level; mailauth signs with `signatureData` (without it, nothing is signed).
    signingDomain: domain,
    selector: 'sel',
    privateKey: PRIVATE_PEM,
    canonicalization: 'relaxed/relaxed',
    algorithm: 'rsa-sha256',
    signatureData: [{ signingDomain: domain, selector: 'sel', privateKey: PRIVATE_PEM }],
  });
  assert.ok(r.signatures, 'mailauth produced a signature');
  return Buffer.concat([Buffer.from(r.signatures), raw]);
}

describe('inbound checks', () => {
  let dns: TestDnsServer;
  let t: TestServices;
  const checker = (over: Partial<InboundOptions> = {}) =>
    new InboundChecker({
      resolver: createResolver({ servers: [dns.server], timeoutMs: 300, tries: 1 }),
      counters: t.store,
      options: { ...defaultInboundOptions('mx.example.test'), ourNames: ['mx.example.test', 'example.test'], ...over },
      now: () => t.clock.now,
    });
  const ctx = (raw: Buffer, over: Partial<InboundContext> = {}): InboundContext => ({
    raw,
    clientIp: '127.0.0.1',
    helo: 'mail.sender.test',
    mailFrom: 'bob@sender.test',
    recipients: [{ mailboxId: 1, address: 'alice@example.test' }],
    tls: true,
    ...over,
  });

  before(async () => {
    t = await testServices();
    const dkimKey = { type: 'TXT' as const, data: `v=DKIM1; k=rsa; p=${PUBLIC_B64}` };
    dns = await startDnsServer({
      records: {
        'sender.test': [{ type: 'TXT', data: 'v=spf1 ip4:127.0.0.1 -all' }],
        'sel._domainkey.sender.test': [dkimKey],
        '_dmarc.sender.test': [{ type: 'TXT', data: 'v=DMARC1; p=reject' }],
        'strict.test': [{ type: 'TXT', data: 'v=spf1 ip4:192.0.2.1 -all' }],
        '_dmarc.strict.test': [{ type: 'TXT', data: 'v=DMARC1; p=reject' }],
        'quarantine.test': [{ type: 'TXT', data: 'v=spf1 ip4:192.0.2.1 -all' }],
        '_dmarc.quarantine.test': [{ type: 'TXT', data: 'v=DMARC1; p=quarantine' }],
        'soft.test': [{ type: 'TXT', data: 'v=spf1 ip4:192.0.2.1 ~all' }],
        '1.0.0.127.bl.test': [{ type: 'A', address: '127.0.0.2' }],
        '1.0.0.127.refused.test': [{ type: 'A', address: '127.255.255.254' }],
      },
      servfail: ['broken.test'],
    });
  });
  after(async () => {
    await dns.close();
    await t.close();
  });

  it('passes SPF, DKIM and DMARC for a signed message from an authorised address', async () => {
    const v = await checker().check(ctx(await sign(message('bob@sender.test'), 'sender.test')));
    assert.equal(v.action, 'deliver');
    assert.ok(v.action === 'deliver');
    assert.equal(v.auth.spf, 'pass');
    assert.deepEqual(v.auth.dkim.map((d) => [d.domain, d.result]), [['sender.test', 'pass']]);
    assert.equal(v.auth.dmarc?.result, 'pass');
    assert.match(v.headers, /^Received-SPF: pass/m);
    assert.match(v.headers, /^Authentication-Results: mx\.example\.test;/m);
    assert.match(v.headers, /dkim=pass header\.i=@sender\.test/);
    assert.match(v.headers, /X-Spam: No/);
    assert.equal(v.folders.get(1), 'inbox');
    assert.ok(dns.queries.some((q) => q.name === 'sel._domainkey.sender.test'), 'the key came from our DNS server');
  });

  it('fails DKIM for a tampered message; DMARC still passes on aligned SPF', async () => {
    const signed = await sign(message('bob@sender.test'), 'sender.test');
    const tampered = Buffer.from(signed.toString().replace('this is a test', 'this is a TRAP'));
    const v = await checker().check(ctx(tampered));
    assert.ok(v.action === 'deliver');
    assert.notEqual(v.auth.dkim[0]!.result, 'pass');
    assert.match(v.headers, /dkim=(fail|neutral) \(body hash did not verify\)/);
    assert.equal(v.auth.dmarc?.result, 'pass');
    assert.ok(v.reasons.some((r) => r.rule === 'DKIM_FAIL'));
  });

  it('refuses a DMARC failure under p=reject with 550 5.7.1, or files it in Junk when configured', async () => {
    const c = ctx(message('ceo@strict.test'), { mailFrom: 'ceo@strict.test' });
    const v = await checker().check(c);
    assert.equal(v.action, 'reject');
    assert.ok(v.action === 'reject');
    assert.deepEqual([v.code, v.enhanced], [550, '5.7.1']);
    assert.match(v.text, /strict\.test publishes a DMARC policy of reject/);
    const junk = await checker({ dmarcReject: 'junk' }).check(c);
    assert.ok(junk.action === 'deliver');
    assert.equal(junk.folders.get(1), 'junk');
    assert.match(junk.headers, /X-Spam: Yes/);
  });

  it('files a DMARC failure under p=quarantine in Junk', async () => {
    const v = await checker().check(ctx(message('x@quarantine.test'), { mailFrom: 'x@quarantine.test' }));
    assert.ok(v.action === 'deliver');
    assert.equal(v.auth.spf, 'fail');
    assert.equal(v.auth.dmarc?.result, 'fail');
    assert.equal(v.folders.get(1), 'junk');
  });

  it('reports temperror when the sender domain DNS fails, without refusing', async () => {
    const v = await checker().check(ctx(message('x@broken.test'), { mailFrom: 'x@broken.test' }));
    assert.ok(v.action === 'deliver');
    assert.equal(v.auth.spf, 'temperror');
    assert.match(v.headers, /spf=temperror/);
  });

  it('refuses or scores a blocklisted client, ignoring blocklist error codes', async () => {
    const raw = await sign(message('bob@sender.test'), 'sender.test');
    const refused = await checker({ blocklists: ['bl.test'] }).check(ctx(raw));
    assert.ok(refused.action === 'reject');
    assert.match(refused.text, /127\.0\.0\.1 is listed by bl\.test/);
    const scored = await checker({ blocklists: ['bl.test', 'refused.test', 'clean.test'], blocklistAction: 'score' }).check(ctx(raw));
    assert.ok(scored.action === 'deliver');
    assert.deepEqual(scored.reasons.filter((r) => r.rule === 'BLOCKLISTED').map((r) => r.detail), ['bl.test']);
    assert.equal(scored.folders.get(1), 'junk', 'a listing alone is enough for Junk');
  });

  it('removes Authentication-Results forged in our name and keeps others', async () => {
    const forged = message('bob@sender.test', 'Authentication-Results: mx.example.test; dkim=pass header.d=bank.test\r\nAuthentication-Results: other.test; spf=pass\r\n');
    const v = await checker().check(ctx(forged));
    assert.ok(v.action === 'deliver');
    const text = v.raw.toString();
    assert.doesNotMatch(text, /mx\.example\.test; dkim=pass header\.d=bank\.test/);
    assert.match(text, /Authentication-Results: other\.test; spf=pass/);
    assert.match(text, /Hi Alice,\r\nthis is a test\.\r\n$/);
  });

  it('scores HELO lies and spam signals up to a refusal', async () => {
    const c = ctx(Buffer.from('From: x@soft.test\r\nSubject: hi\r\n\r\nbody\r\n'), { mailFrom: 'x@soft.test', helo: 'mx.example.test' });
    const v = await checker({ rejectScore: 6 }).check(c);
    assert.equal(v.action, 'reject');
    assert.ok(v.reasons.some((r) => r.rule === 'HELO_FORGED'));
    assert.ok(v.reasons.some((r) => r.rule === 'SPF_SOFTFAIL'));
    assert.ok(v.reasons.some((r) => r.rule === 'NO_MESSAGE_ID'));
  });

  it('per-mailbox training moves a sender to Junk for that mailbox only', async () => {
    const c = checker();
    const raw = await sign(message('bob@sender.test'), 'sender.test');
    await c.training.train(1, 'bob@sender.test', 'spam');
    const v = await c.check(ctx(raw, { recipients: [{ mailboxId: 1, address: 'a@example.test' }, { mailboxId: 2, address: 'b@example.test' }] }));
    assert.ok(v.action === 'deliver');
    assert.equal(v.folders.get(1), 'junk');
    assert.equal(v.folders.get(2), 'inbox');
    await c.training.train(1, 'bob@sender.test', 'ham');
    const again = await c.check(ctx(raw));
    assert.ok(again.action === 'deliver');
    assert.equal(again.folders.get(1), 'inbox');
  });
});
