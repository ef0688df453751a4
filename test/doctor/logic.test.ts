/**
 * The sans-I/O parts of the doctor and the server check, table-driven: the verdict from a report, autoconfig into
 * roles, `outpost dns` lines compared with published answers, the web self-test stages.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { verdict, bestOutgoing } from '../../src/doctor/verdict.js';
import { parseAutoconfig } from '../../src/doctor/autoconfig.js';
import { compareRecord, parseZone } from '../../src/doctor/dns-check.js';
import { programStages, receivedFacts } from '../../src/doctor/self-test.js';
import type { DoctorReport, DoctorRole, PortProbe } from '../../src/doctor/types.js';
import type { MailboxEvent } from '../../src/store/types.js';

const tls = { version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', trusted: true, trustError: null, nameMatches: true, subject: 'CN=mail.example.com', names: ['mail.example.com'], validTo: '2030-01-01T00:00:00.000Z', daysLeft: 400, fingerprint256: 'AA' };

function probe(role: DoctorRole, port: number, over: Partial<PortProbe> = {}): PortProbe {
  return { role, port, reach: 'open', error: null, connectMs: 1, banner: '220 mail.example.com ESMTP', capabilities: [], authMechanisms: ['PLAIN'], starttls: null, tls, interception: [], ...over };
}

function report(probes: PortProbe[], over: Partial<DoctorReport> = {}): DoctorReport {
  return { address: 'alice@example.com', host: 'mail.example.com', source: 'autoconfig', at: '2026-11-29T00:00:00.000Z', probes, signIn: null, send: null, receive: null, roundTripMs: null, ...over };
}

const ok = { ok: true as const, ms: 5, detail: 'fine' };

describe('verdict', () => {
  it('a hotel network: 25 and 587 blocked, 465 works: the exact settings in plain words', () => {
    const v = verdict(
      report([probe('mx', 25, { reach: 'timeout' }), probe('submissions', 465), probe('submission', 587, { reach: 'timeout' }), probe('imaps', 993)], {
        signIn: ok,
        send: { ...ok, role: 'submissions' },
        receive: { ...ok, role: 'imaps' },
        roundTripMs: 420,
      }),
    );
    assert.equal(v.ok, true);
    assert.deepEqual(v.lines, [
      'Sending and receiving work: the test message went out and was back in the INBOX of alice@example.com after 420 ms.',
      'This network blocks ports 25 and 587 (no answer at all).',
      'Port 465 works: outgoing server mail.example.com, port 465, SSL/TLS, sign in with your password (user name alice@example.com).',
      'Incoming server mail.example.com, IMAP, port 993, SSL/TLS, sign in with your password (user name alice@example.com).',
    ]);
  });

  it('never picks a port with an untrusted or foreign certificate, or an intercepted one', () => {
    const bad = { ...tls, trusted: false, trustError: 'SELF_SIGNED_CERT_IN_CHAIN' };
    assert.equal(bestOutgoing([probe('submissions', 465, { tls: bad })]), undefined);
    assert.equal(bestOutgoing([probe('submissions', 465, { tls: { ...tls, nameMatches: false } })]), undefined);
    assert.equal(bestOutgoing([probe('submission', 587, { interception: ['x'] })]), undefined);
    assert.equal(bestOutgoing([probe('submission', 587), probe('submissions', 465)])?.port, 465, 'implicit TLS first');
    const v = verdict(report([probe('submissions', 465, { tls: { ...tls, nameMatches: false, names: ['proxy.hotel.invalid'] } })]));
    assert.ok(v.lines.includes('Port 465: the certificate is for proxy.hotel.invalid, not mail.example.com: it is not your server\'s, or the server is misconfigured.'));
  });

  it('a certificate near expiry and an obsolete TLS version are named', () => {
    const v = verdict(report([probe('imaps', 993, { tls: { ...tls, daysLeft: 3, version: 'TLSv1.1' } })]));
    assert.ok(v.lines.some((l) => /^Port 993: the certificate expires in 3 days/.test(l)));
    assert.ok(v.lines.some((l) => /^Port 993 uses TLSv1\.1, which is obsolete \(RFC 8996\)\.$/.test(l)));
  });

  it('a refused password says so and exits 1', () => {
    const v = verdict(report([probe('submissions', 465), probe('imaps', 993)], { signIn: { ok: false, code: 'auth-failed', message: 'the server refused the password for alice@example.com on port 465' }, send: { ok: false, code: 'not-signed-in', message: 'x' } }));
    assert.equal(v.ok, false);
    assert.ok(v.lines[0]!.startsWith('The password was refused: the server refused the password for alice@example.com on port 465.'));
  });
});

describe('autoconfig', () => {
  it('maps clientConfig servers to roles: SSL = implicit TLS, a second STARTTLS SMTP = the fallback port', () => {
    const xml = `<?xml version="1.0"?><clientConfig version="1.1"><emailProvider id="example.com">
      <incomingServer type="imap"><hostname>Mail.Example.com</hostname><port>993</port><socketType>SSL</socketType></incomingServer>
      <incomingServer type="imap"><hostname>mail.example.com</hostname><port>143</port><socketType>STARTTLS</socketType></incomingServer>
      <incomingServer type="pop3"><hostname>mail.example.com</hostname><port>995</port><socketType>SSL</socketType></incomingServer>
      <outgoingServer type="smtp"><hostname>mail.example.com</hostname><port>465</port><socketType>SSL</socketType></outgoingServer>
      <outgoingServer type="smtp"><hostname>mail.example.com</hostname><port>587</port><socketType>STARTTLS</socketType></outgoingServer>
      <outgoingServer type="smtp"><hostname>mail.example.com</hostname><port>2525</port><socketType>STARTTLS</socketType></outgoingServer>
    </emailProvider></clientConfig>`;
    assert.deepEqual(parseAutoconfig(xml), { host: 'mail.example.com', ports: { imaps: 993, imap: 143, pop3s: 995, submissions: 465, submission: 587, submission_fallback: 2525 } });
  });
  it('anything else is not an autoconfig document', () => {
    for (const bad of ['', '<html><body>captive portal</body></html>', '<clientConfig><emailProvider/></clientConfig>', '<<<'])
      assert.equal(parseAutoconfig(bad), null, bad);
  });
});

describe('DNS records as published', () => {
  const lines = [
    '; DNS records for example.com',
    'example.com.\t3600\tIN\tMX\t10 mail.example.com.',
    'example.com.\t3600\tIN\tTXT\t"v=spf1 mx -all"',
    's1._domainkey.example.com.\t3600\tIN\tTXT\t"v=DKIM1; k=rsa; p=ABC" "DEF"',
    's0._domainkey.example.com.\t3600\tIN\tTXT\t"v=DKIM1; k=rsa; p=OLD"\t; retiring: keep until mail signed with it has been read',
    '_dmarc.example.com.\t3600\tIN\tTXT\t"v=DMARC1; p=quarantine"',
    '_submissions._tcp.example.com.\t3600\tIN\tSRV\t0 1 465 mail.example.com.',
    'autoconfig.example.com.\t3600\tIN\tCNAME\tmail.example.com.',
  ];
  const zone = parseZone(lines);

  it('parses the zone lines, joining TXT strings and dropping trailing comments', () => {
    assert.deepEqual(zone.map((z) => [z.name, z.type, z.data]), [
      ['example.com', 'MX', '10 mail.example.com.'],
      ['example.com', 'TXT', 'v=spf1 mx -all'],
      ['s1._domainkey.example.com', 'TXT', 'v=DKIM1; k=rsa; p=ABCDEF'],
      ['s0._domainkey.example.com', 'TXT', 'v=DKIM1; k=rsa; p=OLD'],
      ['_dmarc.example.com', 'TXT', 'v=DMARC1; p=quarantine'],
      ['_submissions._tcp.example.com', 'SRV', '0 1 465 mail.example.com.'],
      ['autoconfig.example.com', 'CNAME', 'mail.example.com.'],
    ]);
    assert.equal(zone[3]!.line, 's0._domainkey.example.com.\t3600\tIN\tTXT\t"v=DKIM1; k=rsa; p=OLD"');
  });

  const cases: Array<[number, Parameters<typeof compareRecord>[1], 'ok' | 'warn' | 'fail']> = [
    [0, { kind: 'records', values: ['mail.example.com'] }, 'ok'],
    [0, { kind: 'records', values: ['mx.other.net'] }, 'fail'],
    [0, { kind: 'none' }, 'fail'],
    [1, { kind: 'records', values: ['v=spf1 mx -all', 'google-site-verification=x'] }, 'ok'],
    [1, { kind: 'records', values: ['v=spf1 ip4:192.0.2.1 -all'] }, 'warn'],
    [1, { kind: 'records', values: ['v=spf1 mx -all', 'v=spf1 a -all'] }, 'fail'],
    [2, { kind: 'records', values: ['v=DKIM1; k=rsa; p=ABC DEF'] }, 'ok'],
    [2, { kind: 'records', values: ['v=DKIM1; k=rsa; p=OTHER'] }, 'fail'],
    [2, { kind: 'none' }, 'fail'],
    [2, { kind: 'unchecked', message: 'timeout' }, 'warn'], // no answer is not "missing" (src/dns/published.ts)
    [4, { kind: 'records', values: ['v=DMARC1; p=reject'] }, 'ok'],
    [4, { kind: 'none' }, 'fail'],
    [5, { kind: 'records', values: ['0 1 465 mail.example.com'] }, 'ok'],
    [5, { kind: 'none' }, 'warn'],
    [6, { kind: 'records', values: ['mail.example.com'] }, 'ok'],
    [6, { kind: 'none' }, 'warn'],
  ];
  for (const [i, published, want] of cases)
    it(`${zone[i]!.type} ${zone[i]!.name} published as ${JSON.stringify(published)}: ${want}`, () => assert.equal(compareRecord(zone[i]!, published).status, want));
});

describe('web self-test stages', () => {
  const event = (over: Partial<MailboxEvent>): MailboxEvent => ({ mailboxId: 1, at: 1000, protocol: 'submission', port: 465, clientIp: '192.0.2.7', tls: true, clientName: 'my-phone', kind: 'auth', result: 'ok', reason: null, ...over });
  const received = 'from my-phone ([192.0.2.7]) by mail.example.com (TLSv1.3 TLS_AES_256_GCM_SHA384) with ESMTPSA id 1; Sun, 29 Nov 2026 00:00:01 +0000';

  it('reads the Received field: signed in or not, the TLS version and cipher', () => {
    assert.deepEqual(receivedFacts(received), { signedIn: true, tls: 'TLSv1.3 TLS_AES_256_GCM_SHA384' });
    assert.deepEqual(receivedFacts('from x by y with ESMTP id 2; date'), { signedIn: false, tls: null });
  });

  it('waiting, then sent and delivered, then fetched', () => {
    assert.deepEqual(programStages('a@example.com', null, []).map((s) => s.done), [false, false, false]);
    const msg = { folder: 'INBOX', internalDate: 1500, flags: [], received };
    const sent = programStages('a@example.com', msg, [event({ reason: 'app-password:phone' })]);
    assert.equal(sent[0]!.text, 'Your program sent it on port 465, with TLS (TLSv1.3 TLS_AES_256_GCM_SHA384), signed in as a@example.com with the app password "phone"; the program calls itself "my-phone".');
    assert.deepEqual(sent.map((s) => s.done), [true, true, false]);
    const fetched = programStages('a@example.com', msg, [event({}), event({ protocol: 'imap', port: 993, at: 2000 }), event({ protocol: 'imap', port: 143, at: 900 })]);
    assert.equal(fetched[2]!.done, true);
    assert.match(fetched[2]!.text, /^Your program fetched mail over IMAP on port 993, with TLS/);
  });

  it('mail sent without signing in says how to fix the program', () => {
    const s = programStages('a@example.com', { folder: 'Junk', internalDate: 1, flags: ['\\Seen'], received: 'from x by y with ESMTP id 1; d' }, []);
    assert.match(s[0]!.text, /WITHOUT signing in/);
    assert.equal(s[1]!.text.startsWith('Delivered into Junk'), true);
    assert.equal(s[2]!.done, true);
  });
});
