/**
 * bench/pg: the PostgreSQL store against the SQLite store, and one node against two nodes on one PostgreSQL.
 * Three set-ups, each on fresh storage: `sqlite` (one node), `pg-1` (one node), `pg-2` (two `outpost serve`
 * processes on one database; the load split evenly between them). Two loads per set-up:
 * - SMTP acceptance: Postfix's smtp-source, `sessions` sessions, one 4 KiB message per connection, `messages`
 *   messages to one mailbox (on pg-2 two smtp-source runs, one per node, half each). Timed until the last 250;
 *   a 250 means committed (WAL flushed), so accepted = stored.
 * - IMAP: bench/imap-dovecot's mixed profile (LOGIN, LIST, STATUS, SELECT, FETCH headers, FETCH a body, STORE,
 *   COPY, APPEND, EXPUNGE, LOGOUT) for `seconds` seconds by `clients` clients on their own mailboxes (on pg-2 half
 *   the clients on each node).
 * For PostgreSQL it also reads pg_stat_database and pg_stat_wal around the SMTP load: transactions, rows written and
 * WAL bytes per message, the inputs of the capacity model in docs/DEPLOYMENT.md.
 * Run `npx tsc -p tsconfig.json` first. Usage: node --import tsx bench/pg/run.ts [messages] [sessions] [clients] [seconds]
 */
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { startPostgres, type TestPostgres } from '../../test/kit/postgres.js';
import { makeDataDir } from '../../test/kit/data-dir.js';
import { startServe, type ServeProcess } from '../../test/kit/serve.js';
import { outpost } from '../../test/kit/cli.js';
import { startCluster, PASSWORD, type Cluster } from '../../test/cluster/kit.js';
import { mixedRun, prepareMixed } from '../imap-dovecot/mixed.js';
import type { Endpoint } from '../imap-dovecot/client.js';

const MESSAGES = Number(process.argv[2] ?? 2000);
const SESSIONS = Number(process.argv[3] ?? 20);
const CLIENTS = Number(process.argv[4] ?? 8);
const SECONDS = Number(process.argv[5] ?? 15);
const SIZE = 4096;
const USERS = Array.from({ length: CLIENTS }, (_, i) => `user${i}@example.test`);

interface Node {
  mx: number;
  imaps: number;
}

interface Setup {
  name: string;
  nodes: Node[];
  /** The PostgreSQL database's URL (pg set-ups). */
  url?: string;
  stop(): Promise<void>;
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const c = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    c.on('error', reject);
    c.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} exited ${code}`))));
  });
}

async function sqliteSetup(): Promise<Setup> {
  const d = await makeDataDir();
  const cli = (args: string[], stdin?: string) => outpost(['--data', d.dir, ...args], stdin === undefined ? {} : { stdin });
  for (const u of ['alice@example.test', ...USERS]) {
    const r = await cli(['account', 'add', u, '--password-stdin'], `${PASSWORD}\n`);
    if (r.code !== 0) throw new Error(r.stderr);
  }
  const serve: ServeProcess = startServe(d.dir);
  await serve.waitFor(/stop: /, 30_000);
  return { name: 'sqlite, 1 node', nodes: [{ mx: d.ports.mx, imaps: d.ports.imaps }], stop: async () => void (await serve.stop()) };
}

async function pgSetup(pg: TestPostgres, n: number): Promise<Setup & { cluster: Cluster }> {
  const cluster = await startCluster(pg, { nodes: n, mailboxes: ['alice@example.test', ...USERS] });
  return {
    name: `postgres, ${n} node${n > 1 ? 's' : ''}`,
    cluster,
    url: cluster.url,
    nodes: cluster.nodes.map((x) => ({ mx: x.d.ports.mx, imaps: x.d.ports.imaps })),
    stop: () => cluster.stop(),
  };
}

interface PgStats {
  commits: number;
  tuples: number;
  walBytes: number;
}

async function pgStats(pg: TestPostgres, db: string): Promise<PgStats> {
  const [d] = await pg.sql<{ c: string; t: string }>(
    'SELECT xact_commit AS c, tup_inserted + tup_updated + tup_deleted AS t FROM pg_stat_database WHERE datname = $1',
    [db],
  );
  const [w] = await pg.sql<{ b: string }>('SELECT wal_bytes AS b FROM pg_stat_wal');
  return { commits: Number(d!.c), tuples: Number(d!.t), walBytes: Number(w!.b) };
}

async function smtpLoad(s: Setup): Promise<number> {
  const per = Math.floor(MESSAGES / s.nodes.length);
  const sessions = Math.max(1, Math.floor(SESSIONS / s.nodes.length));
  const t0 = performance.now();
  await Promise.all(
    s.nodes.map((n) =>
      run('smtp-source', ['-s', String(sessions), '-l', String(SIZE), '-m', String(per), '-f', 'sender@bench.test', '-t', 'alice@example.test', `127.0.0.1:${n.mx}`]),
    ),
  );
  return (performance.now() - t0) / 1000;
}

async function imapLoad(s: Setup): Promise<{ ops: number; seconds: number }> {
  const eps: Endpoint[] = s.nodes.map((n, i) => ({ name: `node${i}`, host: '127.0.0.1', port: n.imaps }));
  for (const [i, u] of USERS.entries()) await prepareMixed(eps[i % eps.length]!, u, PASSWORD, 200);
  const results = await Promise.all(eps.map((ep, i) => mixedRun(ep, USERS.filter((_, k) => k % eps.length === i), PASSWORD, SECONDS, 7 + i)));
  return { ops: results.reduce((n, r) => n + r.operations, 0), seconds: Math.max(...results.map((r) => r.seconds)) };
}

const rows: string[] = [];
const pg = await startPostgres();
try {
  for (const make of [() => sqliteSetup(), () => pgSetup(pg, 1), () => pgSetup(pg, 2)]) {
    const s = await make();
    try {
      const db = s.url ? new URL(s.url).pathname.slice(1) : null;
      const before = db ? await pgStats(pg, db) : null;
      const smtpSeconds = await smtpLoad(s);
      const accepted = Math.floor(MESSAGES / s.nodes.length) * s.nodes.length;
      const after = db ? await pgStats(pg, db) : null;
      const imap = await imapLoad(s);
      const perMsg =
        before && after
          ? `${((after.commits - before.commits) / accepted).toFixed(1)} transactions (reads included), ${((after.tuples - before.tuples) / accepted).toFixed(1)} rows, ${((after.walBytes - before.walBytes) / accepted / 1024).toFixed(1)} KiB WAL`
          : '-';
      rows.push(`| ${s.name} | ${accepted} in ${smtpSeconds.toFixed(2)} s | ${(accepted / smtpSeconds).toFixed(0)} | ${(imap.ops / imap.seconds).toFixed(0)} | ${perMsg} |`);
      console.log(`${rows[rows.length - 1]}   (load average ${loadavg().map((l) => l.toFixed(1)).join(' ')})`);
    } finally {
      await s.stop();
    }
  }
} finally {
  await pg.stop();
}
console.log(`\n${MESSAGES} messages of ${SIZE} bytes by ${SESSIONS} smtp-source sessions; IMAP mixed profile, ${CLIENTS} clients, ${SECONDS} s; load average at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
console.log('| set-up | SMTP accepted | messages/s | IMAP operations/s | database work per accepted message |\n|---|---|---|---|---|');
for (const r of rows) console.log(r);
