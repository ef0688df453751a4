/**
 * `mailauthResolver` must behave like node's `dns.promises.resolve(name, rrtype)`, which mailauth calls by
 * default. Node's own resolver, pointed at the same test server, is the oracle.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Resolver as NodeResolver } from 'node:dns/promises';
import { createResolver } from '../../src/dns/node-resolver.js';
import { DnsError, mailauthResolver, type MailauthResolver, type Resolver } from '../../src/dns/resolver.js';
import { reverseName, startDnsServer, type TestDnsServer } from '../kit/dns-server.js';

const ZONE = {
  'example.test': [
    { type: 'MX', priority: 10, exchange: 'mx.example.test' },
    { type: 'TXT', data: 'v=spf1 ip4:127.0.0.1 -all' },
  ],
  'mx.example.test': [
    { type: 'A', address: '127.0.0.1' },
    { type: 'AAAA', address: '::1' },
  ],
  'sel._domainkey.example.test': [{ type: 'TXT', data: `v=DKIM1; k=rsa; p=${'Q'.repeat(700)}` }],
  '_dmarc.alias.test': [{ type: 'CNAME', target: '_dmarc.example.test' }],
  '_dmarc.example.test': [{ type: 'TXT', data: 'v=DMARC1; p=reject' }],
  '_imaps._tcp.example.test': [{ type: 'SRV', priority: 0, weight: 0, port: 993, target: 'mx.example.test' }],
  [reverseName('127.0.0.1')]: [{ type: 'PTR', target: 'mx.example.test' }],
  [reverseName('::1')]: [{ type: 'PTR', target: 'mx.example.test' }],
} as const;

/** [name, rrtype] pairs whose answer (or error code) must match node's. */
const CASES: readonly (readonly [string, string])[] = [
  ['example.test', 'MX'],
  ['example.test', 'TXT'],
  ['sel._domainkey.example.test', 'TXT'],
  ['_dmarc.alias.test', 'TXT'],
  ['_dmarc.alias.test', 'CNAME'],
  ['mx.example.test', 'A'],
  ['mx.example.test', 'AAAA'],
  ['_imaps._tcp.example.test', 'SRV'],
  [reverseName('127.0.0.1'), 'PTR'],
  [reverseName('::1'), 'PTR'],
  ['nowhere.test', 'TXT'],
  ['nowhere.test', 'MX'],
  ['example.test', 'A'],
  ['mx.example.test', 'TXT'],
  [reverseName('192.0.2.7'), 'PTR'],
  ['broken.test', 'TXT'],
  ['refused.test', 'MX'],
  ['slow.test', 'TXT'],
];

/** The value, or the error code, of a lookup. */
async function outcome(lookup: Promise<unknown>): Promise<{ value: unknown } | { code: unknown }> {
  try {
    return { value: await lookup };
  } catch (e) {
    return { code: (e as { code?: unknown }).code };
  }
}

describe('mailauth adapter', () => {
  let dns: TestDnsServer;
  let ours: MailauthResolver;
  let oracle: NodeResolver;

  before(async () => {
    dns = await startDnsServer({
      records: ZONE,
      servfail: ['broken.test'],
      refused: ['refused.test'],
      timeout: ['slow.test'],
    });
    // Generous timeouts: these cases expect answers, and CI machines are shared and slow.
    ours = mailauthResolver(createResolver({ servers: [dns.server], timeoutMs: 2000, tries: 2 }));
    oracle = new NodeResolver({ timeout: 2000, tries: 2 });
    oracle.setServers([dns.server]);
  });
  after(() => dns.close());

  for (const [name, rrtype] of CASES) {
    it(`${rrtype} ${name} as node's dns.promises.resolve gives it`, async () => {
      assert.deepEqual(await outcome(ours(name, rrtype)), await outcome(oracle.resolve(name, rrtype)));
    });
  }

  it('maps each failure to node error codes, with syscall and hostname', async () => {
    const expected: Record<string, string> = {
      'nowhere.test': 'ENOTFOUND',
      'mx.example.test': 'ENODATA',
      'broken.test': 'ESERVFAIL',
      'refused.test': 'EREFUSED',
      'slow.test': 'ETIMEOUT',
    };
    for (const [name, code] of Object.entries(expected)) {
      await assert.rejects(ours(name, 'TXT'), (e: unknown) => {
        assert.ok(e instanceof Error);
        assert.deepEqual({ ...e }, { code, syscall: 'queryTxt', hostname: name });
        assert.ok(e.cause instanceof DnsError, 'the DnsError is kept as the cause');
        return true;
      });
    }
  });

  it('takes the record type in any case', async () => {
    assert.deepEqual(await ours('example.test', 'mx'), [{ exchange: 'mx.example.test', priority: 10 }]);
  });

  it('answers a CNAME to a name without the type with ENODATA where node gives []', async () => {
    assert.deepEqual(await oracle.resolve('_dmarc.alias.test', 'MX'), []);
    assert.deepEqual(await outcome(ours('_dmarc.alias.test', 'MX')), { code: 'ENODATA' });
  });

  it('refuses record types it does not carry, and PTR outside the reverse zones, with ENOTIMP', async () => {
    assert.deepEqual(await outcome(ours('example.test', 'NS')), { code: 'ENOTIMP' });
    assert.deepEqual(await outcome(ours('example.test', 'PTR')), { code: 'ENOTIMP' });
    assert.deepEqual(await outcome(ours('2.1.in-addr.arpa', 'PTR')), { code: 'ENOTIMP' });
  });
});

describe('mailauth adapter without a server', () => {
  const failing = (error: unknown): Resolver => {
    const fail = async (): Promise<never> => {
      throw error;
    };
    return {
      resolveMx: fail,
      resolveTxt: fail,
      resolve4: fail,
      resolve6: fail,
      resolveCname: fail,
      resolveSrv: fail,
      reverse: fail,
    };
  };

  it("keeps node's own code for OTHER failures when there is one", async () => {
    const cause = Object.assign(new Error('connect'), { code: 'ECONNREFUSED' });
    const r = mailauthResolver(failing(new DnsError('OTHER', 'example.test', 'TXT', { cause })));
    assert.deepEqual(await outcome(r('example.test', 'TXT')), { code: 'ECONNREFUSED' });
  });

  it('gives EBADRESP for OTHER failures without one', async () => {
    const r = mailauthResolver(failing(new DnsError('OTHER', 'example.test', 'TXT')));
    assert.deepEqual(await outcome(r('example.test', 'TXT')), { code: 'EBADRESP' });
  });

  it('lets errors that are not DNS failures through unchanged', async () => {
    const bug = new TypeError('a bug');
    await assert.rejects(mailauthResolver(failing(bug))('example.test', 'A'), (e) => e === bug);
  });
});
