import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { NetworkSyntaxError, networkContains, parseNetwork } from '../../src/lib/cidr.js';

describe('parseNetwork: accepted', () => {
  const cases: Array<[string, 4 | 6, string]> = [
    ['10.0.0.0/8', 4, '10.0.0.0/8'],
    ['192.0.2.1', 4, '192.0.2.1/32'],
    ['192.0.2.0/24', 4, '192.0.2.0/24'],
    ['0.0.0.0/0', 4, '0.0.0.0/0'],
    ['255.255.255.255/32', 4, '255.255.255.255/32'],
    ['2001:db8::/32', 6, '2001:db8::/32'],
    ['2001:DB8:0:0:0:0:0:0/32', 6, '2001:db8::/32'],
    ['::1', 6, '::1/128'],
    ['::', 6, '::/128'],
    ['::/0', 6, '::/0'],
    ['::ffff:192.0.2.0/120', 6, '::ffff:192.0.2.0/120'],
    ['::ffff:c000:200/120', 6, '::ffff:192.0.2.0/120'],
    ['1:2:3:4:5:6:7:8', 6, '1:2:3:4:5:6:7:8/128'],
    ['1:0:0:2:0:0:0:3', 6, '1:0:0:2::3/128'],
    ['fe80::/10', 6, 'fe80::/10'],
    ['0001:0db8::/32', 6, '1:db8::/32'],
  ];
  for (const [text, family, canonical] of cases) {
    it(`accepts ${text}`, () => {
      const n = parseNetwork(text);
      assert.equal(n.family, family);
      assert.equal(n.text, canonical);
      assert.deepEqual(parseNetwork(n.text), n, 'the canonical text reads back the same');
    });
  }
});

