/**
 * Summarises a V8 .cpuprofile (from `PROFILE=dir`): self time and total (inclusive) time by function, the top
 * entries of each, idle and GC apart. For reading quick-folder.ts profiles between changes.
 *   node --import tsx bench/imap-dovecot/profile-summary.ts /tmp/prof/CPU.*.cpuprofile [top] [function]
 * With a function name, the time below that function (self time of each callee, inclusive) instead.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg, under] = process.argv.slice(2);
if (!file) throw new Error('usage: profile-summary.ts FILE.cpuprofile [top]');
const top = Number(topArg ?? 30);
const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const label = (n: ProfileNode): string => {
  const url = n.callFrame.url.replace(/^.*\/(src|node_modules|dist)\//, '$1/');
  return `${n.callFrame.functionName || '(anonymous)'} ${url}:${n.callFrame.lineNumber + 1}`;
};

const self = new Map<string, number>();
const total = new Map<string, number>();
let all = 0;
/** Whether a sample's stack passes through a function named `under` (always true without it). */
const below = (id: number): boolean => {
  if (under === undefined) return true;
  // `name` or `name path-part` (e.g. `open selected-view`), to tell apart functions of the same name.
  const [name, where] = under.split(' ');
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const f = byId.get(cur)!.callFrame;
    if (f.functionName === name && (where === undefined || f.url.includes(where))) return true;
  }
  return false;
};
p.samples.forEach((id, i) => {
  const us = p.timeDeltas[i] ?? 0;
  if (!below(id)) return;
  all += us;
  const n = byId.get(id)!;
  self.set(label(n), (self.get(label(n)) ?? 0) + us);
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const l = label(byId.get(cur)!);
    if (seen.has(l)) continue;
    seen.add(l);
    total.set(l, (total.get(l) ?? 0) + us);
  }
});
const idle = [...self].filter(([l]) => l.startsWith('(idle)')).reduce((a, [, v]) => a + v, 0);
const busy = all - idle;
const ms = (us: number) => (us / 1000).toFixed(0).padStart(7);
const pct = (us: number) => ((100 * us) / busy).toFixed(1).padStart(5);
console.log(`samples ${ms(all)} ms, idle ${ms(idle)} ms, busy ${ms(busy)} ms`);
console.log('\nself time (% of busy)');
for (const [l, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms(v)} ${pct(v)}%  ${l}`);
console.log('\ntotal time (% of busy)');
for (const [l, v] of [...total].sort((a, b) => b[1] - a[1]).filter(([l]) => !l.startsWith('(root)')).slice(0, top)) console.log(`${ms(v)} ${pct(v)}%  ${l}`);
