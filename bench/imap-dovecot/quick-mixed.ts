/**
 * Outpost alone, quickly: (c)'s sessions from ONE client (or CLIENTS clients) for SECONDS (default 10), and each
 * command's median; with PROFILE=dir the server runs under --cpu-prof. For profiling between full runs of bench.ts.
 *   PROFILE=/tmp/prof SECONDS=10 node --import tsx bench/imap-dovecot/quick-mixed.ts
 */
import { startOutpost, PASSWORD } from './servers.js';
import { mixedRun, prepareMixed } from './mixed.js';
const SECONDS = Number(process.env.SECONDS ?? 10);
const CLIENTS = Number(process.env.CLIENTS ?? 1);
const users = Array.from({ length: CLIENTS }, (_, i) => `mix${String(i + 1).padStart(2, '0')}`);
const o = await startOutpost(users, { ...(process.env.PROFILE ? { profileDir: process.env.PROFILE } : {}), fill: { user: users[0]!, count: 0 } });
await Promise.all(users.map((u) => prepareMixed(o.endpoint, o.user(u), PASSWORD, 100)));
const m = await mixedRun(o.endpoint, users.map((u) => o.user(u)), PASSWORD, SECONDS, 7);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`${(m.operations / m.seconds).toFixed(0)} operations/s`);
for (const [name, l] of m.latencies) console.log(`${name.padEnd(8)} median ${median(l).toFixed(2)} ms  (${l.length})`);
await o.stop();
