import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BdatReader, DataReader, type DataResult } from '../../../src/protocol/smtp/data-reader.js';

interface Outcome {
  body: string;
  /** The result with the remainder as text; undefined when the end marker was not seen. */
  end: (Omit<DataResult, 'remainder'> & { remainder: string }) | undefined;
}

/** Feeds chunks to a DataReader and collects the body and the result. */
function decode(chunks: readonly Buffer[], maxSize = 1 << 20): Outcome {
  const reader = new DataReader({ maxSize });
  const body: Buffer[] = [];
  for (const [i, chunk] of chunks.entries()) {
    const step = reader.push(chunk);
    body.push(step.body);
    if (step.kind === 'end') {
      // The chunks not pushed yet also belong to what follows the data.
      const remainder = Buffer.concat([step.result.remainder, ...chunks.slice(i + 1)]).toString('latin1');
      return { body: Buffer.concat(body).toString('latin1'), end: { ...step.result, remainder } };
    }
  }
  return { body: Buffer.concat(body).toString('latin1'), end: undefined };
}

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

function everySplit(input: Buffer): Buffer[][] {
  const splits: Buffer[][] = [];
  for (let cut = 0; cut <= input.length; cut++) splits.push([input.subarray(0, cut), input.subarray(cut)]);
  splits.push([...input].map((x) => Buffer.from([x])));
  return splits;
}

describe('DataReader', () => {
  it('ends at CRLF.CRLF, keeps the last line CRLF, and returns what follows', () => {
    const out = decode([b('Subject: hi\r\n\r\nHello\r\n.\r\nMAIL FROM:<a@b.c>\r\n')]);
    assert.equal(out.body, 'Subject: hi\r\n\r\nHello\r\n');
    assert.deepEqual(out.end, { size: 22, tooBig: false, bareCr: false, bareLf: false, longestLine: 11, remainder: 'MAIL FROM:<a@b.c>\r\n' });
  });

  it('treats the start of data as a line start (empty message)', () => {
    const out = decode([b('.\r\nQUIT\r\n')]);
    assert.equal(out.body, '');
    assert.equal(out.end?.size, 0);
    assert.equal(out.end?.remainder, 'QUIT\r\n');
  });

  it('removes the leading dot of stuffed lines (RFC 5321 §4.5.2)', () => {
    const out = decode([b('..hidden\r\n...\r\n.x\r\na.b\r\n.\r\n')]);
    assert.equal(out.body, '.hidden\r\n..\r\nx\r\na.b\r\n');
    assert.equal(out.end?.longestLine, 8);
  });

  // SMTP smuggling (CVE-2023-51764/51765/51766): none of these may end DATA.
  const smuggling: ReadonlyArray<{ name: string; data: string; body: string; bareCr: boolean; bareLf: boolean }> = [
    { name: 'LF.LF', data: 'a\n.\nMAIL FROM:<x@y.z>\r\n', body: 'a\n.\nMAIL FROM:<x@y.z>\r\n', bareCr: false, bareLf: true },
    { name: 'CR.CR', data: 'a\r.\rMAIL FROM:<x@y.z>\r\n', body: 'a\r.\rMAIL FROM:<x@y.z>\r\n', bareCr: true, bareLf: false },
    { name: 'LF.CRLF', data: 'a\n.\r\nMAIL FROM:<x@y.z>\r\n', body: 'a\n.\r\nMAIL FROM:<x@y.z>\r\n', bareCr: false, bareLf: true },
    { name: 'CRLF.LF', data: 'a\r\n.\nMAIL FROM:<x@y.z>\r\n', body: 'a\r\n\nMAIL FROM:<x@y.z>\r\n', bareCr: false, bareLf: true },
    { name: 'CRLF.CR', data: 'a\r\n.\rMAIL FROM:<x@y.z>\r\n', body: 'a\r\n\rMAIL FROM:<x@y.z>\r\n', bareCr: true, bareLf: false },
    { name: 'CR.CRLF', data: 'a\r.\r\nMAIL FROM:<x@y.z>\r\n', body: 'a\r.\r\nMAIL FROM:<x@y.z>\r\n', bareCr: true, bareLf: false },
    { name: 'CRLF.CRCRLF', data: 'a\r\n.\r\r\nMAIL FROM:<x@y.z>\r\n', body: 'a\r\n\r\r\nMAIL FROM:<x@y.z>\r\n', bareCr: true, bareLf: false },
    { name: 'leading LF.LF', data: '\n.\nMAIL FROM:<x@y.z>\r\n', body: '\n.\nMAIL FROM:<x@y.z>\r\n', bareCr: false, bareLf: true },
  ];
  for (const t of smuggling) {
    it(`does not end DATA at ${t.name}, however it is split`, () => {
      const input = b(`${t.data}.\r\nNEXT`);
      for (const chunks of everySplit(input)) {
        const out = decode(chunks);
        assert.equal(out.body, t.body);
        assert.equal(out.end?.remainder, 'NEXT');
        assert.equal(out.end?.bareCr, t.bareCr, 'bareCr');
        assert.equal(out.end?.bareLf, t.bareLf, 'bareLf');
      }
    });
  }

  it('never ends without CRLF.CRLF', () => {
    for (const data of ['a\n.\n', 'a\r.\r', 'a\r\n.\n', 'a\n.\r\n', 'a\r\n.', 'a\r\n.\r', '.\n', '.\r']) {
      assert.equal(decode([b(data)]).end, undefined, JSON.stringify(data));
    }
  });

  it('stops emitting past maxSize but reads to the end marker', () => {
    const input = b(`${'x'.repeat(25)}\r\n${'y'.repeat(25)}\r\n.\r\nRSET\r\n`);
    for (const chunks of everySplit(input)) {
      const out = decode(chunks, 10);
      assert.equal(out.body, 'xxxxxxxxxx');
      assert.equal(out.end?.size, 54);
      assert.equal(out.end?.tooBig, true);
      assert.equal(out.end?.remainder, 'RSET\r\n');
    }
    assert.equal(decode([b('12345678\r\n.\r\n')], 10).end?.tooBig, false);
    assert.equal(decode([b('123456789\r\n.\r\n')], 10).end?.tooBig, true);
  });

  it('gives identical results for a corpus split at every byte boundary and byte by byte', () => {
    const corpus = [
      'Subject: a\r\n\r\n..dot\r\n.\r\n',
      '.\r\n',
      '..\r\n.\r\r\n.\r.\r\n\r\n.\r\nREST',
      'x\ry\nz\r\n\r\n.\r\n',
      '.a\r\n.\n.\r\n',
      'no end here\r\n.',
    ];
    for (const text of corpus) {
      const input = b(text);
      const whole = decode([input]);
      for (const chunks of everySplit(input)) assert.deepEqual(decode(chunks), whole, JSON.stringify(text));
    }
  });

  it('decodes dot-stuffed CRLF text back to the original (property)', () => {
    const line = fc.string({ unit: fc.constantFrom('a', '.', ' ', 'é'), maxLength: 12 });
    fc.assert(
      fc.property(fc.array(line, { maxLength: 10 }), fc.array(fc.nat(200), { maxLength: 4 }), (lines, cuts) => {
        const body = lines.map((l) => `${l}\r\n`).join('');
        const wire = Buffer.from(lines.map((l) => `${l.startsWith('.') ? '.' : ''}${l}\r\n`).join('') + '.\r\nNEXT', 'utf8');
        const out = decode(splitAt(wire, cuts));
        assert.equal(Buffer.from(out.body, 'latin1').toString('utf8'), body);
        assert.equal(out.end?.remainder, 'NEXT');
        assert.equal(out.end?.bareCr, false);
        assert.equal(out.end?.bareLf, false);
      }),
    );
  });

  it('ends exactly at the first CRLF.CRLF and nowhere else (property)', () => {
    const bytes = fc.array(fc.constantFrom('\r', '\n', '.', 'a'), { maxLength: 40 }).map((a) => a.join(''));
    fc.assert(
      fc.property(bytes, fc.array(fc.nat(40), { maxLength: 4 }), (text, cuts) => {
        const k = `\r\n${text}`.indexOf('\r\n.\r\n');
        const out = decode(splitAt(b(text), cuts));
        if (k < 0) assert.equal(out.end, undefined);
        else assert.equal(out.end?.remainder, text.slice(k + 3));
        assert.deepEqual(out, decode([b(text)]));
      }),
    );
  });

  it('decodes a large message quickly', () => {
    const line = `${'abcdefghij'.repeat(7)}\r\n`;
    const input = Buffer.from(`${line.repeat(50_000)}.\r\n`);
    const started = performance.now();
    const out = decode(splitAt(input, Array.from({ length: 60 }, (_, i) => i * 65536)));
    assert.equal(out.end?.size, input.length - 3);
    assert.ok(performance.now() - started < 2000);
  });

  it('refuses to be pushed after the end', () => {
    const reader = new DataReader({ maxSize: 10 });
    assert.equal(reader.push(b('.\r\n')).kind, 'end');
    assert.throws(() => reader.push(b('x')), /after the end/);
  });
});