describe('parseNetwork: refused', () => {
  const cases: Array<[string, RegExp]> = [
    ['', /empty/],
    ['010.0.0.1', /"010".*leading zeros \(no octal or hex\)/],
    ['0x7f.0.0.1', /"0x7f".*no octal or hex/],
    ['0x7f.1', /four decimal numbers/],
    ['127.1', /four decimal numbers/],
    ['1.2.3', /four decimal numbers/],
    ['1.2.3.4.5', /four decimal numbers/],
    ['256.0.0.0', /up to 255/],
    ['1.2.3.-4', /"-4"/],
    ['1.2.3.4/33', /at most 32/],
    ['2001:db8::/129', /at most 128/],
    ['10.0.0.0/08', /leading zeros/],
    ['10.0.0.0/', /prefix length ""/],
    ['10.0.0.0/+8', /prefix length "\+8"/],
    ['10.0.0.0/8/8', /prefix length "8\/8"/],
    ['10.0.0.1/8', /host bits set.*did you mean 10\.0\.0\.0\/8.*or 10\.0\.0\.1/],
    ['2001:db8::1/32', /did you mean 2001:db8::\/32/],
    ['::ffff:192.0.2.1/120', /did you mean ::ffff:192\.0\.2\.0\/120/],
    [' 10.0.0.0/8', /white space/],
    ['10.0.0.0 /8', /white space/],
    ['10.0.0.0/8\n', /white space/],
    ['fe80::1%eth0', /zone id/],
    ['1::2::3', /only once/],
    [':::1', /empty group/],
    ['1:2:3:4:5:6:7', /7 groups instead of 8/],
    ['1:2:3:4:5:6:7:8:9', /9 groups/],
    ['1:2:3:4::5:6:7:8', /at least one group/],
    ['12345::', /"12345"/],
    ['g::', /"g"/],
    ['::ffff:1.2.3', /four decimal numbers/],
    ['1.2.3.4::', /"1\.2\.3\.4"/],
    ['::ffff:01.2.3.4', /leading zeros/],
    ['[::1]', /"\["/],
    ['localhost', /four decimal numbers/],
    ['١٢٣.0.0.0', /no octal or hex/],
  ];
  for (const [text, message] of cases) {
    it(`refuses ${JSON.stringify(text)}`, () => {
      assert.throws(() => parseNetwork(text), (e: unknown) => e instanceof NetworkSyntaxError && message.test(e.message));
    });
  }

  it('throws nothing but NetworkSyntaxError (property)', () => {
    const piece = fc.constantFrom('0', '1', '10', '255', '256', '010', 'ff', 'ffff', 'x', '.', ':', '::', '/', '%', ' ', '-');
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.array(piece, { maxLength: 20 }).map((p) => p.join(''))), (text) => {
        try {
          const n = parseNetwork(text);
          assert.deepEqual(parseNetwork(n.text), n);
        } catch (e) {
          assert.ok(e instanceof NetworkSyntaxError, String(e));
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('networkContains', () => {
  const cases: Array<[string, string, boolean]> = [
    ['192.0.2.0/24', '192.0.2.5', true],
    ['192.0.2.0/24', '192.0.3.5', false],
    ['192.0.2.0/24', '::ffff:192.0.2.5', true],
    ['192.0.2.0/24', '::FFFF:c000:0205', true],
    ['192.0.2.0/24', '::192.0.2.5', false],
    ['192.0.2.0/24', '2001:db8::1', false],
    ['192.0.2.1', '192.0.2.1', true],
    ['192.0.2.1', '192.0.2.2', false],
    ['0.0.0.0/0', '203.0.113.9', true],
    ['0.0.0.0/0', '::ffff:203.0.113.9', true],
    ['0.0.0.0/0', '2001:db8::1', false],
    ['::ffff:192.0.2.0/120', '192.0.2.77', true],
    ['::ffff:192.0.2.0/120', '::ffff:192.0.2.77', true],
    ['::ffff:192.0.2.0/120', '192.0.3.77', false],
    ['::ffff:0:0/96', '8.8.8.8', true],
    ['2001:db8::/32', '2001:db8:1::5', true],
    ['2001:db8::/32', '2001:db9::5', false],
    ['2001:db8::/32', '192.0.2.1', false],
    ['::/0', '2001:db8::1', true],
    ['::/0', '192.0.2.1', false],
    ['fe80::/10', 'fe80::1%eth0', true],
    ['::1', '::1', true],
    ['127.0.0.0/8', '::1', false],
    ['192.0.2.0/24', '', false],
    ['192.0.2.0/24', 'garbage', false],
    ['192.0.2.0/24', '192.0.2.5 ', false],
    ['192.0.2.0/24', '0300.0.2.5', false],
  ];
  for (const [network, ip, expected] of cases) {
    it(`${network} ${expected ? 'contains' : 'does not contain'} ${JSON.stringify(ip)}`, () => {
      assert.equal(networkContains(parseNetwork(network), ip), expected);
    });
  }

  it('never throws on any client address (property)', () => {
    const n = parseNetwork('192.0.2.0/24');
    const m = parseNetwork('2001:db8::/32');
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.ipV4(), fc.ipV6()), (ip) => {
        networkContains(n, ip);
        networkContains(m, ip);
      }),
      { numRuns: 1000 },
    );
  });

  it('agrees with prefix arithmetic for IPv4 (property)', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.integer({ min: 0, max: 32 }), fc.ipV4(), (netIp, prefix, client) => {
        const toInt = (ip: string): number => ip.split('.').reduce((a, p) => a * 256 + Number(p), 0);
        const maskOf = (x: number): number => (prefix === 0 ? 0 : Math.floor(x / 2 ** (32 - prefix)));
        const base = maskOf(toInt(netIp)) * 2 ** (32 - prefix);
        const text = `${[24, 16, 8, 0].map((s) => Math.floor(base / 2 ** s) % 256).join('.')}/${prefix}`;
        const n = parseNetwork(text);
        assert.equal(networkContains(n, client), maskOf(toInt(client)) === maskOf(toInt(netIp)));
        assert.equal(networkContains(n, `::ffff:${client}`), maskOf(toInt(client)) === maskOf(toInt(netIp)));
      }),
      { numRuns: 500 },
    );
  });
});
