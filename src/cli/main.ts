/**
 * The `outpost` command line. Every verb works while `outpost serve` runs: both open the same store, and the
 * server reads accounts from it on every use, so changes take effect without a restart.
 */
import { Command, CommanderError } from 'commander';
import { isOutpostError } from '../lib/errors.js';
import type { CliIo } from './context.js';
import { initCommands } from './commands/init-serve.js';
import { domainCommands } from './commands/domain.js';
import { domainInviteCommands } from './commands/domain-invite.js';
import { accountCommands } from './commands/account.js';
import { aliasCommands, appPasswordCommands, subscriberCommands } from './commands/subscriber-alias-app.js';
import { queueCommands } from './commands/queue.js';
import { dnsCommands } from './commands/dns.js';
import { certCommands } from './commands/cert.js';
import { backupCommands } from './commands/backup.js';
import { restoreCommands } from './commands/restore.js';
import { importCommands } from './commands/import.js';
import { exportCommands } from './commands/export.js';
import { supportCommands } from './commands/support.js';
import { metricsCommands } from './commands/metrics.js';
import { doctorCommands } from './commands/doctor.js';
import { checkCommands } from './commands/check.js';

export function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command('outpost')
    .description('Outpost: an all-in-one mail server that works from anywhere')
    .option('--data <dir>', 'the data directory (env OUTPOST_DATA, default ./outpost-data)')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .exitOverride();
  initCommands(program, io, setExit);
  domainCommands(program, io);
  domainInviteCommands(program, io);
  accountCommands(program, io);
  subscriberCommands(program, io);
  aliasCommands(program, io);
  appPasswordCommands(program, io);
  queueCommands(program, io);
  dnsCommands(program, io);
  certCommands(program, io, setExit);
  backupCommands(program, io);
  restoreCommands(program, io);
  importCommands(program, io);
  exportCommands(program, io);
  supportCommands(program, io);
  metricsCommands(program, io);
  doctorCommands(program, io, setExit);
  checkCommands(program, io, setExit);
  for (const c of program.commands) c.exitOverride().configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  return program;
}

/** Runs the CLI; resolves with the process exit code. */
export async function run(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  let code = 0;
  const program = buildProgram(io, (c) => (code = c));
  try {
    await program.parseAsync(argv);
    return code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 1;
    if (isOutpostError(e)) {
      io.err(`outpost: ${e.message}`);
      return 1;
    }
    io.err(`outpost: unexpected error: ${(e as Error).stack ?? String(e)}`);
    return 2;
  }
}

function defaultIo(): CliIo {
  return {
    out: (l) => process.stdout.write(`${l}\n`),
    err: (l) => process.stderr.write(`${l}\n`),
    stdin: process.stdin,
    env: process.env,
  };
}
