/** `outpost support ADDRESS`: what a mailbox's devices did recently, grouped by device, failures with the fix. */
import type { Command } from 'commander';
import { UserError } from '../../lib/errors.js';
import { clientSettings } from '../../http/settings.js';
import { formatSupport, supportReport } from '../../ops/support.js';
import { type CliIo, dataDir, withServices } from '../context.js';

export function supportCommands(program: Command, io: CliIo): void {
  program
    .command('support <address>')
    .description("a mailbox's recent sign-ins and connection problems, by device, each failure with the fix to read out on the phone")
    .option('--limit <n>', 'how many recent events to look at', '200')
    .option('--json', 'machine-readable output')
    .action(async (address: string, opts: { limit: string; json?: boolean }, cmd: Command) =>
      withServices(dataDir(cmd.optsWithGlobals(), io.env), async (s) => {
        const m = await s.accounts.getMailbox(address);
        if (!m) throw new UserError('not-found', `no mailbox ${address}`);
        const limit = Number(opts.limit);
        if (!Number.isSafeInteger(limit) || limit < 1 || limit > 10_000) throw new UserError('invalid', '--limit must be between 1 and 10000');
        const devices = supportReport(await s.store.listEvents(m.id, limit), clientSettings(s.config, m.address, m.domain));
        if (opts.json) return io.out(JSON.stringify(devices));
        for (const line of formatSupport(m.address, devices)) io.out(line);
      }),
    );
}
