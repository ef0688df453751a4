/**
 * The header data the store keeps beside every message (IMAP ENVELOPE, webmail lists, threading).
 *
 * RFC 5322 §3.3 (date-time) and §4.3 (obsolete dates: two-digit years, named zones, military zones),
 * §3.6.4 (Message-ID, In-Reply-To, References), §3.6.5 (Subject); RFC 2047 (encoded words in display text).
 *
 * Reading is tolerant: files with bare-LF line ends are read too, the first field of each name wins, and
 * nothing here throws on any input.
 */
import type { MessageMeta } from '../store/types.js';
import { firstField, lenientHeaderEnd, parseHeaderFields, type HeaderField } from './header-block.js';
import { decodeEncodedWords } from './encoded-words.js';

export function extractMeta(raw: Buffer): MessageMeta {
  const fields = parseHeaderFields(raw.subarray(0, lenientHeaderEnd(raw)));
  const text = (name: string): string | null => {
    const f = firstField(fields, name);
    return f ? f.value.trim() : null;
  };
  const display = (name: string): string | null => decodedValue(firstField(fields, name));
  const date = text('date');
  return {
    size: raw.length,
    subject: display('subject'),
    from: display('from'),
    to: display('to'),
    cc: display('cc'),
    date: date === null ? null : parseDate(date),
    messageId: text('message-id'),
    inReplyTo: text('in-reply-to'),
    references: text('references'),
    structure: null,
  };
}

function decodedValue(f: HeaderField | undefined): string | null {
  return f ? decodeEncodedWords(f.value).trim() : null;
}

const MONTHS: Record<string, number> = {
  jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11,
};

/** RFC 5322 §4.3 obs-zone: named US zones; UT and GMT are +0000; military letters mean "unknown", taken as +0000. */
const NAMED_ZONES: Record<string, number> = {
  ut: 0, utc: 0, gmt: 0, z: 0, est: -5, edt: -4, cst: -6, cdt: -5, mst: -7, mdt: -6, pst: -8, pdt: -7,
};

/**
 * Parses an RFC 5322 date-time (with the obsolete forms of §4.3) into milliseconds since the epoch, or null.
 * Comments such as `(UTC)` are ignored; the day of the week is not checked against the date, as readers don't.
 */
export function parseDate(value: string): number | null {
  const text = stripComments(value).replace(/\s+/g, ' ').trim();
  const m =
    /^(?:[A-Za-z]{3,9} ?, ?)?(\d{1,2}) ([A-Za-z]{3,9}) (\d{2,4}) (\d{1,2}) ?: ?(\d{2})(?: ?: ?(\d{2}))?(?: ([+-]\d{4}|[A-Za-z]{1,5}))?$/.exec(text);
  if (!m) return null;
  const day = Number(m[1]);
  const month = monthIndex(m[2]!);
  let year = Number(m[3]);
  // RFC 5322 §4.3: two-digit years below 50 are 20xx, others 19xx; three-digit years add 1900.
  if (m[3]!.length === 2) year += year < 50 ? 2000 : 1900;
  else if (m[3]!.length === 3) year += 1900;
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  if (month === undefined || year < 1900 || hour > 23 || minute > 59 || second > 60 || day < 1) return null;
  if (day > new Date(Date.UTC(year, month + 1, 0)).getUTCDate()) return null;
  const offsetMinutes = zoneOffset(m[7]);
  if (offsetMinutes === null) return null;
  // A leap second (:60) is read as the last second of the minute.
  const utc = Date.UTC(year, month, day, hour, minute, Math.min(second, 59));
  return utc - offsetMinutes * 60_000;
}

const FULL_MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

/** `Oct` or, as some writers put it, `October`. */
function monthIndex(name: string): number | undefined {
  const lower = name.toLowerCase();
  if (lower.length === 3) return Object.hasOwn(MONTHS, lower) ? MONTHS[lower] : undefined;
  const full = FULL_MONTHS.indexOf(lower);
  return full < 0 ? undefined : full;
}

function zoneOffset(zone: string | undefined): number | null {
  if (zone === undefined) return 0;
  if (/^[+-]\d{4}$/.test(zone)) {
    const hours = Number(zone.slice(1, 3));
    const minutes = Number(zone.slice(3, 5));
    if (minutes > 59) return null;
    return (zone[0] === '-' ? -1 : 1) * (hours * 60 + minutes);
  }
  const lower = zone.toLowerCase();
  if (Object.hasOwn(NAMED_ZONES, lower)) return NAMED_ZONES[lower]! * 60;
  if (/^[A-IK-Za-ik-z]$/.test(zone)) return 0;
  return null;
}

/** Removes (possibly nested) comments; an unclosed comment runs to the end. */
function stripComments(value: string): string {
  let out = '';
  let depth = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\' && depth > 0) {
      i++;
    } else if (c === '(') {
      depth++;
    } else if (c === ')' && depth > 0) {
      depth--;
    } else if (depth === 0) {
      out += c;
    }
  }
  return out;
}
