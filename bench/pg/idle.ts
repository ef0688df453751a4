/**
 * bench/pg/idle: how long after node A's MX answers 250 an IMAP client idling on node B hears `* n EXISTS`
 * (PostgreSQL NOTIFY at COMMIT → node B's LISTEN connection → its IDLE session). `count` messages one after another.
 * Run `npx tsc -p tsconfig.json` first. Usage: node --import tsx bench/pg/idle.ts [count]
 */
import { loadavg } from 'node:os';
import { startPostgres } from '../../test/kit/postgres.js';
import { imapSelected, sendMx, startCluster } from '../../test/cluster/kit.js';

const COUNT = Number(process.argv[2] ?? 100);
const pg = await startPostgres();
try {
  const cluster = await startCluster(pg, { nodes: 2 });
  try {
    const [a, b] = cluster.nodes;
    const idle = await imapSelected(b!.d.ports.imaps);
    await idle.cmd('i IDLE', /^\+ .*\r\n/m);
    const waits: number[] = [];
    for (let i = 0; i < COUNT; i++) {
      const heard = idle.read(new RegExp(`^\\* ${i + 1} EXISTS\\r\\n`, 'm'), 10_000).then(() => performance.now());
      const reply = await sendMx(a!.d.ports.mx, 'sender@remote.test', ['alice@example.test'], `idle-${i}`);
      const acked = performance.now();
      if (!reply.startsWith('250')) throw new Error(reply);
      waits.push(Math.max(0, (await heard) - acked));
    }
    idle.close();
    waits.sort((x, y) => x - y);
    const q = (p: number) => waits[Math.min(waits.length - 1, Math.floor(p * waits.length))]!.toFixed(1);
    console.log(`| ${new Date().toISOString().slice(0, 16)} UTC, load average ${loadavg()[0]!.toFixed(1)} | ${q(0.5)} ms | ${q(0.95)} ms | ${waits[waits.length - 1]!.toFixed(1)} ms |`);
  } finally {
    await cluster.stop();
  }
} finally {
  await pg.stop();
}
