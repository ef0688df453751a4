/**
 * ESMTP parameters of MAIL FROM and RCPT TO.
 *
 * RFC 5321 §4.1.2 (Mail-parameters, esmtp-keyword, esmtp-value) and §4.1.1.11 (555 for unknown parameters),
 * RFC 1869 §6, RFC 1870 (SIZE), RFC 6152 (BODY=8BITMIME), RFC 3030 §3 (BODY=BINARYMIME), RFC 6531 §3.4
 * (SMTPUTF8, which takes no value) and §3.3 (UTF-8 in esmtp-value), RFC 3461 §4 (DSN: RET, ENVID, NOTIFY,
 * ORCPT, and the xtext encoding), RFC 6533 §3 (ORCPT utf-8 address type), RFC 4954 §5 (AUTH=).
 */
import { smtpLimits } from '../../lib/limits.js';
import { SmtpSyntaxError, SyntaxStatus } from './codes.js';

/** The EHLO extensions that bring MAIL/RCPT parameters. */
export type ParameterExtension = 'SIZE' | '8BITMIME' | 'BINARYMIME' | 'SMTPUTF8' | 'DSN' | 'AUTH';

export interface ParameterOptions {
  /**
   * The extensions the server advertised. A parameter of an extension not advertised is refused with 555
   * (RFC 1869 §6). Default: all of them.
   */
  readonly extensions?: ReadonlySet<ParameterExtension>;
  /** RCPT only: whether the transaction's MAIL FROM carried SMTPUTF8 (RFC 6531 §3.3 allows UTF-8 values then). */
  readonly smtputf8?: boolean;
}

/** RFC 6152 / RFC 3030 §3: the body type declared with BODY=. */
export type BodyType = '7BIT' | '8BITMIME' | 'BINARYMIME';

/** RFC 4954 §5: the AUTH= parameter: `<>` means the submitter is unknown. */
export type AuthParameter = { readonly kind: 'unknown' } | { readonly kind: 'mailbox'; readonly mailbox: string };

export interface MailParameters {
  /** RFC 1870: the declared size in octets (values past 2^53 are clamped: any limit refuses them anyway). */
  readonly size?: number;
  readonly body?: BodyType;
  /** RFC 6531 §3.4. */
  readonly smtputf8: boolean;
  /** RFC 3461 §4.3: return the full message or only its headers in a DSN. */
  readonly ret?: 'FULL' | 'HDRS';
  /** RFC 3461 §4.4: the envelope identifier, xtext-decoded. */
  readonly envid?: string;
  readonly auth?: AuthParameter;
}

/** RFC 3461 §4.1: NOTIFY=NEVER, or a set of conditions. */
export type Notify =
  | { readonly kind: 'never' }
  | { readonly kind: 'on'; readonly success: boolean; readonly failure: boolean; readonly delay: boolean };

export interface RcptParameters {
  readonly notify?: Notify;
  /** RFC 3461 §4.2: the original recipient; `address` is decoded (xtext, and `\x{…}` for `utf-8`). */
  readonly orcpt?: { readonly addrType: string; readonly address: string };
}

