import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isHttpRequestLine, parseCommand, type CommandOptions, type SmtpCommand } from '../../../src/protocol/smtp/command.js';
import { SmtpSyntaxError } from '../../../src/protocol/smtp/codes.js';

/** Parses and returns either the command or the error's reply, reason and close flag. */
function attempt(line: string | Buffer, options?: CommandOptions): SmtpCommand | { error: string; code: string; close: boolean } {
  try {
    return parseCommand(line, options);
  } catch (e) {
    assert.ok(e instanceof SmtpSyntaxError, `unexpected ${String(e)}`);
    return { error: `${e.status.code} ${e.status.enhanced}`, code: e.code, close: e.closeConnection };
  }
}

const mailbox = (local: string, domain: string) => ({
  localPart: local,
  domain: { kind: 'name' as const, name: domain, ascii: domain.toLowerCase() },
  address: `${local}@${domain}`,
  utf8: false,
});

describe('parseCommand: good commands', () => {
  const cases: ReadonlyArray<[string, SmtpCommand]> = [
    ['EHLO client.example.com', { verb: 'EHLO', domain: 'client.example.com' }],
    ['ehlo [192.0.2.1]', { verb: 'EHLO', domain: '[192.0.2.1]' }],
    ['EHLO [IPv6:2001:db8::1]', { verb: 'EHLO', domain: '[IPv6:2001:db8::1]' }],
    ['EHLO DESKTOP_AB12', { verb: 'EHLO', domain: 'DESKTOP_AB12' }],
    ['EHLO mail.example.com.', { verb: 'EHLO', domain: 'mail.example.com.' }],
    ['HeLo localhost', { verb: 'HELO', domain: 'localhost' }],
    ['MAIL FROM:<a@example.com>', { verb: 'MAIL', reversePath: { kind: 'mailbox', mailbox: mailbox('a', 'example.com') }, params: { smtputf8: false } }],
    ['mail from:<a@example.com>', { verb: 'MAIL', reversePath: { kind: 'mailbox', mailbox: mailbox('a', 'example.com') }, params: { smtputf8: false } }],
    ['MAIL FROM: <a@example.com>', { verb: 'MAIL', reversePath: { kind: 'mailbox', mailbox: mailbox('a', 'example.com') }, params: { smtputf8: false } }],
    ['MAIL FROM:<>', { verb: 'MAIL', reversePath: { kind: 'null' }, params: { smtputf8: false } }],
    ['MAIL FROM:<> SIZE=0', { verb: 'MAIL', reversePath: { kind: 'null' }, params: { smtputf8: false, size: 0 } }],
    [
      'MAIL FROM:<a@b.example>  SIZE=1000 body=8bitmime RET=HDRS ENVID=QQ+2B1 AUTH=<> ',
      {
        verb: 'MAIL',
        reversePath: { kind: 'mailbox', mailbox: mailbox('a', 'b.example') },
        params: { smtputf8: false, size: 1000, body: '8BITMIME', ret: 'HDRS', envid: 'QQ+1', auth: { kind: 'unknown' } },
      },
    ],
    ['RCPT TO:<Postmaster>', { verb: 'RCPT', forwardPath: { kind: 'postmaster' }, params: {} }],
    ['rcpt to:<POSTMASTER>', { verb: 'RCPT', forwardPath: { kind: 'postmaster' }, params: {} }],
    ['RCPT TO:<postmaster@example.com>', { verb: 'RCPT', forwardPath: { kind: 'mailbox', mailbox: mailbox('postmaster', 'example.com') }, params: {} }],
    ['RCPT TO:<@a.example,@b.example:u@c.example>', { verb: 'RCPT', forwardPath: { kind: 'mailbox', mailbox: mailbox('u', 'c.example') }, params: {} }],
    ['RCPT TO:<u@c.example> NOTIFY=never', { verb: 'RCPT', forwardPath: { kind: 'mailbox', mailbox: mailbox('u', 'c.example') }, params: { notify: { kind: 'never' } } }],
    ['DATA', { verb: 'DATA' }],
    ['data', { verb: 'DATA' }],
    ['QUIT ', { verb: 'QUIT' }],
    ['RSET', { verb: 'RSET' }],
    ['NOOP', { verb: 'NOOP' }],
    ['NOOP anything at all', { verb: 'NOOP' }],
    ['STARTTLS', { verb: 'STARTTLS' }],
    ['HELP', { verb: 'HELP', topic: undefined }],
    ['HELP MAIL', { verb: 'HELP', topic: 'MAIL' }],
    ['VRFY postmaster', { verb: 'VRFY', argument: 'postmaster', smtputf8: false }],
    ['EXPN list SMTPUTF8', { verb: 'EXPN', argument: 'list', smtputf8: true }],
    ['BDAT 0 LAST', { verb: 'BDAT', size: 0, last: true }],
    ['bdat 1000 last', { verb: 'BDAT', size: 1000, last: true }],
    ['BDAT 65536', { verb: 'BDAT', size: 65536, last: false }],
    ['AUTH PLAIN', { verb: 'AUTH', mechanism: 'PLAIN', initialResponse: undefined }],
    ['auth login =', { verb: 'AUTH', mechanism: 'LOGIN', initialResponse: '=' }],
    ['AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=', { verb: 'AUTH', mechanism: 'PLAIN', initialResponse: 'dGVzdAB0ZXN0ADEyMzQ=' }],
  ];
  for (const [line, expected] of cases) {
    it(JSON.stringify(line), () => assert.deepEqual(attempt(line), expected));
  }

  it('accepts UTF-8 in RCPT when the transaction has SMTPUTF8', () => {
    const cmd = parseCommand(Buffer.from('RCPT TO:<jö@bücher.example>'), { smtputf8: true });
    assert.ok(cmd.verb === 'RCPT' && cmd.forwardPath.kind === 'mailbox');
    assert.equal(cmd.forwardPath.mailbox.utf8, true);
    assert.equal(cmd.forwardPath.mailbox.domain.kind === 'name' && cmd.forwardPath.mailbox.domain.ascii, 'xn--bcher-kva.example');
  });

  it('accepts UTF-8 in MAIL when the same command carries SMTPUTF8', () => {
    const cmd = parseCommand(Buffer.from('MAIL FROM:<jö@bücher.example> SMTPUTF8 BODY=8BITMIME'));
    assert.ok(cmd.verb === 'MAIL' && cmd.reversePath.kind === 'mailbox');
    assert.equal(cmd.reversePath.mailbox.address, 'jö@bücher.example');
    assert.equal(cmd.params.smtputf8, true);
  });
});

