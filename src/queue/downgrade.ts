/**
 * 8-bit to 7-bit conversion of a message for a server that does not offer 8BITMIME (RFC 6152 §3: "convert the
 * message to 7 bit … or return it as undeliverable"; RFC 1652 §3 did the same).
 *
 * Each leaf part holding 8-bit octets gets a 7-bit transfer encoding (RFC 2045 §6): quoted-printable for text (it
 * stays readable), base64 for anything else; its Content-Transfer-Encoding field is replaced. Multipart bodies are
 * walked part by part (RFC 2046 §5.1.1 delimiters), message/rfc822 parts converted as messages (RFC 2046 §5.2.1: their
 * own encoding can only be 7bit, 8bit or binary). Header fields with 8-bit octets cannot be converted here (that is
 * SMTPUTF8 territory, RFC 6532): the conversion reports it impossible and the caller bounces with 5.6.7.
 *
 * Works on latin1 strings: one character per octet, so no byte is ever changed by a decoding step.
 */

export type DowngradeResult = { kind: 'converted'; raw: Buffer } | { kind: 'impossible'; reason: string };

/** RFC 2045 §6.7 rule 5: encoded lines are at most 76 characters. */
const QP_LINE_MAX = 76;
/** RFC 2045 §6.8: base64 lines are at most 76 characters. */
const BASE64_LINE_MAX = 76;
/** Nesting of multiparts and messages beyond which we refuse to convert (a bound on recursion). */
const MAX_DEPTH = 20;

class Impossible extends Error {}

const has8bit = (s: string): boolean => /[\x80-\xff]/.test(s);

/** Converts a whole message (CRLF line ends) to 7 bit; already 7-bit input comes back unchanged. */
export function downgradeTo7bit(raw: Buffer): DowngradeResult {
  try {
    const out = convertEntity(raw.toString('latin1'), 'text/plain', 0, true);
    return { kind: 'converted', raw: Buffer.from(out, 'latin1') };
  } catch (e) {
    if (e instanceof Impossible) return { kind: 'impossible', reason: e.message };
    throw e;
  }
}

/** Splits an entity into its header (with the line end of its last field) and body. */
function split(entity: string): { header: string; body: string; sep: string } {
  if (entity.startsWith('\r\n')) return { header: '', body: entity.slice(2), sep: '\r\n' };
  const end = entity.indexOf('\r\n\r\n');
  if (end < 0) return { header: entity, body: '', sep: '' };
  return { header: entity.slice(0, end + 2), body: entity.slice(end + 4), sep: '\r\n' };
}

/** The unfolded value of the first field named `name` in a header block, or null. */
function field(header: string, name: string): string | null {
  const re = new RegExp(`^${name}[ \\t]*:(.*(?:\\r\\n[ \\t].*)*)`, 'im');
  const m = re.exec(header);
  return m ? m[1]!.replace(/\r\n/g, '').trim() : null;
}

/** The header block without any `name` field (continuation lines included), then `add` appended. */
function replaceField(header: string, name: string, add: string): string {
  const re = new RegExp(`^${name}[ \\t]*:.*\\r\\n(?:[ \\t].*\\r\\n)*`, 'gim');
  return header.replace(re, '') + add;
}

