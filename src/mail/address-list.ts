/**
 * Address lists in header fields (From, Sender, To, Cc, Reply-To…), parsed the way RFC 5322 defines them.
 *
 * RFC 5322 §3.2.2 (CFWS: comments nest, `\` quotes one character), §3.2.3 (atoms, dot-atoms, specials),
 * §3.2.4 (quoted strings), §3.2.5 (phrases), §3.4 (address, mailbox, name-addr, angle-addr, group,
 * mailbox-list, address-list), §3.4.1 (addr-spec, domain literals), §4.1 (obs-phrase: a "." between words),
 * §4.4 (obs-angle-addr with a route `<@a,@b:x@y>`, obs-mbox-list and obs-addr-list with empty elements,
 * obs-local-part and obs-domain with CFWS around the dots, obs-group-list); RFC 6532 §3.2 (UTF-8 in atoms,
 * quoted strings and comments); RFC 2047 §5 (encoded words in phrases and comments).
 *
 * The parser returns a result and never throws. It is deliberately stricter than RFC 5322 §4 in one way:
 * control characters (obs-NO-WS-CTL, C1 controls) are refused everywhere, because no client shows them and
 * display tricks (Mailsploit, 2017) used them to hide part of an address.
 */
import { decodeEncodedWords, hasEncodedWords } from './encoded-words.js';

/** One word of a display name or group name as written. */
export interface PhraseWord {
  kind: 'atom' | 'quoted' | 'dot';
  /** The word's text: atom as written, quoted string without quotes and backslashes. */
  text: string;
  /** `text` after RFC 2047 decoding (also inside quoted strings, as clients do). */
  decoded: string;
  /** True when the word held an encoded word. */
  encoded: boolean;
  /** True when white space or a comment came before the word. */
  spaceBefore: boolean;
}

export interface Comment {
  /** The comment's text without the outer parentheses and backslashes. */
  text: string;
  decoded: string;
  encoded: boolean;
}

export interface Mailbox {
  /** The display name, RFC 2047 decoded; '' when there is none. */
  name: string;
  nameWords: PhraseWord[];
  /** The address as a client uses it: `local@domain`, without CFWS, local part quoted only when it must be. */
  address: string;
  /** The local part's value (unquoted, unescaped). */
  localPart: string;
  /** The domain as written (without CFWS), or a domain literal with its brackets. */
  domain: string;
  /** True when written as `<…>` (name-addr or bare angle-addr). */
  angle: boolean;
  /** True when the local part was written with a quoted string. */
  quotedLocal: boolean;
  /** Comments anywhere in the mailbox, in order. */
  comments: Comment[];
}

export type AddressEntry =
  | { kind: 'mailbox'; mailbox: Mailbox }
  | { kind: 'group'; name: string; nameWords: PhraseWord[]; mailboxes: Mailbox[]; comments: Comment[] };

export type AddressListResult =
  | { ok: true; entries: AddressEntry[] }
  | { ok: false; /** A description of the problem that is safe to show the client. */ error: string };

/** Every mailbox of a list, including those inside groups. */
export function allMailboxes(entries: readonly AddressEntry[]): Mailbox[] {
  return entries.flatMap((e) => (e.kind === 'mailbox' ? [e.mailbox] : e.mailboxes));
}

// ---------------------------------------------------------------- tokens (RFC 5322 §3.2)

type Special = '<' | '>' | '@' | ',' | ';' | ':' | '.';

/** Every token carries the comments before it and whether white space or a comment preceded it. */
interface Spacing {
  comments: Comment[];
  ws: boolean;
}

type Token =
  | ({ t: 'atom'; text: string } & Spacing)
  | ({ t: 'quoted'; text: string } & Spacing)
  | ({ t: 'literal'; text: string } & Spacing)
  | ({ t: 'special'; ch: Special } & Spacing)
  | ({ t: 'end' } & Spacing);

class AddressSyntax {
  constructor(readonly message: string) {}
}

/** RFC 5322 §3.2.3 atext, plus any non-ASCII character (RFC 6532 §3.2). */
function isAtext(c: string): boolean {
  return /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]$/.test(c) || (c.codePointAt(0)! >= 0xa0);
}

/** C0 controls other than HTAB, DEL, C1 controls. */
function isControl(c: string): boolean {
  const cp = c.codePointAt(0)!;
  return (cp < 0x20 && cp !== 0x09) || (cp >= 0x7f && cp < 0xa0);
}

