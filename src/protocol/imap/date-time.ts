/**
 * IMAP dates: `date` (SEARCH BEFORE/ON/SINCE…, a calendar day with no time zone) and `date-time` (APPEND and
 * INTERNALDATE: `"17-Jul-1996 02:44:25 -0700"`).
 *
 * RFC 9051 §9: date = date-text / DQUOTE date-text DQUOTE; date-text = date-day "-" date-month "-" date-year;
 * date-day = 1*2DIGIT; date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE;
 * date-day-fixed = (SP DIGIT) / 2DIGIT; zone = ("+" / "-") 4DIGIT. Month names are case-insensitive (RFC 5234).
 * RFC 9051 §6.4.4: SEARCH compares dates "disregarding time and timezone" — the server decides which day a
 * message falls on, so a search date stays a calendar day here.
 */
import type { Scanner } from './scanner.js';

export const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/** A calendar day (month 1–12). */
export interface ImapDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/** An instant with the zone offset the client wrote (minutes east of UTC). */
export interface ImapDateTime {
  readonly date: Date;
  readonly offsetMinutes: number;
}

const DATE_TEXT = /^([0-9]{1,2})-([A-Za-z]{3})-([0-9]{4})$/;
const DATE_TIME = /^([ 0-9][0-9]|[0-9])-([A-Za-z]{3})-([0-9]{4}) ([0-9]{2}):([0-9]{2}):([0-9]{2}) ([+-])([0-9]{2})([0-9]{2})$/;

function monthNumber(name: string): number | undefined {
  const i = MONTHS.findIndex((m) => m.toUpperCase() === name.toUpperCase());
  return i < 0 ? undefined : i + 1;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Validates the parts of a date; `undefined` when the day does not exist. */
function makeDate(dayText: string, monthText: string, yearText: string): ImapDate | undefined {
  const day = Number(dayText.trim());
  const month = monthNumber(monthText);
  const year = Number(yearText);
  if (month === undefined || day < 1 || day > daysInMonth(year, month)) return undefined;
  return { year, month, day };
}

/** RFC 9051 §9 date (quoted or not). */
export function parseDate(s: Scanner): ImapDate {
  const quoted = s.tryChar('"');
  const text = s.chars((c) => c === 0x2d || (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a), 'a date');
  if (quoted) s.expect('"', 'the end of the date');
  const m = DATE_TEXT.exec(text);
  const date = m && makeDate(m[1]!, m[2]!, m[3]!);
  if (!date) s.fail('invalid date');
  return date;
}

/** RFC 9051 §9 date-time (always quoted). Single-digit days without the leading space are tolerated. */
export function parseDateTime(s: Scanner): ImapDateTime {
  const text = s.string('a date-time').toString('latin1');
  const dt = dateTimeFromText(text);
  if (dt === undefined) s.fail('invalid date-time');
  return dt;
}

export function dateTimeFromText(text: string): ImapDateTime | undefined {
  const m = DATE_TIME.exec(text);
  if (!m) return undefined;
  const date = makeDate(m[1]!, m[2]!, m[3]!);
  const [hh, mm, ss, zh, zm] = [m[4], m[5], m[6], m[8], m[9]].map(Number) as [number, number, number, number, number];
  if (!date || hh > 23 || mm > 59 || ss > 60 || zh > 23 || zm > 59) return undefined;
  const offsetMinutes = (m[7] === '-' ? -1 : 1) * (zh * 60 + zm);
  const utc = Date.UTC(date.year, date.month - 1, date.day, hh, mm, Math.min(ss, 59)) - offsetMinutes * 60_000;
  return { date: new Date(utc), offsetMinutes };
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/**
 * Formats an instant as RFC 9051 date-time text (without the quotes) in the given zone, e.g.
 * `17-Jul-1996 02:44:25 -0700`. The day is space-padded (date-day-fixed).
 */
export function formatDateTime(date: Date, offsetMinutes = 0): string {
  if (!Number.isInteger(offsetMinutes) || Math.abs(offsetMinutes) > 23 * 60 + 59) throw new RangeError(`invalid zone offset ${offsetMinutes}`);
  const local = new Date(date.getTime() + offsetMinutes * 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const day = String(local.getUTCDate()).padStart(2, ' ');
  const month = MONTHS[local.getUTCMonth()]!;
  const time = `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}`;
  return `${day}-${month}-${pad(local.getUTCFullYear(), 4)} ${time} ${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`;
}

/** Formats a calendar day as RFC 9051 date-text, e.g. `1-Feb-1994`. */
export function formatDate(date: ImapDate): string {
  return `${date.day}-${MONTHS[date.month - 1]}-${pad(date.year, 4)}`;
}
