/**
 * `outpost status` (what the admin console's status page shows) and `outpost metrics` (the running server's
 * Prometheus exposition, fetched from its http listener over loopback).
 */
import type { Command } from 'commander';
import type { Config } from '../../config/load.js';
import { UserError } from '../../lib/errors.js';
import { serverStatus } from '../../admin/status.js';
import { type CliIo, dataDir, formatBytes, withServices } from '../context.js';

/** How long the CLI waits for the running server's http listener. */
const PROBE_TIMEOUT_MS = 3_000;

function httpBase(config: Config): string | null {
  const a = config.listen.http?.[0];
  if (!a) return null;
  const host = a.host === '0.0.0.0' ? '127.0.0.1' : a.host === '::' ? '[::1]' : a.host.includes(':') ? `[${a.host}]` : a.host;
  return `http://${host}:${a.port}`;
}

async function probe(url: string): Promise<{ status: number; text: string } | null> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS), redirect: 'manual' });
    return { status: r.status, text: await r.text() };
  } catch {
    return null;
  }
}

export function metricsCommands(program: Command, io: CliIo): void {
  program
    .command('status')
    .description('server status: running and ready, version, certificate expiry, queue size and age, store size, listeners')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }, cmd: Command) =>
      withServices(dataDir(cmd.optsWithGlobals(), io.env), async (s) => {
        const st = await serverStatus(s);
        const base = httpBase(s.config);
        const ready = base ? await probe(`${base}/readyz`) : null;
        const running = ready === null ? 'not answering (is `outpost serve` running?)' : ready.status === 200 ? 'running and ready' : `running, not ready: ${ready.text.trim()}`;
        if (opts.json) return io.out(JSON.stringify({ ...st, ready: ready?.status === 200, server: running }));
        io.out(`Outpost ${st.version} for ${st.hostname}: ${running}`);
        io.out('error' in st.certificate ? `  certificate: cannot read: ${st.certificate.error}` : `  certificate: ${st.certificate.subject}${st.certificate.selfSigned ? ' (self-signed)' : ''}, ${st.certificate.daysLeft} days left`);
        io.out(`  queue:       ${st.queue.size} waiting${st.queue.size ? `, ${st.queue.retrying} retrying, oldest ${Math.round(st.queue.oldestAgeMs / 60_000)} min` : ''}`);
        io.out(`  store:       ${st.store.description}${st.store.bytes === null ? '' : `, ${formatBytes(st.store.bytes)}`}`);
        for (const l of st.listeners) io.out(`  ${l.role.padEnd(20)} ${l.addresses.join(', ')}`);
      }),
    );
  program
    .command('metrics')
    .description("print the running server's Prometheus metrics (from its http listener)")
    .action(async (_opts: unknown, cmd: Command) =>
      withServices(dataDir(cmd.optsWithGlobals(), io.env), async (s) => {
        const base = httpBase(s.config);
        if (!base) throw new UserError('invalid', 'no [listen] http address: metrics are served on the http listener');
        const r = await probe(`${base}/metrics`);
        if (!r) throw new UserError('unavailable', `no answer from ${base}: is \`outpost serve\` running?`);
        if (r.status !== 200) throw new UserError('refused', `${base}/metrics answered ${r.status}`);
        io.out(r.text.trimEnd());
      }),
    );
}