function describeChar(c: string): string {
  const cp = c.codePointAt(0)!;
  return cp > 0x20 && cp < 0x7f ? `"${c}"` : `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}

function makeComment(text: string): Comment {
  const encoded = hasEncodedWords(text);
  return { text, decoded: encoded ? decodeEncodedWords(text) : text, encoded };
}

/** Splits a field value into tokens; comments attach to the token that follows them. */
function tokenize(input: string): Token[] {
  const chars = [...input];
  const tokens: Token[] = [];
  let comments: Comment[] = [];
  let ws = false;
  let i = 0;
  const push = (tok: { t: 'atom' | 'quoted' | 'literal'; text: string } | { t: 'special'; ch: Special } | { t: 'end' }): void => {
    tokens.push({ ...tok, comments, ws });
    comments = [];
    ws = false;
  };
  while (i < chars.length) {
    const c = chars[i]!;
    if (c === ' ' || c === '\t') {
      ws = true;
      i++;
    } else if (isControl(c)) {
      throw new AddressSyntax(`the control character ${describeChar(c)} is not allowed`);
    } else if (c === '(') {
      // RFC 5322 §3.2.2: comments nest; counted, not recursed, so depth costs nothing.
      let depth = 1;
      let text = '';
      i++;
      while (depth > 0) {
        const d = chars[i];
        if (d === undefined) throw new AddressSyntax('a comment "(" is not closed');
        if (isControl(d)) throw new AddressSyntax(`the control character ${describeChar(d)} is not allowed`);
        if (d === '\\') {
          const q = chars[i + 1];
          if (q === undefined) throw new AddressSyntax('a comment "(" is not closed');
          if (isControl(q)) throw new AddressSyntax(`the control character ${describeChar(q)} is not allowed`);
          text += q;
          i += 2;
          continue;
        }
        if (d === '(') depth++;
        if (d === ')') depth--;
        if (depth > 0) text += d;
        i++;
      }
      comments.push(makeComment(text));
      ws = true;
    } else if (c === '"') {
      let text = '';
      i++;
      for (;;) {
        const d = chars[i];
        if (d === undefined) throw new AddressSyntax('a quoted string is not closed');
        if (isControl(d)) throw new AddressSyntax(`the control character ${describeChar(d)} is not allowed`);
        if (d === '"') break;
        if (d === '\\') {
          const q = chars[i + 1];
          if (q === undefined) throw new AddressSyntax('a quoted string is not closed');
          if (isControl(q)) throw new AddressSyntax(`the control character ${describeChar(q)} is not allowed`);
          text += q;
          i += 2;
          continue;
        }
        text += d;
        i++;
      }
      i++;
      push({ t: 'quoted', text });
    } else if (c === '[') {
      // RFC 5322 §3.4.1 domain-literal: dtext and FWS (obs-dtext allows quoted-pairs).
      let text = '[';
      i++;
      for (;;) {
        const d = chars[i];
        if (d === undefined) throw new AddressSyntax('a domain literal "[" is not closed');
        if (isControl(d)) throw new AddressSyntax(`the control character ${describeChar(d)} is not allowed`);
        if (d === '[' || d === '\\') throw new AddressSyntax(`${describeChar(d)} is not allowed in a domain literal`);
        i++;
        if (d === ' ' || d === '\t') continue;
        text += d;
        if (d === ']') break;
      }
      push({ t: 'literal', text });
    } else if ('<>@,;:.'.includes(c)) {
      push({ t: 'special', ch: c as Special });
      i++;
    } else if (isAtext(c)) {
      let text = '';
      while (i < chars.length && isAtext(chars[i]!)) text += chars[i++];
      push({ t: 'atom', text });
    } else {
      throw new AddressSyntax(`${describeChar(c)} is not allowed here`);
    }
  }
  push({ t: 'end' });
  return tokens;
}

// ---------------------------------------------------------------- grammar (RFC 5322 §3.4, §4.4)

class Parser {
  private pos = 0;
  /** Comments seen since the current mailbox or group began. */
  private comments: Comment[] = [];

  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.pos]!;
  }

  private take(): Token {
    const tok = this.tokens[this.pos]!;
    this.comments.push(...tok.comments);
    if (tok.t !== 'end') this.pos++;
    return tok;
  }

  private isSpecial(tok: Token, ch: Special): boolean {
    return tok.t === 'special' && tok.ch === ch;
  }

  private expect(ch: Special, what: string): void {
    const tok = this.take();
    if (!this.isSpecial(tok, ch)) throw new AddressSyntax(`expected ${what} but found ${describeToken(tok)}`);
  }

  /** address-list, with obs-addr-list's empty elements. */
  addressList(): AddressEntry[] {
    const entries: AddressEntry[] = [];
    for (;;) {
      const tok = this.peek();
      if (tok.t === 'end') {
        this.take(); // comments at the very end belong to the last entry
        attachComments(entries.at(-1), this.comments);
        return entries;
      }
      if (this.isSpecial(tok, ',')) {
        this.take();
        this.comments = [];
        continue;
      }
      this.comments = [];
      const entry = this.address();
      // Comments before the separator still belong to this entry.
      const next = this.peek();
      this.comments.push(...next.comments);
      next.comments = [];
      attachComments(entry, this.comments);
      entries.push(entry);
      const sep = this.peek();
      if (!this.isSpecial(sep, ',') && sep.t !== 'end') {
        throw new AddressSyntax(`expected "," between addresses but found ${describeToken(sep)}`);
      }
    }
  }

  /** address = mailbox / group. */
  private address(): AddressEntry {
    const words = this.phraseish();
    const tok = this.peek();
    if (this.isSpecial(tok, ':')) {
      if (!words.some((w) => w.kind !== 'dot')) throw new AddressSyntax('a group needs a name before ":"');
      this.take();
      return this.group(words);
    }
    return { kind: 'mailbox', mailbox: this.mailboxAfter(words) };
  }

  /** group = display-name ":" [group-list] ";" — nested groups are not allowed (RFC 5322 §3.4). */
  private group(nameWords: PhraseWord[]): AddressEntry {
    const mailboxes: Mailbox[] = [];
    for (;;) {
      const tok = this.peek();
      if (this.isSpecial(tok, ';')) {
        this.take();
        break;
      }
      if (tok.t === 'end') throw new AddressSyntax('a group is not closed with ";"');
      if (this.isSpecial(tok, ',')) {
        this.take();
        continue;
      }
      const saved = this.comments;
      this.comments = [];
      const words = this.phraseish();
      if (this.isSpecial(this.peek(), ':')) throw new AddressSyntax('a group cannot contain another group');
      const mailbox = this.mailboxAfter(words);
      const next = this.peek();
      this.comments.push(...next.comments);
      next.comments = [];
      mailbox.comments = [...this.comments];
      mailboxes.push(mailbox);
      this.comments = saved;
      const sep = this.peek();
      if (sep.t === 'end') throw new AddressSyntax('a group is not closed with ";"');
      if (!this.isSpecial(sep, ',') && !this.isSpecial(sep, ';')) {
        throw new AddressSyntax(`expected "," or ";" in a group but found ${describeToken(sep)}`);
      }
    }
    const name = phraseText(nameWords);
    return { kind: 'group', name, nameWords, mailboxes, comments: [] };
  }

  /** Words, quoted strings and dots: a display name (obs-phrase allows dots) or the local part of an addr-spec. */
  private phraseish(): PhraseWord[] {
    const words: PhraseWord[] = [];
    for (;;) {
      const tok = this.peek();
      if (tok.t === 'atom' || tok.t === 'quoted') {
        this.take();
        const encoded = hasEncodedWords(tok.text);
        const decoded = encoded ? decodeEncodedWords(tok.text) : tok.text;
        words.push({ kind: tok.t, text: tok.text, decoded, encoded, spaceBefore: tok.ws });
      } else if (this.isSpecial(tok, '.')) {
        this.take();
        words.push({ kind: 'dot', text: '.', decoded: '.', encoded: false, spaceBefore: tok.ws });
      } else {
        return words;
      }
    }
  }

  /** mailbox = name-addr / addr-spec, given the words read so far. */
  private mailboxAfter(words: PhraseWord[]): Mailbox {
    const tok = this.peek();
    if (this.isSpecial(tok, '<')) {
      if (words.length > 0 && words[0]!.kind === 'dot') throw new AddressSyntax('a display name cannot start with "."');
      this.take();
      this.route();
      const local = this.localPart(this.phraseish());
      this.expect('@', '"@" in the address');
      const domain = this.domain();
      this.expect('>', '">" to close the address');
      return { ...mailboxParts(local, domain), name: phraseText(words), nameWords: words, angle: true, comments: [] };
    }
    if (this.isSpecial(tok, '@')) {
      const local = this.localPart(words);
      this.take();
      const domain = this.domain();
      return { ...mailboxParts(local, domain), name: '', nameWords: [], angle: false, comments: [] };
    }
    if (words.length === 0) throw new AddressSyntax(`expected an address but found ${describeToken(tok)}`);
    if (tok.t === 'end' || this.isSpecial(tok, ',') || this.isSpecial(tok, ';')) {
      throw new AddressSyntax(`"${truncate(phraseText(words))}" is not an address (no "@")`);
    }
    throw new AddressSyntax(`expected "<" or "@" but found ${describeToken(tok)}`);
  }

  /** obs-route = obs-domain-list ":" — `<@relay1,@relay2:user@host>`; read and dropped (RFC 5322 §4.4). */
  private route(): void {
    if (!this.isSpecial(this.peek(), '@') && !this.isSpecial(this.peek(), ',')) return;
    for (;;) {
      const tok = this.peek();
      if (this.isSpecial(tok, ',')) {
        this.take();
      } else if (this.isSpecial(tok, '@')) {
        this.take();
        this.domain();
      } else if (this.isSpecial(tok, ':')) {
        this.take();
        return;
      } else {
        throw new AddressSyntax(`expected ":" after a source route but found ${describeToken(tok)}`);
      }
    }
  }

  /** local-part = dot-atom / quoted-string / obs-local-part (word *("." word)). */
  private localPart(words: PhraseWord[]): { value: string; quoted: boolean } {
    if (words.length === 0) throw new AddressSyntax('the part before "@" is empty');
    let value = '';
    let quoted = false;
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      const wantWord = i % 2 === 0;
      if (wantWord !== (w.kind !== 'dot')) {
        throw new AddressSyntax(
          w.kind === 'dot'
            ? 'the part before "@" has a misplaced "."'
            : `"${truncate(phraseText(words))}" is not an address: words before "@" need a "." between them, or the address needs "<" and ">"`,
        );
      }
      if (w.kind === 'quoted') quoted = true;
      value += w.text;
    }
    if (words.at(-1)!.kind === 'dot') throw new AddressSyntax('the part before "@" ends with "."');
    return { value, quoted };
  }

  /** domain = dot-atom / domain-literal / obs-domain (atom *("." atom), CFWS allowed around the dots). */
  private domain(): string {
    const first = this.take();
    if (first.t === 'literal') return first.text;
    if (first.t !== 'atom') throw new AddressSyntax(`expected a domain after "@" but found ${describeToken(first)}`);
    let domain = first.text;
    while (this.isSpecial(this.peek(), '.')) {
      this.take();
      const next = this.take();
      if (next.t !== 'atom') throw new AddressSyntax(`expected a domain label after "." but found ${describeToken(next)}`);
      domain += `.${next.text}`;
    }
    return domain;
  }
}

function attachComments(entry: AddressEntry | undefined, comments: Comment[]): void {
  if (!entry || comments.length === 0) return;
  const target = entry.kind === 'mailbox' ? entry.mailbox.comments : entry.comments;
  for (const c of comments) if (!target.includes(c)) target.push(c);
}

const DOT_ATOM = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u00a0-\u{10ffff}]+(?:\.[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u00a0-\u{10ffff}]+)*$/u;

function mailboxParts(local: { value: string; quoted: boolean }, domain: string): Pick<Mailbox, 'address' | 'localPart' | 'domain' | 'quotedLocal'> {
  // RFC 5321 §4.1.2: "a"@x and a@x are the same mailbox; quote only what a dot-atom cannot hold.
  const written = DOT_ATOM.test(local.value) ? local.value : `"${local.value.replace(/(["\\])/g, '\\$1')}"`;
  return { address: `${written}@${domain}`, localPart: local.value, domain, quotedLocal: local.quoted };
}

