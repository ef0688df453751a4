import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ImapCommandReader, type ImapReaderOptions, type ReaderEvent } from '../../../src/protocol/imap/reader.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

/** An event as comparable text: commands show their parts, literals in braces. */
type Seen = string;

function show(event: ReaderEvent): Seen {
  switch (event.kind) {
    case 'command':
      return `command ${event.command.tag ?? '-'} ${event.command.octets}: ${event.command.parts
        .map((p) => (p.kind === 'text' ? `[${p.bytes.toString('latin1')}]` : `{${p.binary ? '~' : ''}${p.sync ? '' : '+'}${p.bytes.toString('latin1')}}`))
        .join('')}`;
    case 'literal-request':
      return `literal-request ${event.tag ?? '-'} ${event.command ?? '-'} ${event.size}${event.binary ? ' binary' : ''}`;
    case 'error':
      return `error ${event.error.tag ?? '-'} ${event.error.code} ${event.error.responseCode ?? '-'}${event.error.closeConnection ? ' close' : ''}`;
  }
}

/**
 * Feeds chunks, draining events after each; literal requests are accepted unless their size is in `reject`.
 * Returns every event in order.
 */
function run(chunks: readonly Buffer[], options?: ImapReaderOptions, reject: ReadonlySet<number> = new Set()): Seen[] {
  const reader = new ImapCommandReader(options);
  const seen: Seen[] = [];
  const drain = (): void => {
    for (let e = reader.next(); e !== undefined; e = reader.next()) {
      seen.push(show(e));
      if (e.kind === 'literal-request') {
        if (reject.has(e.size)) reader.rejectLiteral();
        else reader.acceptLiteral();
      }
    }
  };
  for (const chunk of chunks) {
    reader.push(chunk);
    drain();
  }
  return seen;
}

function everySplit(input: Buffer): Buffer[][] {
  const splits: Buffer[][] = [];
  for (let cut = 0; cut <= input.length; cut++) splits.push([input.subarray(0, cut), input.subarray(cut)]);
  splits.push([...input].map((x) => Buffer.from([x])));
  return splits;
}

interface Transcript {
  readonly name: string;
  readonly input: string;
  readonly expected: readonly Seen[];
  readonly options?: ImapReaderOptions;
  readonly reject?: readonly number[];
}

const transcripts: readonly Transcript[] = [
  {
    name: 'pipelined simple commands',
    input: 'a1 NOOP\r\na2 CAPABILITY\r\na3 LOGOUT\r\n',
    expected: ['command a1 9: [a1 NOOP]', 'command a2 15: [a2 CAPABILITY]', 'command a3 11: [a3 LOGOUT]'],
  },
  {
    name: 'synchronising literals in LOGIN',
    input: 'a LOGIN {4}\r\nuser {6}\r\np\r\n ss\r\n',
    expected: ['literal-request a LOGIN 4', 'literal-request a LOGIN 6', 'command a 31: [a LOGIN ]{user}[ ]{p\r\n ss}'],
  },
  {
    name: 'non-synchronising literal holding CRLF and a fake command',
    input: 'A003 APPEND saved-messages (\\Seen) {20+}\r\nx\r\nA004 LOGOUT {1}\r\n\r\nA005 NOOP\r\n',
    expected: ['command A003 64: [A003 APPEND saved-messages (\\Seen) ]{+x\r\nA004 LOGOUT {1}\r\n}', 'command A005 11: [A005 NOOP]'],
  },
  {
    name: 'literal8 (BINARY) may hold NUL',
    input: 'b APPEND INBOX ~{3+}\r\na\x00b\r\n',
    expected: ['command b 27: [b APPEND INBOX ]{~+a\x00b}'],
  },
  {
    name: 'empty literal and literal at the end',
    input: 'c LOGIN {0+}\r\n {0+}\r\n\r\n',
    expected: ['command c 23: [c LOGIN ]{+}[ ]{+}'],
  },
  {
    name: 'empty lines between commands are ignored, bare LF ends a line',
    input: '\r\n\r\nd NOOP\ne NOOP\r\n',
    expected: ['command d 7: [d NOOP]', 'command e 8: [e NOOP]'],
  },
  {
    name: 'a synchronising literal over the limit is refused before the continuation',
    input: 'f LOGIN {70000}\r\ng NOOP\r\n',
    expected: ['error f literal-too-big TOOBIG', 'command g 8: [g NOOP]'],
  },
  {
    name: 'a non-synchronising literal over the limit is read and dropped with the rest of its command',
    input: `h LOGIN {70000+}\r\n${'x'.repeat(70000)} {3+}\r\nabc\r\ni NOOP\r\n`,
    expected: ['error h literal-too-big TOOBIG', 'command i 8: [i NOOP]'],
  },
  {
    name: 'LITERAL-: non-synchronising literals over 4096 octets are refused',
    input: `j LOGIN {5000+}\r\n${'y'.repeat(5000)}\r\nk LOGIN {4096+}\r\n${'z'.repeat(4096)} x\r\n`,
    options: { nonSyncLiterals: 'LITERAL-' },
    expected: ['error j literal-too-big TOOBIG', `command k ${4096 + 21}: [k LOGIN ]{+${'z'.repeat(4096)}}[ x]`],
  },
  {
    name: 'the server may refuse a literal it would accept by size (APPENDLIMIT, quota)',
    input: 'l APPEND INBOX {123}\r\nm NOOP\r\n',
    reject: [123],
    expected: ['literal-request l APPEND 123', 'command m 8: [m NOOP]'],
  },
  {
    name: 'APPEND literals have their own, larger limit',
    input: 'n APPEND INBOX {100000+}\r\n' + 'm'.repeat(100000) + '\r\n',
    expected: [`command n ${100000 + 28}: [n APPEND INBOX ]{+${'m'.repeat(100000)}}`],
  },
  {
    name: 'a command over the total limit',
    input: 'o LOGIN {60000+}\r\n' + 'a'.repeat(60000) + ' {60000+}\r\n' + 'b'.repeat(60000) + '\r\np NOOP\r\n',
    options: { maxCommandOctets: 100000 },
    expected: ['error o literal-too-big TOOBIG', 'command p 8: [p NOOP]'],
  },
  {
    name: 'an over-long line ends the session (its end may have been a literal marker)',
    input: `q SEARCH ${'1,'.repeat(40000)}1\r\nr NOOP\r\n`,
    expected: ['error - line-too-long TOOBIG close'],
  },
  {
    name: 'a huge non-synchronising literal ends the session',
    input: 's APPEND INBOX {999999999999+}\r\nxx',
    expected: ['error s literal-too-big TOOBIG close'],
  },
  {
    name: 'non-synchronising literals when the server offers neither LITERAL+ nor LITERAL-',
    input: 't LOGIN {1+}\r\na b\r\nu NOOP\r\n',
    options: { nonSyncLiterals: 'none' },
    expected: ['error t command-too-long CLIENTBUG', 'command u 8: [u NOOP]'],
  },
  {
    name: 'no valid tag',
    input: '+x NOOP\r\nNOOP\r\n',
    expected: ['command - 9: [+x NOOP]', 'command - 6: [NOOP]'],
  },
];

