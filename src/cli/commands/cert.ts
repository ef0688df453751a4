/** `outpost cert status|renew`: the certificates every TLS listener serves, and ACME orders on demand (issue 10). */
import type { Command } from 'commander';
import { pino } from 'pino';
import { CertificateManager } from '../../acme/manager.js';
import { UserError } from '../../lib/errors.js';
import { certificateStatus } from '../../tls/status.js';
import { type CliIo, dataDir, withServices } from '../context.js';

const day = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString().slice(0, 10));

export function certCommands(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const cert = program.command('cert').description('TLS certificates: what each name is served with, ACME renewal');
  cert
    .command('status')
    .description('each name: issuer, expiry, days left, source (acme, file, self-signed) and the last renewal error')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }, cmd: Command) =>
      withServices(dataDir(cmd.optsWithGlobals(), io.env), async (s) => {
        const rows = await certificateStatus({ store: s.store, config: s.config, now: s.now() });
        if (opts.json) return io.out(JSON.stringify(rows));
        io.out(`ACME: ${s.config.acme.enabled ? `on (${s.config.acme.directoryUrl})` : 'off ([acme] enabled = false)'}`);
        io.out(['name', 'source', 'expires', 'days left', 'issuer', 'last error'].join('\t'));
        for (const r of rows)
          io.out([r.name, r.source, day(r.notAfter), r.daysLeft ?? '-', r.issuer ?? '-', r.lastError ?? '-'].join('\t'));
      }),
    );
  cert
    .command('renew')
    .description('order now what is missing or due (with --force: every certificate); the running server picks them up')
    .option('--force', 'order every certificate, even those not due, ignoring the backoff after failures')
    .action(async (opts: { force?: boolean }, cmd: Command) =>
      withServices(dataDir(cmd.optsWithGlobals(), io.env), async (s) => {
        if (!s.config.acme.enabled) throw new UserError('invalid', 'ACME is off: set enabled = true under [acme] in outpost.toml');
        const manager = new CertificateManager({ store: s.store, config: s.config, log: pino({ level: 'silent' }), now: s.now });
        const outcomes = await manager.orderDue({ force: opts.force === true });
        for (const o of outcomes) {
          const what =
            o.result === 'issued'
              ? `issued, valid until ${day(o.notAfter ?? null)}`
              : o.result === 'current'
                ? `current, valid until ${day(o.notAfter ?? null)}`
                : o.result === 'backing-off'
                  ? `waiting after a failure (use --force to try now): ${o.error ?? ''}`
                  : o.result === 'locked'
                    ? 'another node is ordering right now; try again in a minute'
                    : `failed: ${o.error ?? ''}`;
          io.out(`${o.names.join(', ')}: ${what}`);
        }
        if (outcomes.some((o) => o.result === 'failed' || o.result === 'locked')) setExit(1);
      }),
    );
}
