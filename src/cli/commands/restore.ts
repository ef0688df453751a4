/** `outpost restore FILE`: put a backup in place of this data directory's store (issue 14). */
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { loadConfig } from '../../config/load.js';
import { UserError } from '../../lib/errors.js';
import { restoreDatabase } from '../../ops/backup.js';
import { type CliIo, dataDir } from '../context.js';

export function restoreCommands(program: Command, io: CliIo): void {
  program
    .command('restore <file>')
    .description('replace the store with a backup made by `outpost backup` (stop `outpost serve` first)')
    .option('--replace', 'overwrite the existing store (what it holds now is lost)')
    .action(async (file: string, opts: { replace?: boolean }, cmd: Command) => {
      const config = loadConfig(dataDir(cmd.optsWithGlobals(), io.env));
      if ((config.store as { kind: string }).kind !== 'sqlite')
        throw new UserError('invalid', 'this data directory uses PostgreSQL: restore with pg_restore (see docs/OPERATIONS.md)');
      const s = restoreDatabase(resolve(file), config.store.path, { replace: opts.replace === true });
      io.out(`Restored ${s.mailboxes} mailboxes, ${s.folders} folders, ${s.messages} messages into ${config.store.path}.`);
      io.out('Start the server with `outpost serve`; mail programs keep their folders and UIDs (nothing to resynchronise).');
    });
}