describe('BdatReader', () => {
  function bdat(chunks: readonly Buffer[], chunkSize: number, received = 0, maxSize = 1000) {
    const reader = new BdatReader({ chunkSize, received, maxSize });
    const body: Buffer[] = [];
    for (const [i, chunk] of chunks.entries()) {
      const step = reader.push(chunk);
      body.push(step.body);
      if (step.kind === 'end') {
        const remainder = Buffer.concat([step.result.remainder, ...chunks.slice(i + 1)]).toString('latin1');
        return { body: Buffer.concat(body).toString('latin1'), ...step.result, remainder };
      }
    }
    return { body: Buffer.concat(body).toString('latin1'), remaining: reader.remaining };
  }

  it('takes exactly chunk-size octets, unchanged (no dot-unstuffing), however split', () => {
    const input = b('..\r\n.\r\nBDAT 0 LAST\r\n');
    for (const chunks of everySplit(input)) {
      assert.deepEqual(bdat(chunks, 7), { body: '..\r\n.\r\n', total: 7, tooBig: false, remainder: 'BDAT 0 LAST\r\n' });
    }
  });

  it('ends BDAT 0 at once', () => {
    assert.deepEqual(bdat([Buffer.alloc(0)], 0), { body: '', total: 0, tooBig: false, remainder: '' });
  });

  it('counts earlier chunks against the limit and stops emitting past it', () => {
    assert.deepEqual(bdat([b('abcdeQUIT')], 5, 8, 10), { body: 'ab', total: 13, tooBig: true, remainder: 'QUIT' });
    assert.deepEqual(bdat([b('abc')], 5, 8, 10), { body: 'ab', remaining: 2 });
  });
});

function splitAt(input: Buffer, cuts: readonly number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => Math.min(c, input.length)))].sort((x, y) => x - y);
  const chunks: Buffer[] = [];
  let last = 0;
  for (const p of [...points, input.length]) {
    chunks.push(input.subarray(last, p));
    last = p;
  }
  return chunks;
}