const ALL_EXTENSIONS: ReadonlySet<ParameterExtension> = new Set(['SIZE', '8BITMIME', 'BINARYMIME', 'SMTPUTF8', 'DSN', 'AUTH']);
/** RFC 5321 §4.1.2 esmtp-keyword. */
const KEYWORD = /^[A-Za-z0-9][A-Za-z0-9-]*$/;
/** RFC 5321 §4.1.2 esmtp-value = 1*(%d33-60 / %d62-126), plus UTF-8 with SMTPUTF8 (RFC 6531 §3.3). */
const VALUE_ASCII = /^[\x21-\x3c\x3e-\x7e]+$/;
const VALUE_UTF8 = /^(?:[\x21-\x3c\x3e-\x7e]|[^\x00-\x7f\p{Cc}])+$/u;
/** RFC 5322 atom, for ORCPT's addr-type. */
const ATOM = /^[A-Za-z0-9!#$%&'*+\-/?^_`{|}~]+$/;
const HEX = '0123456789ABCDEF';

interface RawParameter {
  readonly keyword: string;
  readonly value: string | undefined;
}

/** Parses the parameters after `MAIL FROM:<path>` (the text after the path, possibly empty). */
export function parseMailParameters(text: string, options: ParameterOptions = {}): MailParameters {
  const offered = options.extensions ?? ALL_EXTENSIONS;
  const raw = splitParameters(text);
  // SMTPUTF8 in this same command allows UTF-8 in the other values (RFC 6531 §3.3).
  const smtputf8 = raw.some((p) => p.keyword === 'SMTPUTF8');
  const result: { -readonly [K in keyof MailParameters]: MailParameters[K] } = { smtputf8: false };
  for (const { keyword, value } of raw) {
    checkValueCharacters(keyword, value, smtputf8);
    switch (keyword) {
      case 'SIZE': // RFC 1870 §3: size-value ::= 1*20DIGIT
        need(offered, 'SIZE', keyword);
        if (value === undefined || !/^\d{1,20}$/.test(value)) throw badValue(keyword);
        result.size = Math.min(Number(value), Number.MAX_SAFE_INTEGER);
        break;
      case 'BODY': {
        // RFC 6152 §3 brings BODY=7BIT|8BITMIME; RFC 3030 §3 adds BINARYMIME.
        need(offered, '8BITMIME', keyword);
        const body = value?.toUpperCase();
        if (body !== '7BIT' && body !== '8BITMIME' && body !== 'BINARYMIME') throw badValue(keyword);
        if (body === 'BINARYMIME') need(offered, 'BINARYMIME', keyword);
        result.body = body;
        break;
      }
      case 'SMTPUTF8': // RFC 6531 §3.4: "it MUST not accept a value"
        need(offered, 'SMTPUTF8', keyword);
        if (value !== undefined) throw badValue(keyword);
        result.smtputf8 = true;
        break;
      case 'RET': {
        need(offered, 'DSN', keyword);
        const ret = value?.toUpperCase();
        if (ret !== 'FULL' && ret !== 'HDRS') throw badValue(keyword);
        result.ret = ret;
        break;
      }
      case 'ENVID': // RFC 3461 §4.4: xtext, at most 100 characters
        need(offered, 'DSN', keyword);
        if (value === undefined || value.length > smtpLimits.envidMaxChars) throw badValue(keyword);
        result.envid = decodeOrThrow(value, keyword);
        break;
      case 'AUTH': // RFC 4954 §5: AUTH=<> or AUTH=xtext(mailbox)
        need(offered, 'AUTH', keyword);
        if (value === undefined) throw badValue(keyword);
        result.auth = value === '<>' ? { kind: 'unknown' } : { kind: 'mailbox', mailbox: decodeOrThrow(value, keyword) };
        break;
      default:
        throw unknownParameter(keyword);
    }
  }
  return result;
}

/** Parses the parameters after `RCPT TO:<path>`. */
export function parseRcptParameters(text: string, options: ParameterOptions = {}): RcptParameters {
  const offered = options.extensions ?? ALL_EXTENSIONS;
  const result: { -readonly [K in keyof RcptParameters]: RcptParameters[K] } = {};
  for (const { keyword, value } of splitParameters(text)) {
    checkValueCharacters(keyword, value, options.smtputf8 ?? false);
    switch (keyword) {
      case 'NOTIFY':
        need(offered, 'DSN', keyword);
        result.notify = parseNotify(value);
        break;
      case 'ORCPT':
        need(offered, 'DSN', keyword);
        result.orcpt = parseOrcpt(value);
        break;
      default:
        throw unknownParameter(keyword);
    }
  }
  return result;
}

/**
 * RFC 3461 §4: decodes xtext (`+HH` for an octet; every other character is itself). Hex digits are upper
 * case in the RFC; lower case is accepted. The octets must form UTF-8. Throws a {@link SmtpSyntaxError}.
 */
export function xtextDecode(text: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2b) {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw xtextError();
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (c >= 33 && c <= 126 && c !== 0x3d) {
      bytes.push(c); // xchar: "!" to "~" except "+" and "="
    } else {
      throw xtextError();
    }
  }
  const buf = Buffer.from(bytes);
  const decoded = buf.toString('utf8');
  if (!Buffer.from(decoded, 'utf8').equals(buf)) throw xtextError();
  return decoded;
}

/** RFC 3461 §4: encodes text as xtext (UTF-8 octets; `+`, `=`, controls, space and non-ASCII as `+HH`). */
export function xtextEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    if (byte >= 33 && byte <= 126 && byte !== 0x2b && byte !== 0x3d) out += String.fromCharCode(byte);
    else out += `+${HEX[byte >> 4]}${HEX[byte & 15]}`;
  }
  return out;
}