describe('parseCommand: bad commands and their replies', () => {
  const cases: ReadonlyArray<[string | Buffer, string, string?]> = [
    ['', '500 5.5.2', 'empty-line'],
    ['   ', '500 5.5.2', 'empty-line'],
    ['FOO', '500 5.5.1', 'unknown-command'],
    ['MAILX FROM:<a@b.c>', '500 5.5.1', 'unknown-command'],
    ['M4IL FROM:<a@b.c>', '500 5.5.1', 'unknown-command'],
    [' MAIL FROM:<a@b.c>', '500 5.5.1', 'unknown-command'],
    ['maıl FROM:<a@b.c>', '500 5.5.1', 'unknown-command'], // dotless i upper-cases to I
    ['TURN', '502 5.5.1', 'not-implemented'],
    ['EHLO', '501 5.5.4', 'bad-arguments'],
    ['EHLO a b', '501 5.5.4', 'bad-arguments'],
    ['EHLO [999.0.0.1]', '501 5.5.4', 'bad-arguments'],
    ['EHLO bücher.example', '501 5.5.4', 'bad-arguments'],
    ['EHLO -bad-', '501 5.5.4', 'bad-arguments'],
    ['MAIL', '501 5.5.4', 'bad-arguments'],
    ['MAIL TO:<a@b.c>', '501 5.5.4', 'bad-arguments'],
    ['MAIL FROM:a@b.c', '501 5.1.7', 'bad-path'],
    ['MAIL FROM:<a@b.c', '501 5.1.7', 'bad-path'],
    ['MAIL FROM:<a@b.c>SIZE=1', '501 5.5.4', 'bad-arguments'],
    ['MAIL FROM:<a@b.c> SIZE=abc', '501 5.5.4', 'bad-parameter'],
    ['MAIL FROM:<a@b.c> SIZE=1 size=2', '501 5.5.4', 'duplicate-parameter'],
    ['MAIL FROM:<a@b.c> XYZ=1', '555 5.5.4', 'unknown-parameter'],
    ['MAIL FROM:<a@b.c> BODY=9BIT', '501 5.5.4', 'bad-parameter'],
    ['MAIL FROM:<a@b.c> SMTPUTF8=yes', '501 5.5.4', 'bad-parameter'],
    ['MAIL FROM:<a..b@c.example>', '501 5.1.7', 'bad-path'],
    ['MAIL FROM:<Postmaster>', '501 5.1.7', 'bad-path'],
    ['MAIL FROM:<ü@b.example>', '550 5.6.7', 'non-ascii-address'],
    ['RCPT TO:<ü@b.example>', '553 5.6.7', 'non-ascii-address'],
    ['RCPT TO:<a@bücher.example>', '553 5.6.7', 'non-ascii-address'],
    ['RCPT TO:<>', '501 5.1.3', 'bad-path'],
    ['RCPT TO:a@b.c', '501 5.1.3', 'bad-path'],
    ['RCPT FROM:<a@b.c>', '501 5.5.4', 'bad-arguments'],
    ['RCPT TO:<a@b.c> NOTIFY=NEVER,SUCCESS', '501 5.5.4', 'bad-parameter'],
    ['RCPT TO:<a@b.c> RET=FULL', '555 5.5.4', 'unknown-parameter'],
    ['DATA x', '501 5.5.4', 'bad-arguments'],
    ['STARTTLS now', '501 5.5.4', 'bad-arguments'],
    ['QUIT now', '501 5.5.4', 'bad-arguments'],
    ['VRFY', '501 5.5.4', 'bad-arguments'],
    ['AUTH', '501 5.5.4', 'bad-arguments'],
    ['AUTH PLAIN a b', '501 5.5.4', 'bad-arguments'],
    ['AUTH PL@IN', '501 5.5.4', 'bad-arguments'],
    ['AUTH ABCDEFGHIJKLMNOPQRSTU', '501 5.5.4', 'bad-arguments'],
    ['AUTH PLAIN ab$c', '501 5.5.2', 'bad-arguments'],
    ['MAIL FROM:<a@b.c>\x00', '501 5.5.2', 'bad-characters'],
    ['NOOP \r', '501 5.5.2', 'bad-characters'],
    [Buffer.from([0x4d, 0x41, 0x49, 0x4c, 0x20, 0xff, 0xfe]), '500 5.5.2', 'bad-encoding'],
  ];
  for (const [line, reply, reason] of cases) {
    it(`${JSON.stringify(line.toString())} → ${reply}`, () => {
      const result = attempt(line);
      assert.ok('error' in result, `parsed as ${JSON.stringify(result)}`);
      assert.equal(result.error, reply);
      if (reason) assert.equal(result.code, reason);
      assert.equal(result.close, false);
    });
  }

  it('asks to hang up on a BDAT whose size is unknown (its data cannot be skipped)', () => {
    for (const line of ['BDAT', 'BDAT x', 'BDAT 10 FIRST', 'BDAT 9999999999999999', 'BDAT -1', 'BDAT 10LAST']) {
      assert.deepEqual(attempt(line), { error: '501 5.5.4', code: 'bad-bdat-size', close: true }, line);
    }
  });

  it('refuses parameters of extensions that were not advertised (555, RFC 1869 §6)', () => {
    const options = { extensions: new Set(['8BITMIME'] as const) };
    assert.deepEqual(attempt('MAIL FROM:<a@b.c> SIZE=10', options), { error: '555 5.5.4', code: 'unknown-parameter', close: false });
    assert.deepEqual(attempt('MAIL FROM:<a@b.c> BODY=BINARYMIME', options), { error: '555 5.5.4', code: 'unknown-parameter', close: false });
    assert.deepEqual(attempt('MAIL FROM:<a@b.c> SMTPUTF8', options), { error: '555 5.5.4', code: 'unknown-parameter', close: false });
    assert.deepEqual(attempt('RCPT TO:<a@b.c> NOTIFY=NEVER', options), { error: '555 5.5.4', code: 'unknown-parameter', close: false });
    assert.equal((attempt('MAIL FROM:<a@b.c> BODY=8BITMIME', options) as SmtpCommand).verb, 'MAIL');
  });
});

