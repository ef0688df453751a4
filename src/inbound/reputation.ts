/** Simple reputation signals: is the EHLO name plausible, and have we seen this sender before. */
import { isIP } from 'node:net';
import type { CounterStore } from '../store/types.js';

/** RFC 5321 §4.1.4: the EHLO argument is the client's FQDN or an address literal; §2.3.5: a FQDN has dots. */
export function heloProblems(helo: string, clientIp: string, ourNames: readonly string[]): string[] {
  const problems: string[] = [];
  const name = helo.trim().toLowerCase().replace(/\.$/, '');
  const literal = /^\[(?:ipv6:)?([^\]]+)\]$/i.exec(name)?.[1];
  const client = clientIp.replace(/^::ffff:(?=\d+\.)/, '').toLowerCase();
  if (name === '') problems.push('helo-empty');
  else if (literal !== undefined) {
    if (isIP(literal) === 0) problems.push('helo-bad-literal');
    else if (literal.toLowerCase() !== client) problems.push('helo-literal-mismatch');
  } else if (isIP(name) !== 0) problems.push('helo-bare-ip');
  else if (name === 'localhost' || name.endsWith('.localhost') || name === 'localhost.localdomain') problems.push('helo-localhost');
  else if (!name.includes('.')) problems.push('helo-not-fqdn');
  if (ourNames.some((n) => n.toLowerCase() === name)) problems.push('helo-is-our-name');
  return problems;
}

/** How long a sender stays "known" after its last message: a year of silence makes it new again. */
const SEEN_WINDOW_MS = 365 * 24 * 3600 * 1000;

/** Records the envelope sender and says whether this is the first message from it (null sender: never "first"). */
export async function firstTimeSender(counters: CounterStore, mailFrom: string, now: number): Promise<boolean> {
  if (mailFrom === '') return false;
  const state = await counters.hitCounter(`inbound:seen:${mailFrom.toLowerCase()}`, now, SEEN_WINDOW_MS);
  return state.count === 1;
}
