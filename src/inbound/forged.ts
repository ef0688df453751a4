/**
 * RFC 8601 §5: a receiver MUST remove (or rename) Authentication-Results fields that claim to come from its own
 * authserv-id before adding its own, or a sender could forge "dkim=pass" results in our name.
 */
import { parseHeaderFields, splitMessage } from '../mail/header-block.js';

/** The authserv-id of an Authentication-Results value: the first token, before `;` (RFC 8601 §2.2). */
export function authservIdOf(value: string): string {
  const withoutComments = value.replace(/\([^()]*\)/g, ' ');
  return (withoutComments.split(';')[0] ?? '').trim().split(/\s+/)[0]?.toLowerCase() ?? '';
}

/** Removes Authentication-Results fields that claim `authservId`; returns the same buffer when none do. */
export function stripForgedAuthResults(raw: Buffer, authservId: string): { raw: Buffer; removed: number } {
  const { header, body } = splitMessage(raw);
  const fields = parseHeaderFields(header);
  const ours = authservId.toLowerCase();
  const keep = fields.filter((f) => !(f.lowerName === 'authentication-results' && authservIdOf(f.value) === ours));
  if (keep.length === fields.length) return { raw, removed: 0 };
  const rebuilt = Buffer.concat([...keep.map((f) => f.raw), header.subarray(fields.reduce((n, f) => n + f.raw.length, 0)), body]);
  return { raw: rebuilt, removed: fields.length - keep.length };
}
