/** `outpost backup FILE`: a consistent copy of the store while `outpost serve` keeps running (issue 14). */
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { loadConfig } from '../../config/load.js';
import { UserError } from '../../lib/errors.js';
import { backupDatabase } from '../../ops/backup.js';
import { type CliIo, dataDir, formatBytes } from '../context.js';

export function backupCommands(program: Command, io: CliIo): void {
  program
    .command('backup <file>')
    .description('copy the whole store (accounts, mail, queue, keys) to FILE, consistently, while the server runs')
    .action(async (file: string, _opts: unknown, cmd: Command) => {
      const config = loadConfig(dataDir(cmd.optsWithGlobals(), io.env));
      if ((config.store as { kind: string }).kind !== 'sqlite')
        throw new UserError('invalid', 'this data directory uses PostgreSQL: back it up with pg_dump (see docs/OPERATIONS.md)');
      const s = await backupDatabase(config.store.path, resolve(file));
      io.out(`Backed up ${s.mailboxes} mailboxes, ${s.folders} folders, ${s.messages} messages (${formatBytes(s.bytes)}) to ${s.file} in ${s.ms} ms.`);
      io.out(`Also keep a copy of ${config.dataDir}/outpost.toml and the tls/ folder: they are not in the store.`);
    });
}
