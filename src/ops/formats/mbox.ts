/**
 * The mbox format, sans I/O: splitting a file into messages at its From_ lines, undoing the From_ quoting, reading
 * the flags mail programs keep in Status/X-Status/X-Keywords, and writing messages back as mboxrd.
 *
 * Variants (https://www.loc.gov/preservation/digital/formats/fdd/fdd000383.shtml, and RFC 4155 for the media type):
 * - mboxo: a body line starting `From ` is written `>From `; reading takes one `>` off `>From ` only.
 * - mboxrd: any line matching `^>*From ` gets one more `>`; reading takes one off every such line, so it round trips.
 * mutt writes mboxo-style quoting (it only quotes `From `), which mboxrd reading also undoes; the two differ only on
 * a body line that already began with `>From `, so mboxrd is the default and mboxo a choice.
 */
export type MboxVariant = 'mboxrd' | 'mboxo';

export interface MboxMessage {
  /** The message with CRLF line endings, quoting undone and the mbox-only status headers removed. */
  raw: Buffer;
  flags: string[];
  /** From the From_ line's asctime date (UTC), or null when it has none we can read. */
  date: number | null;
  /** The envelope sender on the From_ line. */
  sender: string;
}

/** Headers that only record mbox state (Dovecot and mutt write them); they are not part of the message. */
const STATE_HEADERS = /^(status|x-status|x-keywords|x-uid|x-imap|x-imapbase|content-length):/i;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
/** `From sender Sat Nov 28 23:58:54 2026` (ctime; some writers add a zone before the year, or omit the seconds). */
const FROM_DATE = /(?:Sun|Mon|Tue|Wed|Thu|Fri|Sat) +(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +(\d{1,2}) +(\d{1,2}):(\d\d)(?::(\d\d))?(?: +[A-Z]{2,5}| +[+-]\d{4})? +(\d{4})/;

export function parseFromLineDate(line: string): number | null {
  const m = FROM_DATE.exec(line);
  if (!m) return null;
  return Date.UTC(Number(m[6]), MONTHS.indexOf(m[1]!), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5] ?? 0));
}

/**
 * Splits mbox bytes into messages. A From_ line starts a message at the start of the file or after an empty line.
 * mutt (and mboxcl writers) add a Content-Length header and leave body lines starting "From " unquoted: when the
 * length lands exactly at the end of the file or at the next From_ line, it delimits the body (which is then not
 * unquoted); otherwise it is ignored, as it often is wrong after an edit.
 */
export function* splitMbox(data: Buffer, variant: MboxVariant = 'mboxrd'): Generator<MboxMessage> {
  let pos = 0;
  while (pos < data.length) {
    const eol = lineEnd(data, pos);
    const fromLine = stripCr(data.subarray(pos, eol)).toString('latin1');
    if (!fromLine.startsWith('From ')) throw new Error('not at a From_ line');
    pos = Math.min(eol + 1, data.length);
    const { lines: header, next: bodyStart, contentLength } = readHeader(data, pos);
    let bodyEnd: number;
    let quoted = true;
    const clEnd = contentLength === null ? -1 : bodyStart + contentLength;
    if (clEnd >= 0 && clEnd <= data.length && atBoundary(data, clEnd)) {
      bodyEnd = clEnd;
      quoted = false;
    } else bodyEnd = nextFromLine(data, bodyStart);
    pos = bodyEnd;
    const body: Buffer[] = [];
    for (let p = bodyStart; p < bodyEnd; ) {
      const e = lineEnd(data, p);
      body.push(stripCr(data.subarray(p, Math.min(e, bodyEnd))));
      p = e + 1;
    }
    // The empty line before the next From_ (or at the end of the file) separates messages; it is not content.
    if (quoted && body.length > 0 && body[body.length - 1]!.length === 0) body.pop();
    if (!quoted) pos = skipSeparator(data, pos);
    yield buildMessage(fromLine, header, body, quoted ? variant : null);
  }
}

const lineEnd = (data: Buffer, pos: number): number => {
  const i = data.indexOf(0x0a, pos);
  return i === -1 ? data.length : i;
};
const stripCr = (line: Buffer): Buffer => (line.length > 0 && line[line.length - 1] === 0x0d ? line.subarray(0, line.length - 1) : line);
const isFrom = (data: Buffer, pos: number): boolean => data.subarray(pos, pos + 5).toString('latin1') === 'From ';

/** The header lines (up to the empty line, which is included) and a Content-Length value if there is one. */
function readHeader(data: Buffer, pos: number): { lines: Buffer[]; next: number; contentLength: number | null } {
  const lines: Buffer[] = [];
  let contentLength: number | null = null;
  while (pos < data.length) {
    const e = lineEnd(data, pos);
    const line = stripCr(data.subarray(pos, e));
    pos = Math.min(e + 1, data.length);
    lines.push(line);
    if (line.length === 0) break;
    const m = /^content-length:\s*(\d{1,12})\s*$/i.exec(line.toString('latin1'));
    if (m) contentLength = Number(m[1]);
  }
  return { lines, next: pos, contentLength };
}

