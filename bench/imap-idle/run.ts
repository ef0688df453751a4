/**
 * bench/imap-idle: how long after the MX's 250 an IMAP client in IDLE hears `* n EXISTS` (issue 5: IDLE is woken
 * through the ChangeFeed, not by polling; the tests only check that it happens, this measures the delay).
 * Usage: `npx tsc -p tsconfig.json && node --import tsx bench/imap-idle/run.ts [messages]`
 */
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { makeDataDir } from '../../test/kit/data-dir.js';
import { startServe } from '../../test/kit/serve.js';
import { outpost } from '../../test/kit/cli.js';

const N = Number(process.argv[2] ?? 200);
const PASSWORD = 'a long good passphrase';

const d = await makeDataDir();
await outpost(['--data', d.dir, 'account', 'add', 'idle@example.test', '--password-stdin'], { stdin: `${PASSWORD}\n` });
const serve = startServe(d.dir);
await serve.waitFor(/Outpost is running/);

const client = new ImapFlow({ host: '127.0.0.1', port: d.ports.imaps, secure: true, tls: { rejectUnauthorized: false }, auth: { user: 'idle@example.test', pass: PASSWORD }, logger: false });
await client.connect();
await client.mailboxOpen('INBOX');
let heard: (() => void) | null = null;
client.on('exists', () => heard?.());
const idling = client.idle();

const mx = nodemailer.createTransport({ host: '127.0.0.1', port: d.ports.mx, secure: false, ignoreTLS: true, name: 'bench.test' });
const delays: number[] = [];
for (let i = 0; i < N; i++) {
  const woken = new Promise<number>((resolve) => (heard = () => resolve(performance.now())));
  await mx.sendMail({ from: 'load@bench.test', to: 'idle@example.test', subject: `idle ${i}`, text: 'x'.repeat(1024) });
  const acked = performance.now();
  delays.push((await woken) - acked);
}
const sorted = [...delays].sort((a, b) => a - b);
const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
console.log(`IDLE wake-up after the MX's 250, ${N} messages: median ${at(0.5).toFixed(1)} ms, p95 ${at(0.95).toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms`);
console.log('(negative values: the EXISTS arrived before nodemailer reported the 250 — the commit precedes the reply)');
await client.logout().catch(() => undefined);
void idling;
mx.close();
await serve.stop();
