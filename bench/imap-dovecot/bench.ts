/**
 * bench/imap-dovecot: Outpost against Dovecot 2.3 on the same machine in one run, the same client code for both
 * (./client.ts, IMAP over implicit TLS). See ./run.sh and docs/BENCHMARKS.md. Environment:
 *   N=100000        messages in the big folder (a)
 *   IDLE=2000       concurrent IDLE clients, one user each (b)
 *   MIX_SECONDS=20  seconds per mixed-load run (c), two runs per server
 *   ROUNDS=3        rounds of (a), alternating servers
 *   APPEND_N=2000   messages per APPEND chunk (d), three chunks per server, alternating
 *   ONLY=a,b,c      run only these parts (d comes with a)
 *   PROFILE=dir     run outpost serve under --cpu-prof, profile written to dir when it stops
 */
import { writeFileSync } from 'node:fs';
import { login, type ImapConnection } from './client.js';
import { appendRange, folderRound, type FolderTimes } from './folder.js';
import { idleRun, type IdleResult } from './idle.js';
import { mixedRun, prepareMixed, type MixedResult } from './mixed.js';
import { fillMaildir, PASSWORD, startDovecot, startOutpost, type Server } from './servers.js';

const N = Number(process.env.N ?? 100_000);
const IDLE = Number(process.env.IDLE ?? 2000);
const MIX_SECONDS = Number(process.env.MIX_SECONDS ?? 20);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const APPEND_N = Number(process.env.APPEND_N ?? 2000);
const ONLY = new Set((process.env.ONLY ?? 'a,b,c').split(','));
const OUT = process.env.OUT ?? '/tmp/imap-dovecot-results.json';

const pad = (n: number, w = 4) => String(n).padStart(w, '0');
const idleUsers = Array.from({ length: IDLE }, (_, i) => `idle${pad(i + 1)}`);
const mixUsers = Array.from({ length: 10 }, (_, i) => `mix${pad(i + 1, 2)}`);
const allUsers = ['bench', ...mixUsers, ...idleUsers];