/** True when `pos` is the end of the data or the start of the next message (maybe after one empty line). */
function atBoundary(data: Buffer, pos: number): boolean {
  const p = skipSeparator(data, pos);
  return p >= data.length || isFrom(data, p);
}

function skipSeparator(data: Buffer, pos: number): number {
  if (data[pos] === 0x0d && data[pos + 1] === 0x0a) return pos + 2;
  if (data[pos] === 0x0a) return pos + 1;
  return pos;
}

/** The start of the next From_ line that follows an empty line, or the end of the data. */
function nextFromLine(data: Buffer, pos: number): number {
  let previousEmpty = true; // the body starts after the header's empty line
  while (pos < data.length) {
    const e = lineEnd(data, pos);
    const line = stripCr(data.subarray(pos, e));
    if (previousEmpty && line.length >= 5 && isFrom(data, pos)) return pos;
    previousEmpty = line.length === 0;
    pos = e + 1;
  }
  return data.length;
}

function buildMessage(fromLine: string, header: Buffer[], body: Buffer[], variant: MboxVariant | null): MboxMessage {
  const out: Buffer[] = [];
  const flags = new Set<string>();
  let dropping = false;
  for (const line of header) {
    const text = line.toString('latin1');
    const continuation = text[0] === ' ' || text[0] === '\t';
    // A state header (and its continuation lines) is read for flags, then left out.
    if (continuation ? dropping : STATE_HEADERS.test(text)) {
      if (!continuation) readStateHeader(text, flags);
      dropping = true;
      continue;
    }
    dropping = false;
    out.push(line);
  }
  for (const line of body) out.push(variant ? unquote(line, variant) : line);
  const raw = Buffer.concat(out.flatMap((l) => [l, CRLF]));
  return { raw, flags: [...flags].sort(), date: parseFromLineDate(fromLine), sender: fromLine.slice(5).split(' ')[0] ?? '' };
}

const CRLF = Buffer.from('\r\n');

function unquote(line: Buffer, variant: MboxVariant): Buffer {
  if (line[0] !== 0x3e) return line; // '>'
  let i = 0;
  while (i < line.length && line[i] === 0x3e) i++;
  if (line.subarray(i, i + 5).toString('latin1') !== 'From ') return line;
  return variant === 'mboxrd' || i === 1 ? line.subarray(1) : line;
}

function readStateHeader(text: string, flags: Set<string>): void {
  const colon = text.indexOf(':');
  const name = colon > 0 ? text.slice(0, colon).toLowerCase() : '';
  const value = colon > 0 ? text.slice(colon + 1).trim() : text.trim();
  if (name === 'status') {
    if (value.includes('R')) flags.add('\\Seen');
  } else if (name === 'x-status') {
    if (value.includes('A')) flags.add('\\Answered');
    if (value.includes('F')) flags.add('\\Flagged');
    if (value.includes('T')) flags.add('\\Draft');
    if (value.includes('D')) flags.add('\\Deleted');
  } else if (name === 'x-keywords') {
    for (const k of value.split(/[\s,]+/)) if (/^[^\s(){%*"\\\]]+$/.test(k) && !k.startsWith('\\')) flags.add(k);
  }
}

/** One message as mboxrd: From_ line, status headers, quoted body, LF line endings, an empty line after it. */
export function formatMboxMessage(raw: Buffer, flags: readonly string[], internalDate: number, sender: string): Buffer {
  const text = raw.toString('latin1').replace(/\r\n/g, '\n');
  const headerEnd = text.indexOf('\n\n');
  const header = headerEnd === -1 ? text.replace(/\n?$/, '\n') : text.slice(0, headerEnd + 1);
  const body = headerEnd === -1 ? '' : text.slice(headerEnd + 2);
  const status = `${flags.includes('\\Seen') ? 'R' : ''}O`;
  const xStatus = [['\\Answered', 'A'], ['\\Flagged', 'F'], ['\\Draft', 'T'], ['\\Deleted', 'D']].filter(([f]) => flags.includes(f!)).map(([, l]) => l).join('');
  const keywords = flags.filter((f) => !f.startsWith('\\'));
  const state = `Status: ${status}\n${xStatus ? `X-Status: ${xStatus}\n` : ''}${keywords.length ? `X-Keywords: ${keywords.join(' ')}\n` : ''}`;
  const quoted = body.replace(/^(>*From )/gm, '>$1');
  const kept = header
    .split(/\n(?=[^ \t])/)
    .filter((h) => h && !STATE_HEADERS.test(h))
    .join('\n')
    .replace(/\n?$/, '\n');
  const envelope = /^[^\s@]+@[^\s@]+$/.test(sender) ? sender : 'MAILER-DAEMON';
  const out = `From ${envelope} ${asctime(internalDate)}\n${kept}${state}\n${quoted}${quoted.endsWith('\n') || quoted === '' ? '' : '\n'}\n`;
  return Buffer.from(out, 'latin1');
}

function asctime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}
