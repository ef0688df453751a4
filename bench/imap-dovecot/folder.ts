/**
 * (d) pipelined APPEND with LITERAL+ (RFC 7888), the same bytes to both servers, in chunks that alternate between
 * them (each chunk one sample), and (a) one big folder (filled beforehand: servers.ts): LOGIN+SELECT,
 * `UID FETCH 1:* (UID FLAGS)`, `UID SEARCH SUBJECT`, `STORE 1:* +FLAGS (\Seen)`, alternating servers, several rounds.
 */
import { ImapConnection, login, type Endpoint } from './client.js';
import { message, SEARCH_EVERY, SEARCH_WORD } from './messages.js';

/** Appends messages [from, to) on one connection, at most `window` APPENDs in flight; returns messages/s. */
export async function appendRange(c: ImapConnection, folder: string, from: number, to: number, window = 64): Promise<number> {
  const t0 = performance.now();
  let next = from;
  const lane = async () => {
    while (next < to) await c.append(folder, message(next++));
  };
  await Promise.all(Array.from({ length: window }, lane));
  return (to - from) / ((performance.now() - t0) / 1000);
}

export interface FolderTimes {
  loginSelect: number;
  fetchAll: number;
  search: number;
  storeAll: number;
}

/** One round of the big-folder operations, in milliseconds. */
export async function folderRound(ep: Endpoint, user: string, password: string, n: number): Promise<FolderTimes> {
  const t0 = performance.now();
  const c = await login(ep, user, password);
  const selected = await c.ok('SELECT INBOX', true);
  const t1 = performance.now();
  if (!selected.lines!.some((l) => l === `* ${n} EXISTS`)) throw new Error(`${ep.name}: SELECT did not say ${n} EXISTS`);
  const fetched = await c.ok('UID FETCH 1:* (UID FLAGS)');
  const t2 = performance.now();
  if (fetched.untagged !== n) throw new Error(`${ep.name}: UID FETCH gave ${fetched.untagged} responses, not ${n}`);
  const found = await c.ok(`UID SEARCH SUBJECT ${SEARCH_WORD}`, true);
  const t3 = performance.now();
  const hits = (found.lines!.find((l) => l.startsWith('* SEARCH')) ?? '* SEARCH').split(' ').length - 2;
  const expected = Math.floor((n - 8) / SEARCH_EVERY) + 1;
  if (hits !== expected) throw new Error(`${ep.name}: SEARCH found ${hits}, expected ${expected}`);
  const stored = await c.ok('STORE 1:* +FLAGS (\\Seen)');
  const t4 = performance.now();
  if (stored.untagged < n) throw new Error(`${ep.name}: STORE gave ${stored.untagged} responses, not ${n}`);
  await c.ok('STORE 1:* -FLAGS.SILENT (\\Seen)'); // untimed: the next round sets them again
  await c.logout();
  return { loginSelect: t1 - t0, fetchAll: t2 - t1, search: t3 - t2, storeAll: t4 - t3 };
}
