/**
 * The real resolver (src/dns/node-resolver.ts) against the test DNS server, over real loopback sockets.
 * RFC 1035, RFC 2308 (NXDOMAIN vs NODATA), RFC 5321 §5.1 and RFC 7505 (MX, null MX).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createResolver } from '../../src/dns/node-resolver.js';
import { DnsError, isNullMx, type DnsErrorCode, type Resolver } from '../../src/dns/resolver.js';
import { UserError } from '../../src/lib/errors.js';
import { reverseName, startDnsServer, type TestDnsServer } from '../kit/dns-server.js';

/** A DKIM key record: longer than 512 octets, so it only arrives over TCP. */
const BIG_TXT = `v=DKIM1; k=rsa; p=${'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA'.repeat(25)}`;

const ZONE = {
  'example.test': [
    { type: 'MX', priority: 10, exchange: 'mx1.example.test' },
    { type: 'MX', priority: 20, exchange: 'mx2.example.test' },
    { type: 'TXT', data: 'v=spf1 mx -all' },
    { type: 'TXT', data: ['first part ', 'second part'] },
  ],
  'mx1.example.test': [
    { type: 'A', address: '127.0.0.1' },
    { type: 'A', address: '127.0.0.2' },
    { type: 'AAAA', address: '::1' },
  ],
  'mx2.example.test': [{ type: 'AAAA', address: '2001:db8::25' }],
  '_submission._tcp.example.test': [{ type: 'SRV', priority: 0, weight: 1, port: 587, target: 'mail.example.test' }],
  'big.example.test': [{ type: 'TXT', data: BIG_TXT }],
  'null.test': [{ type: 'MX', priority: 0, exchange: '.' }],
  'www.example.test': [{ type: 'CNAME', target: 'mx1.example.test' }],
  'hop.example.test': [{ type: 'CNAME', target: 'www.example.test' }],
  'mail.alias.test': [{ type: 'CNAME', target: 'example.test' }],
  'dangling.example.test': [{ type: 'CNAME', target: 'nowhere.example.test' }],
  'empty-target.example.test': [{ type: 'CNAME', target: 'mx2.example.test' }],
  'loop-a.test': [{ type: 'CNAME', target: 'loop-b.test' }],
  'loop-b.test': [{ type: 'CNAME', target: 'loop-a.test' }],
  [reverseName('127.0.0.1')]: [{ type: 'PTR', target: 'mx1.example.test' }],
  [reverseName('2001:db8::25')]: [{ type: 'PTR', target: 'mx2.example.test' }],
} as const;

