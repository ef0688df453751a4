/**
 * Parses one SMTP command line into a typed command.
 *
 * RFC 5321 §4.1.1 (commands), §4.1.2 (argument syntax), §4.1.4 (verbs are case-insensitive), §4.2.4 (500 for an
 * unknown verb, 502 for an unimplemented one, 501 for bad arguments), §4.1.1.11 and RFC 1869 §6 (555 for unknown
 * MAIL/RCPT parameters); RFC 3207 §4 (STARTTLS takes no parameters); RFC 4954 §4 (AUTH mechanism
 * [initial-response]) and RFC 4422 §3.1 (mechanism names); RFC 3030 §2 (BDAT chunk-size [LAST]); RFC 6531 §3.1
 * (SMTPUTF8 on VRFY/EXPN) and §3.7.1 (EHLO names are ASCII).
 *
 * The server's session decides what is allowed in which state; this module only knows syntax.
 */
import { isUtf8 } from 'node:buffer';
import { accountLimits } from '../../lib/limits.js';
import { SmtpSyntaxError, SyntaxStatus } from './codes.js';
import { parseMailParameters, parseRcptParameters, type MailParameters, type ParameterExtension, type RcptParameters } from './params.js';
import { parseAddressLiteral, parseForwardPath, parseReversePath, scanPath, type ForwardPath, type ReversePath } from './path.js';

/** A parsed command, discriminated by `verb` (upper case). */
export type SmtpCommand =
  | { readonly verb: 'EHLO'; readonly domain: string }
  | { readonly verb: 'HELO'; readonly domain: string }
  | { readonly verb: 'MAIL'; readonly reversePath: ReversePath; readonly params: MailParameters }
  | { readonly verb: 'RCPT'; readonly forwardPath: ForwardPath; readonly params: RcptParameters }
  | { readonly verb: 'DATA' }
  | { readonly verb: 'BDAT'; readonly size: number; readonly last: boolean }
  | { readonly verb: 'RSET' }
  | { readonly verb: 'NOOP' }
  | { readonly verb: 'QUIT' }
  | { readonly verb: 'VRFY'; readonly argument: string; readonly smtputf8: boolean }
  | { readonly verb: 'EXPN'; readonly argument: string; readonly smtputf8: boolean }
  | { readonly verb: 'HELP'; readonly topic: string | undefined }
  | { readonly verb: 'STARTTLS' }
  | { readonly verb: 'AUTH'; readonly mechanism: string; readonly initialResponse: string | undefined };

export type SmtpVerb = SmtpCommand['verb'];

export interface CommandOptions {
  /** The extensions advertised in the EHLO reply; see {@link ParameterOptions.extensions}. Default: all. */
  readonly extensions?: ReadonlySet<ParameterExtension>;
  /** For RCPT: whether the transaction's MAIL FROM carried SMTPUTF8 (RFC 6531 §3.3). */
  readonly smtputf8?: boolean;
}

/** Verbs of RFC 5321 and its extensions that we know but do not implement (RFC 5321 §4.2.4: 502). */
const NOT_IMPLEMENTED: ReadonlySet<string> = new Set(['SEND', 'SOML', 'SAML', 'TURN', 'ETRN', 'ATRN', 'XCLIENT', 'XFORWARD', 'XEXCH50', 'LHLO']);
/** Request methods of HTTP/1.x: a browser or proxy probe talking to the SMTP port. */
const HTTP_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);
/** RFC 4422 §3.1: sasl-mech = 1*20mech-char (we also accept lower case and normalise). */
const SASL_MECH = /^[A-Za-z0-9_-]{1,20}$/;
/** RFC 4954 §4: the initial response is base64 or "=" (an empty response). */
const INITIAL_RESPONSE = /^[A-Za-z0-9+/=]+$/;
/** An EHLO/HELO name: LDH labels, tolerating the underscores and trailing dot of real-world host names. */
const HELO_DOMAIN = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?$/;
/** Controls other than TAB, and DEL (RFC 5321 §4.1.2 String/textstring never include them). */
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;

/**
 * Parses one command line (without its CRLF). Throws {@link SmtpSyntaxError} — and nothing else — carrying the
 * reply to give; `closeConnection` tells the server to hang up (HTTP or TLS spoken to the port, bad BDAT size).
 */
