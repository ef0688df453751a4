/**
 * The one lookup behind `outpost check` and the admin console's live DNS check (src/dns/published.ts), through the
 * real resolver (src/dns/node-resolver.ts) against the test DNS server on loopback: records of each type as text;
 * NXDOMAIN and NODATA are "none" (missing); SERVFAIL, REFUSED and a timeout are "unchecked" (could not check),
 * which compareRecord never reports as missing.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createResolver } from '../../src/dns/node-resolver.js';
import { lookupAddresses, lookupPublished, type Published } from '../../src/dns/published.js';
import type { Resolver } from '../../src/dns/resolver.js';
import { compareRecord, parseZone } from '../../src/doctor/dns-check.js';
import { startDnsServer, type TestDnsServer } from '../kit/dns-server.js';

describe('lookupPublished against the test DNS server', () => {
  let dns: TestDnsServer;
  let resolver: Resolver;

  before(async () => {
    dns = await startDnsServer({
      records: {
        'example.test': [
          { type: 'MX', priority: 10, exchange: 'mail.example.test' },
          { type: 'TXT', data: ['v=spf1 ', 'mx -all'] },
          { type: 'TXT', data: 'google-site-verification=x' },
        ],
        '_submissions._tcp.example.test': [{ type: 'SRV', priority: 0, weight: 1, port: 465, target: 'mail.example.test' }],
        'autoconfig.example.test': [{ type: 'CNAME', target: 'mail.example.test' }],
        'mail.example.test': [{ type: 'A', address: '192.0.2.10' }],
        'v6only.example.test': [{ type: 'AAAA', address: '2001:db8::10' }],
        'empty.example.test': [],
      },
      servfail: ['broken.example.test', 's1._domainkey.broken.example.test'],
      refused: ['refused.example.test'],
      timeout: ['silent.example.test'],
    });
    resolver = createResolver({ servers: [dns.server], timeoutMs: 300, tries: 1 });
  });
  after(async () => {
    await dns.close();
  });

  it('gives the records as text: MX exchanges, TXT strings joined, SRV fields, CNAME targets', async () => {
    assert.deepEqual(await lookupPublished(resolver, 'example.test', 'MX'), { kind: 'records', values: ['mail.example.test'] });
    const txt = await lookupPublished(resolver, 'example.test', 'TXT');
    assert.equal(txt.kind, 'records');
    assert.deepEqual(txt.kind === 'records' && [...txt.values].sort(), ['google-site-verification=x', 'v=spf1 mx -all']);
    assert.deepEqual(await lookupPublished(resolver, '_submissions._tcp.example.test', 'SRV'), { kind: 'records', values: ['0 1 465 mail.example.test'] });
    assert.deepEqual(await lookupPublished(resolver, 'autoconfig.example.test', 'CNAME'), { kind: 'records', values: ['mail.example.test'] });
  });

  it('NXDOMAIN and NODATA: nothing is published', async () => {
    assert.deepEqual(await lookupPublished(resolver, 'nowhere.example.test', 'TXT'), { kind: 'none' });
    assert.deepEqual(await lookupPublished(resolver, 'empty.example.test', 'MX'), { kind: 'none' });
    assert.deepEqual(await lookupPublished(resolver, 'mail.example.test', 'SRV'), { kind: 'none' }, 'the name exists with other types');
  });

  for (const [name, code] of [
    ['broken.example.test', /SERVFAIL/],
    ['refused.example.test', /REFUSED/],
    ['silent.example.test', /timeout/],
  ] as const) {
    it(`no answer for ${name}: unchecked, never missing`, async () => {
      const p = await lookupPublished(resolver, name, 'TXT');
      assert.equal(p.kind, 'unchecked');
      assert.match(p.kind === 'unchecked' ? p.message : '', code);
    });
  }

  it('addresses: A or AAAA found, none when both are answered empty, unchecked when there is no answer', async () => {
    assert.deepEqual(await lookupAddresses(resolver, 'mail.example.test'), { kind: 'records', values: ['192.0.2.10'] });
    assert.deepEqual(await lookupAddresses(resolver, 'v6only.example.test'), { kind: 'records', values: ['2001:db8::10'] });
    assert.deepEqual(await lookupAddresses(resolver, 'nowhere.example.test'), { kind: 'none' });
    assert.equal((await lookupAddresses(resolver, 'broken.example.test')).kind, 'unchecked');
  });

  it('a lookup that throws something other than a DnsError is unchecked too', async () => {
    const failing = { ...resolver, resolveTxt: async () => Promise.reject(new Error('socket closed')) } as Resolver;
    assert.deepEqual(await lookupPublished(failing, 'example.test', 'TXT'), { kind: 'unchecked', message: 'socket closed' });
  });

  it('compareRecord: missing fails an important record, unchecked only warns "could not check"', async () => {
    const zone = parseZone(['s1._domainkey.broken.example.test.\t3600\tIN\tTXT\t"v=DKIM1; k=rsa; p=ABC"', 's1._domainkey.nowhere.example.test.\t3600\tIN\tTXT\t"v=DKIM1; k=rsa; p=ABC"']);
    const verdicts: Array<[Published, ReturnType<typeof compareRecord>]> = [];
    for (const z of zone) {
      const p = await lookupPublished(resolver, z.name, z.type);
      verdicts.push([p, compareRecord(z, p)]);
    }
    assert.equal(verdicts[0]![0].kind, 'unchecked');
    assert.equal(verdicts[0]![1].status, 'warn');
    assert.match(verdicts[0]![1].detail, /^could not check: TXT lookup of s1\._domainkey\.broken\.example\.test failed: the DNS server failed \(SERVFAIL\)$/);
    assert.deepEqual(verdicts[1], [{ kind: 'none' }, { status: 'fail', detail: 'not published' }]);
  });
});
