/**
 * Line endings and hop counting for messages we store or relay.
 *
 * RFC 5321 §2.3.8 (lines end in CRLF; a bare CR or LF is not a line end) and §4.1.1.4. SMTP smuggling
 * (CVE-2023-51764/51765/51766): a receiver that treats a bare LF or CR as a line end may see an end of data and a
 * new SMTP transaction where we saw message text. Turning every bare CR and bare LF into CRLF before anything is
 * stored or relayed means no later hop can split the message differently from us.
 * RFC 5321 §6.3: a message with too many Received fields is looping; the hop limit counts them.
 */
import { lenientHeaderEnd, parseHeaderFields } from './header-block.js';

const CR = 0x0d;
const LF = 0x0a;

/** Every bare CR and bare LF becomes CRLF; returns the same Buffer when nothing changes. */
export function normaliseLineEndings(raw: Buffer): Buffer {
  const scan = bareScanner(raw);
  let bare = scan();
  if (bare < 0) return raw;
  const parts: Buffer[] = [];
  const CRLF = Buffer.from('\r\n');
  let copied = 0;
  for (; bare >= 0; bare = scan()) {
    parts.push(raw.subarray(copied, bare), CRLF);
    copied = bare + 1;
  }
  parts.push(raw.subarray(copied));
  return Buffer.concat(parts);
}

/**
 * Returns a function giving the offset of the next bare CR or bare LF on each call, -1 at the end. It keeps the
 * next CR and LF positions between calls, so the whole scan is linear even when one of them never occurs.
 */
function bareScanner(raw: Buffer): () => number {
  let nextCr = raw.indexOf(CR);
  let nextLf = raw.indexOf(LF);
  return () => {
    for (;;) {
      if (nextCr < 0 && nextLf < 0) return -1;
      if (nextLf >= 0 && (nextCr < 0 || nextLf < nextCr)) {
        // An LF before the next CR cannot be the second half of a CRLF.
        const at = nextLf;
        nextLf = raw.indexOf(LF, at + 1);
        return at;
      }
      const at = nextCr;
      nextCr = raw.indexOf(CR, at + 1);
      if (raw[at + 1] !== LF) return at;
      // A CRLF pair: nextLf is at + 1; look past it.
      nextLf = raw.indexOf(LF, at + 2);
    }
  };
}

/**
 * The number of Received fields in the header block (RFC 5321 §6.3). The header ends at the first empty line
 * whatever its line ending, so a body line never counts as a hop.
 */
export function countReceived(raw: Buffer): number {
  let n = 0;
  for (const f of parseHeaderFields(raw.subarray(0, lenientHeaderEnd(raw)))) if (f.lowerName === 'received') n++;
  return n;
}