describe('parseCommand: a client speaking HTTP or TLS to the SMTP port', () => {
  const http = [
    'GET / HTTP/1.1',
    'POST /submit HTTP/1.0',
    'CONNECT smtp.example.com:25 HTTP/1.1',
    'HEAD / HTTP/1.1',
    'get /',
    'Host: mail.example.com',
    'User-Agent: curl/8.5.0',
    'OPTIONS * HTTP/1.1',
  ];
  for (const line of http) {
    it(JSON.stringify(line), () => {
      assert.deepEqual(attempt(line), { error: '500 5.5.1', code: 'http-request', close: true });
      assert.equal(isHttpRequestLine(line), true);
    });
  }
  it('does not mistake SMTP for HTTP', () => {
    for (const line of ['MAIL FROM:<a@b.c>', 'EHLO host', 'HELP', 'RCPT TO:<get@b.c>']) assert.equal(isHttpRequestLine(line), false, line);
  });
  it('recognises a TLS ClientHello', () => {
    const hello = Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]);
    assert.deepEqual(attempt(hello), { error: '500 5.5.2', code: 'tls-handshake', close: true });
  });
});

describe('parseCommand: properties', () => {
  const tokens = fc.constantFrom(
    'MAIL', 'RCPT', 'EHLO', 'AUTH', 'BDAT', 'VRFY', 'GET', ' ', ' ', 'FROM:', 'TO:', '<', '>', '@', '"', '\\', '.', ',', ':',
    '[', ']', 'IPv6:', '::1', 'SIZE=', 'BODY=', 'NOTIFY=', 'ORCPT=', 'rfc822;', 'SMTPUTF8', 'ENVID=', 'AUTH=', '+2B', '=',
    'a', 'b.example', 'é', 'ü', '0', '99', 'LAST', '\x00', '\t', '\uD800',
  );

  it('random token soup only ever yields a command or an SmtpSyntaxError', () => {
    fc.assert(
      fc.property(fc.array(tokens, { maxLength: 24 }), fc.boolean(), (parts, utf8) => {
        const line = parts.join('');
        for (const input of [line, Buffer.from(line)]) {
          try {
            parseCommand(input, { smtputf8: utf8 });
          } catch (e) {
            if (!(e instanceof SmtpSyntaxError)) throw e;
          }
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('random bytes and strings only ever yield a command or an SmtpSyntaxError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)), fc.string({ unit: 'binary', maxLength: 200 })), (input) => {
        try {
          parseCommand(input);
        } catch (e) {
          if (!(e instanceof SmtpSyntaxError)) throw e;
        }
      }),
      { numRuns: 3000 },
    );
  });
});
