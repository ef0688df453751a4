/** Reverse names: RFC 1035 §3.5 (in-addr.arpa) and RFC 3596 §2.5 (ip6.arpa). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Resolver as NodeResolver } from 'node:dns/promises';
import fc from 'fast-check';
import { ipFromReverseName, reverseName } from '../../src/dns/reverse-name.js';
import { startDnsServer } from '../kit/dns-server.js';

const V6_DOC = '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa';

describe('reverseName', () => {
  const cases: readonly (readonly [string, string])[] = [
    ['127.0.0.1', '1.0.0.127.in-addr.arpa'],
    ['192.0.2.250', '250.2.0.192.in-addr.arpa'],
    ['2001:db8::1', V6_DOC],
    ['2001:DB8:0:0:0:0:0:1', V6_DOC],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', V6_DOC],
    ['::1', `1${'.0'.repeat(31)}.ip6.arpa`],
    ['::', `${Array(32).fill('0').join('.')}.ip6.arpa`],
    ['1::', `${'0.'.repeat(28)}1.0.0.0.ip6.arpa`],
    ['::ffff:192.0.2.1', '1.0.2.0.0.0.0.c.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa'],
    ['fe80::1%eth0', `1${'.0'.repeat(27)}.0.8.e.f.ip6.arpa`],
  ];
  for (const [ip, name] of cases) {
    it(`${ip} → ${name.slice(0, 40)}…`, () => assert.equal(reverseName(ip), name));
  }

  it("names what c-ares' own reverse lookup asks for", async () => {
    const dns = await startDnsServer();
    const cares = new NodeResolver({ timeout: 1_000, tries: 1 });
    cares.setServers([dns.server]);
    try {
      await fc.assert(
        fc.asyncProperty(fc.oneof(fc.ipV4(), fc.ipV6()), async (ip) => {
          const asked = dns.queries.length;
          await cares.reverse(ip).catch(() => []); // NXDOMAIN: the zone is empty
          const query = dns.queries[asked];
          // an address in /etc/hosts is answered from there, without a query
          if (query !== undefined) assert.equal(query.name.toLowerCase(), reverseName(ip));
        }),
        { numRuns: 100 },
      );
    } finally {
      await dns.close();
    }
  });

  for (const bad of ['', 'example.test', '1.2.3', '1.2.3.256', '2001:db8::1::2', '[::1]']) {
    it(`${JSON.stringify(bad)} is not an IP address`, () => assert.throws(() => reverseName(bad), TypeError));
  }
});

describe('ipFromReverseName', () => {
  it('reads full reverse names, in any case, with or without the root dot', () => {
    assert.equal(ipFromReverseName('1.0.0.127.IN-ADDR.ARPA.'), '127.0.0.1');
    assert.equal(ipFromReverseName(V6_DOC.toUpperCase()), '2001:0db8:0000:0000:0000:0000:0000:0001');
  });

  for (const name of [
    'example.test',
    '2.1.in-addr.arpa',
    '5.4.3.2.1.in-addr.arpa',
    '1.0.0.256.in-addr.arpa',
    '1.0.0.0127.in-addr.arpa',
    '1.0.x.127.in-addr.arpa',
    V6_DOC.replace(/^1\./, ''),
    V6_DOC.replace(/^1\./, '10.'),
    V6_DOC.replace(/^1\./, 'g.'),
    'in-addr.arpa',
    '',
  ]) {
    it(`${JSON.stringify(name.slice(0, 40))} is not one`, () => assert.equal(ipFromReverseName(name), undefined));
  }

  it('undoes reverseName for every IPv4 and IPv6 address', () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), (ip) => {
        const name = reverseName(ip);
        const back = ipFromReverseName(name);
        assert.ok(back !== undefined, name);
        assert.equal(reverseName(back), name);
      }),
      { numRuns: 2_000 },
    );
  });
});