/** Expects the lookup to fail with a DnsError of this code, and returns the error. */
async function rejectsWith(lookup: Promise<unknown>, code: DnsErrorCode): Promise<DnsError> {
  try {
    await lookup;
  } catch (e) {
    assert.ok(e instanceof DnsError, `expected a DnsError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    return e;
  }
  assert.fail(`expected ${code}, but the lookup succeeded`);
}

describe('node resolver against the test DNS server', () => {
  let dns: TestDnsServer;
  let resolver: Resolver;

  before(async () => {
    dns = await startDnsServer({
      records: ZONE,
      servfail: ['broken.test'],
      refused: ['private.test'],
      timeout: ['slow.test'],
    });
    resolver = createResolver({ servers: [dns.server], timeoutMs: 300, tries: 1 });
  });
  after(() => dns.close());

  describe('every record type', () => {
    it('MX', async () => {
      assert.deepEqual(await resolver.resolveMx('example.test'), [
        { exchange: 'mx1.example.test', priority: 10 },
        { exchange: 'mx2.example.test', priority: 20 },
      ]);
    });
    it('TXT, one list of character-strings per record', async () => {
      assert.deepEqual(await resolver.resolveTxt('example.test'), [['v=spf1 mx -all'], ['first part ', 'second part']]);
    });
    it('A and AAAA', async () => {
      assert.deepEqual(await resolver.resolve4('mx1.example.test'), ['127.0.0.1', '127.0.0.2']);
      assert.deepEqual(await resolver.resolve6('mx1.example.test'), ['::1']);
      assert.deepEqual(await resolver.resolve6('mx2.example.test'), ['2001:db8::25']);
    });
    it('CNAME asked for itself is not followed', async () => {
      assert.deepEqual(await resolver.resolveCname('hop.example.test'), ['www.example.test']);
    });
    it('SRV', async () => {
      assert.deepEqual(await resolver.resolveSrv('_submission._tcp.example.test'), [
        { name: 'mail.example.test', port: 587, priority: 0, weight: 1 },
      ]);
    });
    it('PTR for IPv4 and IPv6 addresses, asked under in-addr.arpa / ip6.arpa', async () => {
      assert.deepEqual(await resolver.reverse('127.0.0.1'), ['mx1.example.test']);
      assert.deepEqual(await resolver.reverse('2001:0db8:0:0::25'), ['mx2.example.test']);
      const asked = dns.queries.filter((q) => q.type === 'PTR').map((q) => q.name.toLowerCase());
      assert.ok(asked.includes('1.0.0.127.in-addr.arpa'));
      assert.ok(asked.includes(reverseName('2001:db8::25')));
    });
    it('reverse of something that is not an IP address is a caller error', async () => {
      await assert.rejects(resolver.reverse('mx1.example.test'), TypeError);
    });
  });

  describe('names', () => {
    it('are case-insensitive and may end with a dot', async () => {
      assert.deepEqual(await resolver.resolve4('MX1.Example.TEST.'), ['127.0.0.1', '127.0.0.2']);
    });
  });

  describe('NXDOMAIN and NODATA stay apart (RFC 2308, RFC 5321 §5.1)', () => {
    it('an unknown name is NXDOMAIN, a definite answer', async () => {
      const e = await rejectsWith(resolver.resolveMx('unknown.test'), 'NXDOMAIN');
      assert.equal(e.hostname, 'unknown.test');
      assert.equal(e.rrtype, 'MX');
      assert.equal(e.temporary, false);
    });
    it('a known name without the type is NODATA, a definite answer', async () => {
      const e = await rejectsWith(resolver.resolveMx('mx1.example.test'), 'NODATA');
      assert.equal(e.temporary, false);
      await rejectsWith(resolver.resolve4('example.test'), 'NODATA');
      await rejectsWith(resolver.resolveSrv('example.test'), 'NODATA');
    });
    it('a PTR that does not exist is NXDOMAIN, named by the IP address', async () => {
      const e = await rejectsWith(resolver.reverse('192.0.2.1'), 'NXDOMAIN');
      assert.equal(e.hostname, '192.0.2.1');
      assert.equal(e.rrtype, 'PTR');
    });
    it('a null MX comes back as one record with an empty exchange (RFC 7505)', async () => {
      const mx = await resolver.resolveMx('null.test');
      assert.deepEqual(mx, [{ exchange: '', priority: 0 }]);
      assert.equal(isNullMx(mx), true);
      assert.equal(isNullMx(await resolver.resolveMx('example.test')), false);
    });
  });

  describe('server failures are temporary', () => {
    it('SERVFAIL', async () => {
      const e = await rejectsWith(resolver.resolveTxt('broken.test'), 'SERVFAIL');
      assert.equal(e.temporary, true);
      assert.equal((e.cause as { code?: string }).code, 'ESERVFAIL');
    });
    it('REFUSED', async () => {
      const e = await rejectsWith(resolver.resolve4('private.test'), 'REFUSED');
      assert.equal(e.temporary, true);
    });
    it('no answer at all is TIMEOUT, asked once with tries: 1', async () => {
      const before = dns.queries.filter((q) => q.name === 'slow.test').length;
      const e = await rejectsWith(resolver.resolveMx('slow.test'), 'TIMEOUT');
      assert.equal(e.temporary, true);
      assert.equal(dns.queries.filter((q) => q.name === 'slow.test').length, before + 1, 'tries: 1 asks once');
    });
  });

  describe('CNAME chasing (RFC 1034 §3.6.2, RFC 5321 §5.1)', () => {
    it('follows one and two hops to the addresses', async () => {
      assert.deepEqual(await resolver.resolve4('www.example.test'), ['127.0.0.1', '127.0.0.2']);
      assert.deepEqual(await resolver.resolve4('hop.example.test'), ['127.0.0.1', '127.0.0.2']);
      assert.deepEqual(await resolver.resolve6('hop.example.test'), ['::1']);
    });
    it('follows a CNAME for MX and TXT', async () => {
      assert.deepEqual(await resolver.resolveMx('mail.alias.test'), await resolver.resolveMx('example.test'));
      assert.deepEqual(await resolver.resolveTxt('mail.alias.test'), await resolver.resolveTxt('example.test'));
    });
    it('a CNAME to a name that does not exist is NXDOMAIN (RFC 6604 §2.1)', async () => {
      await rejectsWith(resolver.resolve4('dangling.example.test'), 'NXDOMAIN');
    });
    it('a CNAME to a name without the type is NODATA', async () => {
      await rejectsWith(resolver.resolve4('empty-target.example.test'), 'NODATA');
    });
    it('a CNAME loop is a server failure, not a hang', async () => {
      await rejectsWith(resolver.resolve4('loop-a.test'), 'SERVFAIL');
    });
  });

  describe('large answers (RFC 1035 §4.2.1)', () => {
    it('a TXT record over 512 octets arrives whole, asked again over TCP after a truncated UDP answer', async () => {
      const txt = await resolver.resolveTxt('big.example.test');
      assert.equal(txt.length, 1);
      assert.equal(txt[0]?.join(''), BIG_TXT);
      assert.ok(txt[0]!.every((s) => Buffer.byteLength(s) <= 255), 'split into 255-octet character-strings');
      const asked = dns.queries.filter((q) => q.name === 'big.example.test').map((q) => q.transport);
      assert.deepEqual(asked.slice(-2), ['udp', 'tcp']);
    });
  });

  describe('zones changed while running', () => {
    it('set, setFault and remove take effect on the next lookup', async () => {
      await rejectsWith(resolver.resolve4('late.test'), 'NXDOMAIN');
      dns.set('Late.Test', [{ type: 'A', address: '127.0.0.9' }]);
      assert.deepEqual(await resolver.resolve4('late.test'), ['127.0.0.9']);
      dns.setFault('late.test', 'servfail');
      await rejectsWith(resolver.resolve4('late.test'), 'SERVFAIL');
      dns.setFault('late.test', undefined);
      dns.set('late.test', []);
      await rejectsWith(resolver.resolve4('late.test'), 'NODATA');
      dns.remove('late.test');
      await rejectsWith(resolver.resolve4('late.test'), 'NXDOMAIN');
    });
  });
});

describe('server list', () => {
  it('an empty list is refused: no fallback to the system resolver', () => {
    assert.throws(() => createResolver({ servers: [] }), (e: unknown) => {
      assert.ok(e instanceof UserError);
      assert.match(e.message, /no DNS servers configured/);
      assert.match(e.message, /never falls back to the system resolver/);
      return true;
    });
  });

  const badServers = ['localhost', 'dns.example.test:53', '127.0.0.1:0', '127.0.0.1:65536', '[::1', '[127.0.0.1]:53', ''];
  for (const bad of badServers) {
    it(`${JSON.stringify(bad)} is refused with the entry named`, () => {
      assert.throws(() => createResolver({ servers: ['127.0.0.1', bad] }), (e: unknown) => {
        assert.ok(e instanceof UserError);
        assert.ok(e.message.includes(JSON.stringify(bad)), e.message);
        return true;
      });
    });
  }

  it('accepts the forms of [dns] servers', () => {
    const servers = ['127.0.0.1', '127.0.0.1:5353', '::1', '[::1]', '[::1]:5353'];
    assert.doesNotThrow(() => createResolver({ servers }));
  });

  it('a server that is gone gives a temporary failure, never an answer from elsewhere', async () => {
    const gone = await startDnsServer({ records: { 'example.test': [{ type: 'A', address: '127.0.0.1' }] } });
    await gone.close();
    const resolver = createResolver({ servers: [gone.server], timeoutMs: 200, tries: 1 });
    await assert.rejects(resolver.resolve4('localhost'), (e: unknown) => {
      assert.ok(e instanceof DnsError);
      assert.equal(e.temporary, true, e.message);
      return true;
    });
  });

  it('asks the next server when one does not answer', async () => {
    const silent = await startDnsServer({ timeout: ['example.test'] });
    const answering = await startDnsServer({ records: { 'example.test': [{ type: 'A', address: '127.0.0.7' }] } });
    try {
      const resolver = createResolver({ servers: [silent.server, answering.server], timeoutMs: 200, tries: 1 });
      assert.deepEqual(await resolver.resolve4('example.test'), ['127.0.0.7']);
      assert.equal(silent.queries.length, 1);
      assert.equal(answering.queries.length, 1);
    } finally {
      await silent.close();
      await answering.close();
    }
  });

  it('an IPv6 server address ([::1]:port) works over UDP and TCP', async (t) => {
    let dns: TestDnsServer;
    try {
      const records = { 'v6.test': [{ type: 'TXT', data: BIG_TXT }, { type: 'AAAA', address: '::1' }] } as const;
      dns = await startDnsServer({ host: '::1', records });
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT') {
        t.skip(`cannot bind ::1 on this machine (${code}): IPv6 loopback is not configured`);
        return;
      }
      throw e;
    }
    try {
      assert.match(dns.server, /^\[::1\]:\d+$/);
      const resolver = createResolver({ servers: [dns.server], timeoutMs: 300, tries: 1 });
      assert.deepEqual(await resolver.resolve6('v6.test'), ['::1']);
      assert.equal((await resolver.resolveTxt('v6.test'))[0]?.join(''), BIG_TXT);
      assert.deepEqual(
        dns.queries.map((q) => q.transport),
        ['udp', 'udp', 'tcp'],
      );
    } finally {
      await dns.close();
    }
  });
});