export function parseCommand(line: Buffer | string, options: CommandOptions = {}): SmtpCommand {
  const text = decodeLine(line);
  if (text.trim() === '') throw new SmtpSyntaxError('empty-line', SyntaxStatus.BadLine, 'empty command');
  const space = text.indexOf(' ');
  const word = space < 0 ? text : text.slice(0, space);
  // Trailing spaces are tolerated (some clients send "QUIT "); inner spacing is the grammar's business.
  const args = space < 0 ? '' : text.slice(space + 1).replace(/[ \t]+$/, '');
  if (isHttpRequest(text, word)) throw new SmtpSyntaxError('http-request', SyntaxStatus.UnknownCommand, 'this is an SMTP server', { closeConnection: true });
  // Only ASCII letters: "maıl".toUpperCase() is "MAIL".
  if (!/^[A-Za-z]+$/.test(word)) throw unknownCommand();
  const verb = word.toUpperCase();
  if (NOT_IMPLEMENTED.has(verb)) throw new SmtpSyntaxError('not-implemented', SyntaxStatus.NotImplemented, `${verb} not implemented`);
  if (CONTROL.test(args)) throw new SmtpSyntaxError('bad-characters', SyntaxStatus.BadCharacters, 'control characters in the command');
  switch (verb) {
    case 'EHLO':
    case 'HELO':
      return { verb, domain: parseHeloDomain(verb, args) };
    case 'MAIL':
      return parseMail(args, options);
    case 'RCPT':
      return parseRcpt(args, options);
    case 'BDAT':
      return parseBdat(args);
    case 'DATA':
    case 'RSET':
    case 'QUIT':
    case 'STARTTLS': // RFC 3207 §4: "STARTTLS" takes no parameters (501 otherwise)
      if (args !== '') throw badArguments(`${verb} takes no arguments`);
      return { verb };
    case 'NOOP': // RFC 5321 §4.1.1.9: an argument, if any, is ignored
      return { verb };
    case 'VRFY':
    case 'EXPN':
      return parseVrfyOrExpn(verb, args);
    case 'HELP': // RFC 5321 §4.1.1.8
      return { verb, topic: args === '' ? undefined : args };
    case 'AUTH':
      return parseAuth(args);
    default:
      throw unknownCommand();
  }
}

/**
 * True when the line is the first line of an HTTP request (`GET / HTTP/1.1`, `CONNECT host:443 HTTP/1.1`) or an
 * HTTP header line (`Host: …`). Browsers, proxies and scanners do this; the answer is to hang up.
 */
export function isHttpRequestLine(line: Buffer | string): boolean {
  const text = typeof line === 'string' ? line : line.toString('latin1');
  const space = text.indexOf(' ');
  return isHttpRequest(text, space < 0 ? text : text.slice(0, space));
}

function isHttpRequest(text: string, word: string): boolean {
  if (HTTP_METHODS.has(word.toUpperCase())) return true;
  if (/^HTTP\/\d/i.test(text) || / HTTP\/\d(\.\d)?$/i.test(text)) return true;
  // A header line: no SMTP verb contains a colon.
  return /^[A-Za-z][A-Za-z0-9-]*:/.test(word);
}

function decodeLine(line: Buffer | string): string {
  if (typeof line === 'string') return line;
  // A TLS ClientHello (content type 22, version 3.x) on a plain-text port: the client expected implicit TLS.
  if (line.length >= 2 && line[0] === 0x16 && line[1] === 0x03)
    throw new SmtpSyntaxError('tls-handshake', SyntaxStatus.BadLine, 'TLS handshake on a plain-text port', { closeConnection: true });
  if (!isUtf8(line)) throw new SmtpSyntaxError('bad-encoding', SyntaxStatus.BadLine, 'command is not valid UTF-8');
  return line.toString('utf8');
}

/** RFC 5321 §4.1.1.1: ehlo = "EHLO" SP ( Domain / address-literal ). */
function parseHeloDomain(verb: 'EHLO' | 'HELO', args: string): string {
  const domain = args.trim();
  if (domain === '') throw badArguments(`${verb} needs your host name`);
  if (domain.startsWith('[')) {
    if (!parseAddressLiteral(domain)) throw badArguments(`${verb}: invalid address literal`);
  } else if (domain.length > accountLimits.domainMaxOctets || !HELO_DOMAIN.test(domain)) {
    throw badArguments(`${verb}: invalid host name`);
  }
  return domain;
}

