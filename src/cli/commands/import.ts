/** `outpost import ADDRESS PATH`: a Maildir (Dovecot's or mutt's) or mbox file(s) into a mailbox (issue 14). */
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { UserError } from '../../lib/errors.js';
import { importInto, openSource } from '../../ops/import.js';
import { Progress, type ProgressSink } from '../../ops/progress.js';
import { type CliIo, dataDir, withServices } from '../context.js';

/** Progress goes to standard error: a redrawn bar on a terminal, a plain line now and then otherwise. */
export function progressSink(io: CliIo): ProgressSink {
  const tty = process.stderr.isTTY === true && io.env.OUTPOST_NO_PROGRESS_BAR === undefined;
  return { isTTY: tty, write: (t) => (tty ? process.stderr.write(t) : io.err(t.trimEnd())) };
}

export function importCommands(program: Command, io: CliIo): void {
  program
    .command('import <address> <path>')
    .description('import mail from a Maildir (Dovecot or mutt) or from mbox files, keeping folders, flags, keywords and dates; run it again to resume')
    .option('--folder <name>', 'the folder for a single mbox file or the root of a maildir (default INBOX)')
    .option('--mboxo', 'the mbox uses mboxo quoting (only ">From " is unquoted); the default is mboxrd')
    .action(async (address: string, path: string, opts: { folder?: string; mboxo?: boolean }, cmd: Command) =>
      withServices(dataDir(cmd.optsWithGlobals(), io.env), async (s) => {
        const mailbox = await s.accounts.getMailbox(address);
        if (!mailbox) throw new UserError('not-found', `no mailbox ${address} (create it with outpost account add)`);
        const source = openSource(resolve(path), { ...(opts.folder ? { folder: opts.folder } : {}), mboxVariant: opts.mboxo ? 'mboxo' : 'mboxrd' });
        io.out(`Importing ${source.count} messages in ${source.folders.length} folders from a ${source.kind} into ${mailbox.address}.`);
        const r = await importInto(s.store, mailbox, source, new Progress(progressSink(io), 'imported', source.count, s.now), s.now);
        io.out(`Imported ${r.imported} messages (${r.skipped} were already there) into ${r.folders} folders in ${(r.ms / 1000).toFixed(1)} s: ${r.perSecond} messages/s.`);
      }),
    );
}