describe('ImapCommandReader transcripts', () => {
  for (const t of transcripts) {
    it(t.name, () => {
      const input = b(t.input);
      const reject = new Set(t.reject ?? []);
      assert.deepEqual(run([input], t.options, reject), t.expected);
    });
  }
});

describe('ImapCommandReader: every split gives the same events', () => {
  for (const t of transcripts) {
    it(t.name, () => {
      const input = b(t.input);
      const reject = new Set(t.reject ?? []);
      // Large transcripts: every boundary would be quadratic; sample boundaries and still do byte by byte.
      const splits = input.length > 2000 ? [...everySplit(input.subarray(0, 300)).map((s) => [...s, input.subarray(300)])] : everySplit(input);
      if (input.length > 2000) splits.push([...input].map((x) => Buffer.from([x])));
      for (const chunks of splits) assert.deepEqual(run(chunks, t.options, reject), t.expected);
    });
  }
});

describe('ImapCommandReader mode switches', () => {
  it('IDLE: the bytes after the command wait for the server, DONE is read as a line', () => {
    const reader = new ImapCommandReader();
    reader.push(b('a IDLE\r\nDONE\r\nb NOOP\r\n'));
    const idle = reader.next();
    assert.equal(idle?.kind, 'command');
    assert.equal(reader.inCommand, false);
    const done = reader.nextLine();
    assert.deepEqual(done && done.kind === 'line' ? done.line.toString() : done, 'DONE');
    const next = reader.next();
    assert.equal(next && show(next), 'command b 8: [b NOOP]');
  });

  it('AUTHENTICATE: base64 responses are read as lines, then commands resume', () => {
    const reader = new ImapCommandReader();
    reader.push(b('a AUTHENTICATE PLAIN\r\nAHVzZXIAcGFzcw=='));
    assert.equal(reader.next()?.kind, 'command');
    assert.equal(reader.nextLine(), undefined);
    reader.push(b('\r\nb NOOP\r\n'));
    const line = reader.nextLine();
    assert.equal(line?.kind === 'line' && line.line.toString(), 'AHVzZXIAcGFzcw==');
    assert.equal(show(reader.next()!), 'command b 8: [b NOOP]');
  });

  it('STARTTLS: pipelined bytes are discarded; COMPRESS: the rest is handed over', () => {
    const reader = new ImapCommandReader();
    reader.push(b('a STARTTLS\r\nb LOGIN x y\r\n'));
    assert.equal(reader.next()?.kind, 'command');
    assert.equal(reader.discard(), 13);
    assert.equal(reader.next(), undefined);
    reader.push(b('c COMPRESS DEFLATE\r\n\x78\x9c'));
    assert.equal(reader.next()?.kind, 'command');
    assert.deepEqual(reader.takeRemainder(), Buffer.from([0x78, 0x9c]));
  });

  it('refuses mode switches in the middle of a command', () => {
    const reader = new ImapCommandReader();
    reader.push(b('a LOGIN {3}\r\n'));
    assert.equal(reader.next()?.kind, 'literal-request');
    assert.throws(() => reader.takeRemainder(), /middle of a command/);
    reader.acceptLiteral();
    reader.push(b('abc x\r\n'));
    assert.equal(reader.next()?.kind, 'command');
    assert.equal(reader.takeRemainder().length, 0);
  });

  it('pauses after a literal request until the server decides', () => {
    const reader = new ImapCommandReader();
    reader.push(b('a LOGIN {3}\r\nabc x\r\n'));
    assert.equal(reader.next()?.kind, 'literal-request');
    assert.equal(reader.next(), undefined);
    assert.equal(reader.next(), undefined);
    reader.acceptLiteral();
    assert.equal(show(reader.next()!), 'command a 20: [a LOGIN ]{abc}[ x]');
  });

  it('reports buffered octets for backpressure', () => {
    const reader = new ImapCommandReader();
    reader.push(b('a NOOP\r\nb NOOP\r\n'));
    assert.equal(reader.bufferedOctets, 16);
    reader.next();
    assert.equal(reader.bufferedOctets, 8);
  });
});
