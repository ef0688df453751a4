import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LineReader, type LineEvent } from '../../src/lib/line-reader.js';

/** A LineEvent with the line as text, for deep comparison. */
type Seen = { kind: 'line'; text: string; bareLf: boolean } | { kind: 'too-long'; octets: number; bareLf: boolean };

function drain(reader: LineReader, out: Seen[]): void {
  for (let ev: LineEvent | undefined; (ev = reader.next()); ) {
    out.push(ev.kind === 'line' ? { kind: 'line', text: ev.line.toString('latin1'), bareLf: ev.bareLf } : { ...ev });
  }
}

/** Feeds `chunks` one by one, draining after each push like a server does; returns events and the remainder. */
function run(chunks: readonly Buffer[], maxLineOctets: number): { events: Seen[]; rest: string } {
  const reader = new LineReader({ maxLineOctets });
  const events: Seen[] = [];
  for (const chunk of chunks) {
    reader.push(chunk);
    drain(reader, events);
  }
  return { events, rest: reader.takeRemainder().toString('latin1') };
}

function bytewise(input: Buffer): Buffer[] {
  return [...input].map((b) => Buffer.from([b]));
}

const CORPUS: readonly string[] = [
  'EHLO a\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\n',
  'bare\nlf\r\nmixed\r\r\n\r\n\n',
  'partial line without end',
  `${'x'.repeat(30)}\r\nok\r\n${'y'.repeat(9)}\r\n${'z'.repeat(8)}\r\n${'w'.repeat(8)}\n${'v'.repeat(9)}\n`,
  `${'long'.repeat(20)}\ntail`,
  '\r\n\r\n\r',
  `12345678\r${'9'.repeat(3)}\r\n`,
];

describe('LineReader', () => {
  it('splits CRLF lines and reports bare LF', () => {
    const { events, rest } = run([Buffer.from('a\r\nb\nc\r\r\n\r\nd')], 100);
    assert.deepEqual(events, [
      { kind: 'line', text: 'a', bareLf: false },
      { kind: 'line', text: 'b', bareLf: true },
      { kind: 'line', text: 'c\r', bareLf: false },
      { kind: 'line', text: '', bareLf: false },
    ]);
    assert.equal(rest, 'd');
  });

  it('counts maxLineOctets with the CRLF, whatever the terminator', () => {
    const { events } = run([Buffer.from('12345678\r\n123456789\r\n12345678\n123456789\n')], 10);
    assert.deepEqual(events, [
      { kind: 'line', text: '12345678', bareLf: false },
      { kind: 'too-long', octets: 9, bareLf: false },
      { kind: 'line', text: '12345678', bareLf: true },
      { kind: 'too-long', octets: 9, bareLf: true },
    ]);
  });

  it('waits for the LF when a line at the limit ends with a CR', () => {
    const reader = new LineReader({ maxLineOctets: 10 });
    reader.push(Buffer.from('12345678\r'));
    assert.equal(reader.next(), undefined);
    assert.equal(reader.discarding, false);
    reader.push(Buffer.from('\n'));
    assert.deepEqual(reader.next()?.kind, 'line');
  });

  it('discards an over-long line as it arrives and reports it once, at its end', () => {
    const reader = new LineReader({ maxLineOctets: 100 });
    let maxBuffered = 0;
    for (let i = 0; i < 1000; i++) {
      reader.push(Buffer.alloc(1024, 0x41));
      assert.equal(reader.next(), undefined);
      maxBuffered = Math.max(maxBuffered, reader.bufferedOctets);
    }
    assert.equal(reader.discarding, true);
    assert.equal(maxBuffered, 0);
    reader.push(Buffer.from('\r\nNOOP\r\n'));
    assert.deepEqual(reader.next(), { kind: 'too-long', octets: 1024 * 1000, bareLf: false });
    const next = reader.next();
    assert.equal(next?.kind === 'line' && next.line.toString(), 'NOOP');
    assert.equal(reader.discarding, false);
  });

  it('hands the unread bytes over with takeRemainder (DATA, BDAT, literals)', () => {
    const reader = new LineReader({ maxLineOctets: 512 });
    reader.push(Buffer.from('DATA\r\nSubject: hi\r\n\r\nbody'));
    const first = reader.next();
    assert.equal(first?.kind === 'line' && first.line.toString(), 'DATA');
    assert.equal(reader.takeRemainder().toString(), 'Subject: hi\r\n\r\nbody');
    assert.equal(reader.bufferedOctets, 0);
    assert.equal(reader.next(), undefined);
  });

  it('discards what was pipelined after STARTTLS (RFC 3207 §4.2)', () => {
    const reader = new LineReader({ maxLineOctets: 512 });
    reader.push(Buffer.from('STARTTLS\r\nMAIL FROM:<evil@example.com>\r\nRCPT TO:<x@y.z>\r\n'));
    const first = reader.next();
    assert.equal(first?.kind === 'line' && first.line.toString(), 'STARTTLS');
    assert.equal(reader.discard(), 'MAIL FROM:<evil@example.com>\r\nRCPT TO:<x@y.z>\r\n'.length);
    assert.equal(reader.next(), undefined);
    // After the handshake the same reader keeps working on fresh bytes.
    reader.push(Buffer.from('EHLO c\r\n'));
    const after = reader.next();
    assert.equal(after?.kind === 'line' && after.line.toString(), 'EHLO c');
  });

  it('applies a changed limit (longer lines during AUTH)', () => {
    const reader = new LineReader({ maxLineOctets: 10 });
    reader.maxLineOctets = 100;
    reader.push(Buffer.from(`${'a'.repeat(50)}\r\n`));
    assert.equal(reader.next()?.kind, 'line');
    assert.throws(() => (reader.maxLineOctets = 2), RangeError);
  });

  it('gives identical results for input split at every byte boundary and byte by byte', () => {
    for (const text of CORPUS) {
      const input = Buffer.from(text, 'latin1');
      for (const max of [10, 12, 1000]) {
        const whole = run([input], max);
        for (let cut = 0; cut <= input.length; cut++) {
          assert.deepEqual(run([input.subarray(0, cut), input.subarray(cut)], max), whole, `${JSON.stringify(text)} cut ${cut}`);
        }
        assert.deepEqual(run(bytewise(input), max), whole, `${JSON.stringify(text)} bytewise`);
      }
    }
  });

  it('gives identical results for random input and random splits (property)', () => {
    const bytes = fc.array(fc.constantFrom(0x0d, 0x0a, 0x41, 0x42, 0x00, 0xff), { maxLength: 80 }).map((a) => Buffer.from(a));
    fc.assert(
      fc.property(bytes, fc.array(fc.nat(80), { maxLength: 6 }), fc.integer({ min: 3, max: 20 }), (input, cuts, max) => {
        const points = [...new Set(cuts.map((c) => Math.min(c, input.length)))].sort((a, b) => a - b);
        const chunks: Buffer[] = [];
        let last = 0;
        for (const p of [...points, input.length]) {
          chunks.push(input.subarray(last, p));
          last = p;
        }
        assert.deepEqual(run(chunks, max), run([input], max));
      }),
    );
  });
});
