/**
 * Sequence sets: message sequence numbers or UIDs.
 *
 * RFC 9051 §9: sequence-set = (seq-number / seq-range) ["," sequence-set] / seq-last-command; seq-number =
 * nz-number / "*"; seq-range = seq-number ":" seq-number ("2:4" and "4:2" are the same set; "*" is the largest
 * number in use); seq-last-command = "$" (RFC 5182 SEARCHRES: the result saved by SEARCH RETURN (SAVE)).
 * RFC 7162 §3.2.5.1 (known-uids) and ESEARCH results use the same syntax.
 */
import { imapLimits } from '../../lib/limits.js';
import type { Scanner } from './scanner.js';

/** A number or `*` (the largest in use). */
export type SeqNumber = number | '*';

/** An inclusive range as written; `start` may be larger than `end`. A single number has start === end. */
export interface SeqRange {
  readonly start: SeqNumber;
  readonly end: SeqNumber;
}

export type SequenceSet =
  | { readonly kind: 'set'; readonly ranges: readonly SeqRange[] }
  /** RFC 5182 `$`: the saved search result. */
  | { readonly kind: 'saved' };

const SEQ_CHAR = (c: number): boolean => (c >= 0x30 && c <= 0x39) || c === 0x2a || c === 0x3a || c === 0x2c || c === 0x24;

/** True when the next octet can start a sequence set (a digit, `*` or `$`): SEARCH keys use this. */
export function atSequenceSet(s: Scanner): boolean {
  const c = s.peek();
  return (c >= 0x31 && c <= 0x39) || c === 0x2a || c === 0x24;
}

/** Parses a sequence set; `allowSaved` admits `$` (RFC 5182 §2.1: not inside other sets). */
export function parseSequenceSet(s: Scanner, allowSaved = true): SequenceSet {
  const text = s.chars(SEQ_CHAR, 'a sequence set');
  const set = sequenceSetFromText(text, allowSaved);
  if (typeof set === 'string') s.fail(set, set.startsWith('too many') ? 'too-many' : 'bad-sequence-set', set.startsWith('too many') ? 'LIMIT' : undefined);
  return set;
}

/** Parses sequence-set text; a string result is the error. */
export function sequenceSetFromText(text: string, allowSaved = true): SequenceSet | string {
  if (text === '$') return allowSaved ? { kind: 'saved' } : '"$" is not allowed here';
  const pieces = text.split(',');
  if (pieces.length > imapLimits.sequenceSetMaxRanges) return 'too many ranges in a sequence set';
  const ranges: SeqRange[] = [];
  for (const piece of pieces) {
    const bounds = piece.split(':');
    if (bounds.length > 2) return 'invalid sequence range';
    const numbers = bounds.map(seqNumber);
    if (numbers.some((n) => n === undefined)) return 'invalid sequence set';
    ranges.push({ start: numbers[0]!, end: numbers[numbers.length - 1]! });
  }
  return { kind: 'set', ranges };
}

function seqNumber(text: string): SeqNumber | undefined {
  if (text === '*') return '*';
  if (!/^[1-9][0-9]{0,9}$/.test(text)) return undefined;
  const n = Number(text);
  return n <= 0xffffffff ? n : undefined;
}

/** Formats a set (for responses: ESEARCH ALL, COPYUID, VANISHED). Adjacent numbers are not merged here. */
export function formatSequenceSet(set: SequenceSet): string {
  if (set.kind === 'saved') return '$';
  return set.ranges.map((r) => (r.start === r.end ? String(r.start) : `${r.start}:${r.end}`)).join(',');
}

/**
 * Compresses sorted or unsorted numbers into the shortest set text, e.g. [1,2,3,5] → "1:3,5" (RFC 4315 §3 and
 * RFC 4731 §3.1 responses). Returns '' for no numbers; callers send NIL or leave the item out then.
 */
export function compressNumbers(numbers: Iterable<number>): string {
  const sorted = [...new Set(numbers)].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    out.push(i === j ? String(sorted[i]) : `${sorted[i]}:${sorted[j]}`);
    i = j + 1;
  }
  return out.join(',');
}

/**
 * Whether `n` is in `set`, with `*` standing for `largest` (RFC 9051 §9: "*" is the largest number in use; in
 * an empty mailbox it is… nothing, so pass 0 and nothing but a literal match succeeds).
 */
export function sequenceSetIncludes(set: Extract<SequenceSet, { kind: 'set' }>, n: number, largest: number): boolean {
  return set.ranges.some((r) => {
    const a = r.start === '*' ? largest : r.start;
    const b = r.end === '*' ? largest : r.end;
    return n >= Math.min(a, b) && n <= Math.max(a, b);
  });
}

/**
 * The same set as inclusive intervals `[low, high]`, sorted and merged, `*` standing for `largest`: the numbers
 * for which {@link sequenceSetIncludes} is true. Lets a 100,000-message view pick `1:*` by slicing, not by testing
 * every message against every range.
 */
export function sequenceSetIntervals(set: Extract<SequenceSet, { kind: 'set' }>, largest: number): Array<[number, number]> {
  const raw = set.ranges
    .map((r): [number, number] => {
      const a = r.start === '*' ? largest : r.start;
      const b = r.end === '*' ? largest : r.end;
      return [Math.min(a, b), Math.max(a, b)];
    })
    .sort((x, y) => x[0] - y[0]);
  const out: Array<[number, number]> = [];
  for (const [low, high] of raw) {
    const last = out[out.length - 1];
    if (last && low <= last[1] + 1) last[1] = Math.max(last[1], high);
    else out.push([low, high]);
  }
  return out;
}
