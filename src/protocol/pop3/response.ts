/**
 * POP3 responses, sans-I/O. RFC 1939 §3: `+OK`/`-ERR` status lines; multi-line responses end with `.` and lines
 * starting with `.` are byte-stuffed. RFC 2449 §8 / RFC 3206: extended response codes in brackets.
 */

/** RFC 2449 §8.1.1 LOGIN-DELAY, §8.1.2 IN-USE; RFC 3206 §4 SYS/TEMP, SYS/PERM, §5 AUTH. */
export const Pop3Code = {
  LoginDelay: 'LOGIN-DELAY',
  InUse: 'IN-USE',
  SysTemp: 'SYS/TEMP',
  SysPerm: 'SYS/PERM',
  Auth: 'AUTH',
} as const;
export type Pop3Code = (typeof Pop3Code)[keyof typeof Pop3Code];

const clean = (text: string) => text.replace(/[\r\n]+/g, ' ');

export const ok = (text = ''): string => (text ? `+OK ${clean(text)}\r\n` : '+OK\r\n');

export const err = (text: string, code?: Pop3Code): string => `-ERR ${code ? `[${code}] ` : ''}${clean(text)}\r\n`;

/** RFC 5034 §4: a server challenge is `+ ` followed by base64 (possibly empty). */
export const challenge = (base64: string): string => `+ ${base64}\r\n`;

/** A multi-line response of text lines (CAPA, LIST, UIDL), stuffed and terminated. */
export function multiline(first: string, lines: readonly string[]): string {
  return first + lines.map((l) => (l.startsWith('.') ? `.${l}` : l) + '\r\n').join('') + '.\r\n';
}

/**
 * A message (or its first lines) as a multi-line body: every line beginning with "." gets another ".", the body
 * ends with CRLF even if the stored message did not, then the terminating ".". Bare CR or LF in stored data are
 * written as CRLF so no client can be fooled about where the message ends.
 */
export function stuffMessage(raw: Buffer, maxBodyLines?: number): Buffer {
  const text = raw.toString('latin1');
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  let out: string[] = lines;
  if (maxBodyLines !== undefined) {
    const blank = lines.indexOf('');
    const headerEnd = blank < 0 ? lines.length : blank + 1;
    out = lines.slice(0, Math.min(lines.length, headerEnd + maxBodyLines));
  }
  const body = out.map((l) => (l.startsWith('.') ? `.${l}` : l)).join('\r\n');
  return Buffer.from(`${body}${out.length ? '\r\n' : ''}.\r\n`, 'latin1');
}
