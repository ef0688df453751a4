/** `outpost export ADDRESS DIR`: a mailbox's folders to a Maildir (Dovecot, mutt) or to mbox files (issue 14). */
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { UserError } from '../../lib/errors.js';
import { countEntries, exportMailbox, type ExportFormat } from '../../ops/export.js';
import { Progress } from '../../ops/progress.js';
import { type CliIo, dataDir, withServices } from '../context.js';
import { progressSink } from './import.js';

export function exportCommands(program: Command, io: CliIo): void {
  program
    .command('export <address> <dir>')
    .description('export every folder of a mailbox to DIR as a Maildir (the default) or as mbox files; run it again to bring a Maildir up to date')
    .option('--format <format>', 'maildir or mbox', 'maildir')
    .action(async (address: string, dir: string, opts: { format: string }, cmd: Command) =>
      withServices(dataDir(cmd.optsWithGlobals(), io.env), async (s) => {
        if (opts.format !== 'maildir' && opts.format !== 'mbox') throw new UserError('invalid', '--format must be maildir or mbox');
        const mailbox = await s.accounts.getMailbox(address);
        if (!mailbox) throw new UserError('not-found', `no mailbox ${address}`);
        const total = await countEntries(s.store, mailbox);
        const r = await exportMailbox(s.store, mailbox, resolve(dir), opts.format as ExportFormat, new Progress(progressSink(io), 'exported', total, s.now), s.now);
        io.out(`Exported ${r.written} messages (${r.skipped} were already there) from ${r.folders} folders to ${resolve(dir)} as ${opts.format} in ${(r.ms / 1000).toFixed(1)} s.`);
        if (r.droppedKeywords.length) io.err(`warning: a Maildir folder holds at most 26 keywords; not written: ${r.droppedKeywords.join(' ')}`);
      }),
    );
}