/** RFC 5321 §4.1.1.2: "MAIL FROM:" Reverse-path [SP Mail-parameters]. */
function parseMail(args: string, options: CommandOptions): SmtpCommand {
  const { path, params } = splitPathAndParameters(args, 'FROM:');
  const parsed = parseMailParameters(params, options);
  // RFC 6531 §3.4: SMTPUTF8 on this command allows UTF-8 in its path.
  return { verb: 'MAIL', reversePath: parseReversePath(path, { smtputf8: parsed.smtputf8 }), params: parsed };
}

/** RFC 5321 §4.1.1.3: "RCPT TO:" ( "<Postmaster@" Domain ">" / "<Postmaster>" / Forward-path ) [SP Rcpt-parameters]. */
function parseRcpt(args: string, options: CommandOptions): SmtpCommand {
  const { path, params } = splitPathAndParameters(args, 'TO:');
  const forwardPath = parseForwardPath(path, { smtputf8: options.smtputf8 ?? false });
  return { verb: 'RCPT', forwardPath, params: parseRcptParameters(params, options) };
}

/**
 * Splits `FROM:<path> params` into the path (with its brackets) and the parameter text. Spaces after the colon
 * are tolerated: many clients send `MAIL FROM: <a@b>` although RFC 5321 has no space there.
 */
function splitPathAndParameters(args: string, keyword: 'FROM:' | 'TO:'): { path: string; params: string } {
  if (args.slice(0, keyword.length).toUpperCase() !== keyword)
    throw badArguments(keyword === 'FROM:' ? 'syntax: MAIL FROM:<address>' : 'syntax: RCPT TO:<address>');
  let start = keyword.length;
  while (args[start] === ' ') start++;
  const status = keyword === 'FROM:' ? SyntaxStatus.BadSender : SyntaxStatus.BadRecipient;
  if (args[start] !== '<') throw new SmtpSyntaxError('bad-path', status, 'the address must be enclosed in angle brackets, e.g. <user@example.com>');
  const end = scanPath(args, start);
  if (end < 0) throw new SmtpSyntaxError('bad-path', status, 'unterminated address: missing >');
  const rest = args.slice(end);
  if (rest !== '' && !rest.startsWith(' ')) throw badArguments('a space must separate the address from parameters');
  return { path: args.slice(start, end), params: rest };
}

/** RFC 3030 §2: bdat-cmd = "BDAT" SP chunk-size [ SP end-marker ]; end-marker = "LAST". */
function parseBdat(args: string): SmtpCommand {
  const m = /^(\d{1,15}) *(?: ([A-Za-z]+))?$/.exec(args);
  const marker = m?.[2]?.toUpperCase();
  if (!m || (marker !== undefined && marker !== 'LAST')) {
    // We cannot know how many octets of chunk data follow, so they cannot be skipped: the session must end.
    throw new SmtpSyntaxError('bad-bdat-size', SyntaxStatus.BadArguments, 'syntax: BDAT <size> [LAST]', { closeConnection: true });
  }
  return { verb: 'BDAT', size: Number(m[1]), last: marker === 'LAST' };
}

/** RFC 5321 §4.1.1.6–7, with RFC 6531 §3.1 item 6's SMTPUTF8 parameter. */
function parseVrfyOrExpn(verb: 'VRFY' | 'EXPN', args: string): SmtpCommand {
  let argument = args.trim();
  let smtputf8 = false;
  const m = / +SMTPUTF8$/i.exec(argument);
  if (m) {
    argument = argument.slice(0, m.index);
    smtputf8 = true;
  }
  if (argument === '') throw badArguments(`${verb} needs an argument`);
  return { verb, argument, smtputf8 };
}

/** RFC 4954 §4: "AUTH" SP sasl-mech [SP initial-response]. */
function parseAuth(args: string): SmtpCommand {
  const words = args.split(' ');
  const mechanism = words[0] ?? '';
  if (words.length > 2 || !SASL_MECH.test(mechanism)) throw badArguments('syntax: AUTH <mechanism> [initial-response]');
  const initialResponse = words[1];
  if (initialResponse !== undefined && !INITIAL_RESPONSE.test(initialResponse))
    throw new SmtpSyntaxError('bad-arguments', SyntaxStatus.BadBase64, 'the initial response must be base64');
  return { verb: 'AUTH', mechanism: mechanism.toUpperCase(), initialResponse };
}

function unknownCommand(): SmtpSyntaxError {
  return new SmtpSyntaxError('unknown-command', SyntaxStatus.UnknownCommand, 'command not recognized');
}

function badArguments(message: string): SmtpSyntaxError {
  return new SmtpSyntaxError('bad-arguments', SyntaxStatus.BadArguments, message);
}