function convertEntity(entity: string, defaultType: string, depth: number, top: boolean): string {
  if (depth > MAX_DEPTH) throw new Impossible('the MIME structure is nested too deeply to convert');
  const { header, body, sep } = split(entity);
  if (has8bit(header))
    throw new Impossible(
      top ? 'its header fields contain 8-bit characters (non-ASCII text outside encoded words)' : 'a MIME part has header fields with 8-bit characters',
    );
  if (!has8bit(body)) return entity;
  const contentType = field(header, 'content-type');
  const type = (contentType?.split(';')[0]?.trim().toLowerCase() || defaultType).replace(/\s+/g, '');
  if (type.startsWith('multipart/')) {
    const boundary = /;\s*boundary\s*=\s*(?:"([^"]+)"|([^\s;]+))/i.exec(contentType ?? '');
    const b = boundary?.[1] ?? boundary?.[2];
    if (b) return header + sep + convertMultipart(body, b, type === 'multipart/digest' ? 'message/rfc822' : 'text/plain', depth);
  }
  if (type === 'message/rfc822') {
    const inner = convertEntity(body, 'text/plain', depth + 1, false);
    const cte = field(header, 'content-transfer-encoding')?.toLowerCase();
    return (cte && cte !== '7bit' ? replaceField(header, 'content-transfer-encoding', 'Content-Transfer-Encoding: 7bit\r\n') : header) + sep + inner;
  }
  const cte = field(header, 'content-transfer-encoding')?.toLowerCase() ?? '7bit';
  // 8-bit octets in an already encoded body are malformed: in quoted-printable they are escaped as what lenient
  // decoders read them as; in base64 they carry no meaning we could keep.
  if (cte === 'quoted-printable') return header + sep + body.replace(/[\x80-\xff]/g, (c) => hex(c.charCodeAt(0)));
  if (cte === 'base64') throw new Impossible('a base64 part contains 8-bit octets');
  const text = type.startsWith('text/');
  const encoded = text ? encodeQuotedPrintable(body) : encodeBase64(body);
  let h = replaceField(header, 'content-transfer-encoding', `Content-Transfer-Encoding: ${text ? 'quoted-printable' : 'base64'}\r\n`);
  if (top && field(header, 'mime-version') === null) h += 'MIME-Version: 1.0\r\n';
  return h + '\r\n' + encoded;
}

/** RFC 2046 §5.1.1: the parts between delimiter lines are converted; delimiters, preamble and epilogue kept. */
function convertMultipart(body: string, boundary: string, partType: string, depth: number): string {
  const lines = body.split('\r\n');
  const delimiter = `--${boundary}`;
  const out: string[] = [];
  let part: string[] | null = null;
  let closed = false;
  const flush = () => {
    if (part) out.push(...convertEntity(part.join('\r\n'), partType, depth + 1, false).split('\r\n'));
    part = null;
  };
  for (const line of lines) {
    const l = line.replace(/[ \t]+$/, '');
    if (!closed && (l === delimiter || l === `${delimiter}--`)) {
      flush();
      out.push(line);
      if (l === delimiter) part = [];
      else closed = true;
    } else if (part) part.push(line);
    else out.push(has8bit(line) ? line.replace(/[\x80-\xff]/g, '?') : line); // preamble/epilogue: ignored by readers
  }
  flush();
  return out.join('\r\n');
}

const hex = (c: number): string => `=${c.toString(16).toUpperCase().padStart(2, '0')}`;

/** RFC 2045 §6.7, for text: CRLF stays a hard line break, long lines get soft breaks. */
export function encodeQuotedPrintable(text: string): string {
  return text
    .split('\r\n')
    .map((line) => {
      const tokens: string[] = [];
      for (let i = 0; i < line.length; i++) {
        const c = line.charCodeAt(i);
        const last = i === line.length - 1;
        if ((c === 0x20 || c === 0x09) && last) tokens.push(hex(c)); // rule 3: no trailing white space
        else if (c === 0x3d || c > 0x7e || (c < 0x20 && c !== 0x09)) tokens.push(hex(c));
        else tokens.push(line[i]!);
      }
      const out: string[] = [];
      let current = '';
      for (const t of tokens) {
        if (current.length + t.length > QP_LINE_MAX - 1) {
          out.push(`${current}=`);
          current = '';
        }
        current += t;
      }
      out.push(current);
      return out.join('\r\n');
    })
    .join('\r\n');
}

function encodeBase64(body: string): string {
  const b64 = Buffer.from(body, 'latin1').toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += BASE64_LINE_MAX) lines.push(b64.slice(i, i + BASE64_LINE_MAX));
  return `${lines.join('\r\n')}\r\n`;
}