const median = (xs: number[]) => quantile(xs, 0.5);
function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}
const log = (s: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${s}`);

log(`starting: N=${N} IDLE=${IDLE} MIX_SECONDS=${MIX_SECONDS} ROUNDS=${ROUNDS}`);
const fill = ONLY.has('a') ? N : 0;
const servers: Server[] = [];
const outpost = await startOutpost(allUsers, { ...(process.env.PROFILE ? { profileDir: process.env.PROFILE } : {}), fill: { user: 'bench', count: fill } });
servers.push(outpost);
log(`Outpost: ${fill} messages delivered through the store API in ${outpost.fillSeconds.toFixed(1)} s`);
const dovecot = await startDovecot(allUsers, outpost.passwordHash, outpost.cert, outpost.key, IDLE).catch(async (e: unknown) => {
  await outpost.stop();
  throw e;
});
servers.push(dovecot);
const t = performance.now();
fillMaildir(dovecot.home, 'bench', fill);
log(`Dovecot: ${fill} Maildir files written in ${((performance.now() - t) / 1000).toFixed(1)} s`);
/** Round r runs the servers in this order: alternate who goes first. */
const order = (r: number) => (r % 2 === 0 ? servers : [...servers].reverse());
type Row = { metric: string; outpost: number; dovecot: number; unit: string; better: 'lower' | 'higher' };
const rows: Row[] = [];
const row = (metric: string, unit: string, better: Row['better'], values: Map<Server, number>) =>
  rows.push({ metric, unit, better, outpost: values.get(outpost)!, dovecot: values.get(dovecot)! });

try {
  if (ONLY.has('a')) {
    // ---------------------------------------------------------------- (d) pipelined APPEND, alternating chunks
    const conns = new Map<Server, ImapConnection>();
    for (const s of servers) {
      const c = await login(s.endpoint, s.user('mix01'), PASSWORD);
      await c.ok('CREATE Appended');
      conns.set(s, c);
    }
    const rates = new Map<Server, number[]>(servers.map((s) => [s, []]));
    for (let k = 0; k < 3; k++)
      for (const s of order(k)) {
        const rate = await appendRange(conns.get(s)!, 'Appended', k * APPEND_N, (k + 1) * APPEND_N);
        rates.get(s)!.push(rate);
        log(`${s.endpoint.name}: APPEND chunk ${k + 1} (${APPEND_N} messages): ${rate.toFixed(0)} messages/s`);
      }
    for (const c of conns.values()) await c.logout();
    row(`(d) pipelined APPEND, LITERAL+, 64 in flight on one connection (median of 3 × ${APPEND_N})`, 'messages/s', 'higher', new Map(servers.map((s) => [s, median(rates.get(s)!)])));

    // ---------------------------------------------------------------- (a) the big folder
    // Each server opens the folder once untimed first: Dovecot indexes the Maildir files written for it.
    for (const s of servers) {
      const t0 = performance.now();
      const c = await login(s.endpoint, s.user('bench'), PASSWORD);
      await c.ok('SELECT INBOX');
      await c.ok('UID FETCH 1:* (UID FLAGS)');
      await c.logout();
      log(`${s.endpoint.name}: first open of the ${N}-message folder (untimed warm-up): ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    const times = new Map<Server, FolderTimes[]>(servers.map((s) => [s, []]));
    for (let r = 0; r < ROUNDS; r++)
      for (const s of order(r)) {
        const t = await folderRound(s.endpoint, s.user('bench'), PASSWORD, N);
        times.get(s)!.push(t);
        log(`${s.endpoint.name}: round ${r + 1}: ${JSON.stringify(Object.fromEntries(Object.entries(t).map(([k, v]) => [k, Math.round(v)])))}`);
      }
    const of = (k: keyof FolderTimes) => new Map(servers.map((s) => [s, median(times.get(s)!.map((t) => t[k]))]));
    row(`(a) LOGIN + SELECT (${N} messages)`, 'ms', 'lower', of('loginSelect'));
    row('(a) UID FETCH 1:* (UID FLAGS)', 'ms', 'lower', of('fetchAll'));
    row('(a) UID SEARCH SUBJECT <word>', 'ms', 'lower', of('search'));
    row('(a) STORE 1:* +FLAGS (\\Seen)', 'ms', 'lower', of('storeAll'));
    const first = (k: keyof FolderTimes) => new Map(servers.map((s) => [s, times.get(s)![0]![k]]));
    row('(a) UID SEARCH SUBJECT, first round only (cold)', 'ms', 'lower', first('search'));
  }

  if (ONLY.has('c')) {
    // ---------------------------------------------------------------- mixed load (c)
    for (const s of servers) await Promise.all(mixUsers.map((u) => prepareMixed(s.endpoint, s.user(u), PASSWORD, 100)));
    const runs = new Map<Server, MixedResult[]>(servers.map((s) => [s, []]));
    for (let r = 0; r < 2; r++)
      for (const s of order(r)) {
        const m = await mixedRun(s.endpoint, mixUsers.map((u) => s.user(u)), PASSWORD, MIX_SECONDS, r + 1);
        runs.get(s)!.push(m);
        log(`${s.endpoint.name}: mixed run ${r + 1}: ${(m.operations / m.seconds).toFixed(0)} operations/s`);
      }
    row('(c) mixed load, 10 clients: operations/s (median of 2 runs)', 'ops/s', 'higher', new Map(servers.map((s) => [s, median(runs.get(s)!.map((m) => m.operations / m.seconds))])));
    const all = (s: Server) => runs.get(s)!.flatMap((m) => [...m.latencies.values()].flat());
    row('(c) mixed load: latency median, all commands', 'ms', 'lower', new Map(servers.map((s) => [s, median(all(s))])));
    row('(c) mixed load: latency p95, all commands', 'ms', 'lower', new Map(servers.map((s) => [s, quantile(all(s), 0.95)])));
    const names = [...new Set(runs.get(outpost)!.flatMap((m) => [...m.latencies.keys()]))];
    for (const name of names)
      row(`(c) mixed load: ${name} median`, 'ms', 'lower', new Map(servers.map((s) => [s, median(runs.get(s)!.flatMap((m) => m.latencies.get(name) ?? []))])));

    // (c, alone) the same sessions from ONE client: each command's latency with nothing else in flight. Under (c)'s
    // closed loop a server that answers more operations per second also has more of them queued at any moment, so
    // (c)'s medians mix speed and load; this row is the per-command cost without that.
    const alone = new Map<Server, MixedResult>();
    for (const s of order(0)) {
      const m = await mixedRun(s.endpoint, [s.user(mixUsers[0]!)], PASSWORD, MIX_SECONDS, 7);
      alone.set(s, m);
      log(`${s.endpoint.name}: one client alone: ${(m.operations / m.seconds).toFixed(0)} operations/s`);
    }
    for (const name of names)
      row(`(c) one client alone: ${name} median`, 'ms', 'lower', new Map(servers.map((s) => [s, median(alone.get(s)!.latencies.get(name) ?? [])])));

    // (c, same load) the 10 clients paced so both servers get the same sessions per second: 80% of what the slower
    // server sustained in the closed loop. Each command's latency is then compared at an equal offered load, which
    // the closed loop's medians are not (a client waits behind whatever the others queued at that server).
    const sessionsPerSecond = (s: Server) => median(runs.get(s)!.map((m) => (m.latencies.get('LOGIN')?.length ?? 0) / m.seconds));
    const rate = 0.8 * Math.min(...servers.map(sessionsPerSecond));
    const paced = new Map<Server, MixedResult>();
    for (const s of order(1)) {
      const m = await mixedRun(s.endpoint, mixUsers.map((u) => s.user(u)), PASSWORD, MIX_SECONDS, 11, rate / mixUsers.length);
      paced.set(s, m);
      log(`${s.endpoint.name}: same load (${rate.toFixed(1)} sessions/s offered): ${((m.latencies.get('LOGIN')?.length ?? 0) / m.seconds).toFixed(1)} sessions/s done`);
    }
    row(`(c) same offered load, ${rate.toFixed(1)} sessions/s: sessions done per second`, 'sessions/s', 'higher', new Map(servers.map((s) => [s, (paced.get(s)!.latencies.get('LOGIN')?.length ?? 0) / paced.get(s)!.seconds])));
    const pacedAll = (s: Server) => [...paced.get(s)!.latencies.values()].flat();
    row('(c) same offered load: latency median, all commands', 'ms', 'lower', new Map(servers.map((s) => [s, median(pacedAll(s))])));
    row('(c) same offered load: latency p95, all commands', 'ms', 'lower', new Map(servers.map((s) => [s, quantile(pacedAll(s), 0.95)])));
    for (const name of names)
      row(`(c) same offered load: ${name} median`, 'ms', 'lower', new Map(servers.map((s) => [s, median(paced.get(s)!.latencies.get(name) ?? [])])));
  }

  if (ONLY.has('b')) {
    // ---------------------------------------------------------------- IDLE (b)
    const idle = new Map<Server, IdleResult>();
    for (const s of servers) {
      const r = await idleRun(s, idleUsers, PASSWORD);
      idle.set(s, r);
      log(`${s.endpoint.name}: ${r.clients} IDLE clients signed in in ${r.loginSeconds.toFixed(1)} s, PSS ${r.pssBeforeKiB} → ${r.pssIdleKiB} KiB, missing ${r.missing}`);
    }
    const of = (f: (r: IdleResult) => number) => new Map(servers.map((s) => [s, f(idle.get(s)!)]));
    row(`(b) ${IDLE} IDLE clients: server PSS with all idling`, 'MiB', 'lower', of((r) => r.pssIdleKiB / 1024));
    row('(b) PSS per idle connection (growth / clients)', 'KiB', 'lower', of((r) => r.perConnectionKiB));
    row('(b) delivery → EXISTS, median', 'ms', 'lower', of((r) => median(r.delays)));
    row('(b) delivery → EXISTS, p95', 'ms', 'lower', of((r) => quantile(r.delays, 0.95)));
    row('(b) delivery → EXISTS, max', 'ms', 'lower', of((r) => Math.max(...r.delays)));
    row('(b) clients that never saw EXISTS (60 s)', 'clients', 'lower', of((r) => r.missing));
    row(`(b) ${IDLE} logins + SELECT + IDLE (32 at a time)`, 's', 'lower', of((r) => r.loginSeconds));
  }
} finally {
  for (const s of servers) await s.stop().catch((e: unknown) => console.error(e));
}

const fmt = (n: number) => (Number.isNaN(n) ? '–' : Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(1));
console.log('\n| measurement | unit | Outpost | Dovecot | Outpost/Dovecot | better |\n|---|---|---|---|---|---|');
for (const r of rows)
  console.log(`| ${r.metric} | ${r.unit} | ${fmt(r.outpost)} | ${fmt(r.dovecot)} | ${(r.outpost / r.dovecot).toFixed(2)} | ${r.better === 'lower' ? '< 1 Outpost better' : '> 1 Outpost better'} |`);
writeFileSync(OUT, JSON.stringify({ N, IDLE, MIX_SECONDS, ROUNDS, rows }, null, 2));
console.log(`\n(results also in ${OUT})`);
