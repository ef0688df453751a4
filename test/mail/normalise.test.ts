import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { countReceived, normaliseLineEndings } from '../../src/mail/normalise.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

/** True when every CR is followed by LF and every LF preceded by CR. */
function onlyCrlf(buf: Buffer): boolean {
  for (let i = 0; i < buf.length; i++) {
    if (buf[i] === 0x0d && buf[i + 1] !== 0x0a) return false;
    if (buf[i] === 0x0a && buf[i - 1] !== 0x0d) return false;
  }
  return true;
}

describe('normaliseLineEndings', () => {
  const cases: Array<[string, string]> = [
    ['a\r\nb\r\n', 'a\r\nb\r\n'],
    ['a\nb\n', 'a\r\nb\r\n'],
    ['a\rb\r', 'a\r\nb\r\n'],
    ['\n', '\r\n'],
    ['\r', '\r\n'],
    ['\r\r\n', '\r\n\r\n'],
    ['\n\r', '\r\n\r\n'],
    ['\r\n\n', '\r\n\r\n'],
    // The smuggling sequences of CVE-2023-51764: each becomes an ordinary line, never an end of data.
    ['x\n.\ny', 'x\r\n.\r\ny'],
    ['x\r\n.\ny', 'x\r\n.\r\ny'],
    ['x\n.\r\ny', 'x\r\n.\r\ny'],
    ['x\r.\ry', 'x\r\n.\r\ny'],
    ['', ''],
    ['no line ends', 'no line ends'],
  ];
  for (const [input, expected] of cases) {
    it(`normalises ${JSON.stringify(input)}`, () => assert.equal(normaliseLineEndings(b(input)).toString('latin1'), expected));
  }

  it('returns the same Buffer when nothing changes', () => {
    const raw = b('a\r\nb\r\n');
    assert.equal(normaliseLineEndings(raw), raw);
  });

  it('leaves no bare CR or LF, is idempotent and only adds CR or LF (property)', () => {
    const gen = fc.oneof(
      fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
      fc.array(fc.constantFrom('\r', '\n', '\r\n', 'a', '.'), { maxLength: 50 }).map((p) => b(p.join(''))),
    );
    fc.assert(
      fc.property(gen, (raw) => {
        const once = normaliseLineEndings(raw);
        assert.ok(onlyCrlf(once));
        assert.ok(normaliseLineEndings(once).equals(once));
        const strip = (x: Buffer): string => x.toString('latin1').replace(/[\r\n]/g, '');
        assert.equal(strip(once), strip(raw));
      }),
      { numRuns: 1000 },
    );
  });

  it('is linear on large inputs with bare LF only', () => {
    const raw = Buffer.from('line of text\n'.repeat(400_000));
    const t = performance.now();
    const out = normaliseLineEndings(raw);
    assert.equal(out.length, raw.length + 400_000);
    assert.ok(performance.now() - t < 2000);
  });
});

describe('countReceived', () => {
  const cases: Array<[string, number]> = [
    ['Subject: x\r\n\r\n', 0],
    ['Received: a\r\n\tb\r\nreceived: c\r\nRECEIVED : d\r\nX-Received: e\r\n\r\nReceived: body\r\n', 3],
    ['Received: a\nReceived: b\n\nReceived: body\n', 2],
    ['Received: a', 1],
  ];
  for (const [raw, n] of cases) it(`counts ${n} in ${JSON.stringify(raw)}`, () => assert.equal(countReceived(b(raw)), n));
});