/** RFC 5321 §4.1.2: Mail-parameters = esmtp-param *(SP esmtp-param); keywords are case-insensitive. */
function splitParameters(text: string): RawParameter[] {
  const params: RawParameter[] = [];
  const seen = new Set<string>();
  for (const word of text.split(' ')) {
    if (word === '') continue; // tolerate runs of spaces
    const eq = word.indexOf('=');
    const keyword = (eq < 0 ? word : word.slice(0, eq)).toUpperCase();
    const value = eq < 0 ? undefined : word.slice(eq + 1);
    if (!KEYWORD.test(keyword)) throw new SmtpSyntaxError('bad-parameter', SyntaxStatus.BadArguments, 'malformed parameter');
    if (seen.has(keyword))
      throw new SmtpSyntaxError('duplicate-parameter', SyntaxStatus.BadArguments, `parameter ${keyword} given twice`);
    seen.add(keyword);
    params.push({ keyword, value });
  }
  return params;
}

function checkValueCharacters(keyword: string, value: string | undefined, utf8: boolean): void {
  if (value !== undefined && !(utf8 ? VALUE_UTF8 : VALUE_ASCII).test(value)) throw badValue(keyword);
}

/** RFC 3461 §4.1: "NEVER" alone, or a comma-separated list of SUCCESS, FAILURE and DELAY. */
function parseNotify(value: string | undefined): Notify {
  if (value === undefined) throw badValue('NOTIFY');
  const items = value.toUpperCase().split(',');
  if (items.length === 1 && items[0] === 'NEVER') return { kind: 'never' };
  const seen = new Set<string>();
  for (const item of items) {
    if ((item !== 'SUCCESS' && item !== 'FAILURE' && item !== 'DELAY') || seen.has(item)) throw badValue('NOTIFY');
    seen.add(item);
  }
  return { kind: 'on', success: seen.has('SUCCESS'), failure: seen.has('FAILURE'), delay: seen.has('DELAY') };
}

/** RFC 3461 §4.2: ORCPT=addr-type ";" xtext, at most 500 characters; RFC 6533 §3 for addr-type utf-8. */
function parseOrcpt(value: string | undefined): { addrType: string; address: string } {
  if (value === undefined || value.length > smtpLimits.orcptMaxChars) throw badValue('ORCPT');
  const semi = value.indexOf(';');
  if (semi < 1 || semi === value.length - 1) throw badValue('ORCPT');
  const addrType = value.slice(0, semi).toLowerCase();
  if (!ATOM.test(addrType)) throw badValue('ORCPT');
  const raw = value.slice(semi + 1);
  if (addrType === 'utf-8') return { addrType, address: decodeUtf8Addr(raw) };
  return { addrType, address: decodeOrThrow(raw, 'ORCPT') };
}

/** RFC 6533 §3: utf-8-addr-xtext / utf-8-addr-unitext: raw UTF-8 or xtext, with `\x{HEX}` for a code point. */
function decodeUtf8Addr(raw: string): string {
  const ascii = /^[\x00-\x7f]*$/.test(raw);
  const text = ascii ? decodeOrThrow(raw, 'ORCPT') : raw;
  return text.replace(/\\x\{([0-9A-Fa-f]{1,6})\}/g, (_match, hex: string) => {
    const cp = parseInt(hex, 16);
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) throw badValue('ORCPT');
    return String.fromCodePoint(cp);
  });
}

function decodeOrThrow(value: string, keyword: string): string {
  try {
    return xtextDecode(value);
  } catch {
    throw badValue(keyword);
  }
}

function need(offered: ReadonlySet<ParameterExtension>, ext: ParameterExtension, keyword: string): void {
  if (!offered.has(ext)) throw unknownParameter(keyword);
}

function unknownParameter(keyword: string): SmtpSyntaxError {
  return new SmtpSyntaxError('unknown-parameter', SyntaxStatus.UnknownParameter, `parameter ${keyword} not supported`);
}

function badValue(keyword: string): SmtpSyntaxError {
  return new SmtpSyntaxError('bad-parameter', SyntaxStatus.BadArguments, `invalid value for parameter ${keyword}`);
}

function xtextError(): SmtpSyntaxError {
  return new SmtpSyntaxError('bad-parameter', SyntaxStatus.BadArguments, 'invalid xtext');
}