/** The display text of a phrase: words separated by one space, adjacent encoded words joined (RFC 2047 §6.2). */
export function phraseText(words: readonly PhraseWord[]): string {
  let out = '';
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const prev = words[i - 1];
    const adjacentEncoded = prev?.encoded && w.encoded && prev.kind === 'atom' && w.kind === 'atom';
    const space = prev !== undefined && !adjacentEncoded && (w.spaceBefore || (prev.kind !== 'dot' && w.kind !== 'dot'));
    out += (space ? ' ' : '') + w.decoded;
  }
  return out;
}

function describeToken(tok: Token): string {
  switch (tok.t) {
    case 'end':
      return 'the end of the field';
    case 'special':
      return `"${tok.ch}"`;
    case 'quoted':
      return `the quoted string "${truncate(tok.text)}"`;
    default:
      return `"${truncate(tok.text)}"`;
  }
}

function truncate(s: string, max = 60): string {
  const chars = [...s];
  return chars.length > max ? `${chars.slice(0, max).join('')}...` : s;
}

/** Parses an address-list field value (unfolded); never throws. */
export function parseAddressList(value: string): AddressListResult {
  try {
    const parser = new Parser(tokenize(value));
    return { ok: true, entries: parser.addressList() };
  } catch (e) {
    if (e instanceof AddressSyntax) return { ok: false, error: e.message };
    throw e;
  }
}
