/** `outpost queue list|show|retry|delete|bounce`: the outbound queue, one row per recipient (issue 8). */
import type { Command } from 'commander';
import type { QueueEntry, QueueStatus } from '../../store/types.js';
import { UserError } from '../../lib/errors.js';
import { type CliIo, dataDir, withServices } from '../context.js';

const STATUSES: readonly QueueStatus[] = ['queued', 'delivered', 'bounced', 'expired'];
const iso = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z'));

function entryId(text: string): number {
  const id = Number(text);
  if (!Number.isSafeInteger(id) || id <= 0) throw new UserError('invalid', `${JSON.stringify(text)} is not a queue entry id (see outpost queue list)`);
  return id;
}

function line(e: QueueEntry): string {
  const state = e.status === 'queued' ? (e.attempts ? `retrying (next ${iso(e.nextAttemptAt)})` : 'queued') : e.status;
  return `${e.id}\t${state}\t<${e.mailFrom}> -> <${e.rcptTo}>\tattempts ${e.attempts}${e.lastError ? `\t${e.lastError.replace(/\s+/g, ' ').slice(0, 120)}` : ''}`;
}

export function queueCommands(program: Command, io: CliIo): void {
  const queue = program.command('queue').description('the outbound queue: what is waiting, delivered or bounced');
  queue
    .command('list')
    .description('list queue entries (one per recipient)')
    .option('--status <status>', `only entries in this state (${STATUSES.join(', ')})`)
    .option('--json', 'machine-readable output')
    .action(async (opts: { status?: string; json?: boolean }, cmd: Command) =>
      withServices(dataDir(cmd.optsWithGlobals(), io.env), async (s) => {
        if (opts.status && !STATUSES.includes(opts.status as QueueStatus))
          throw new UserError('invalid', `--status must be one of ${STATUSES.join(', ')}`);
        const entries = await s.store.listQueue(opts.status ? { status: opts.status as QueueStatus } : {});
        if (opts.json) return io.out(JSON.stringify(entries));
        if (entries.length === 0) return io.out('The queue is empty.');
        for (const e of entries) io.out(line(e));
      }),
    );
  queue
    .command('show <id>')
    .description('one entry with its attempts')
    .option('--json', 'machine-readable output')
    .action(async (idText: string, opts: { json?: boolean }, cmd: Command) =>
      withServices(dataDir(cmd.optsWithGlobals(), io.env), async (s) => {
        const id = entryId(idText);
        const e = await s.store.getQueueEntry(id);
        if (!e) throw new UserError('not-found', `no queue entry ${id}`);
        const attempts = await s.store.listQueueAttempts(id);
        if (opts.json) return io.out(JSON.stringify({ ...e, attempts }));
        io.out(`entry ${e.id}: ${e.status}`);
        io.out(`  from:        <${e.mailFrom}>`);
        io.out(`  to:          <${e.rcptTo}>`);
        io.out(`  queued:      ${iso(e.createdAt)}`);
        if (e.status === 'queued') io.out(`  next try:    ${iso(e.nextAttemptAt)}`);
        if (Object.keys(e.params).length) io.out(`  parameters:  ${Object.entries(e.params).map(([k, v]) => `${k}=${v}`).join(' ')}`);
        if (e.delayNotifiedAt) io.out(`  delay notice sent ${iso(e.delayNotifiedAt)}`);
        io.out(`  attempts:    ${e.attempts}`);
        for (const a of attempts) io.out(`    ${iso(a.at)}  ${a.status.padEnd(9)} ${a.host ?? '(no connection)'}  ${a.reply ?? ''}`);
      }),
    );
  queue
    .command('retry <id>')
    .description('try a queued entry again now')
    .action(async (idText: string, _o: unknown, cmd: Command) =>
      withServices(dataDir(cmd.optsWithGlobals(), io.env), async (s) => {
        const id = entryId(idText);
        if (!(await s.store.retryQueueEntry(id, s.now()))) throw new UserError('not-found', `entry ${id} is not waiting in the queue`);
        io.out(`Entry ${id} will be tried again at once.`);
      }),
    );
  queue
    .command('bounce <id>')
    .description('give up on a queued entry: the sender gets a bounce')
    .action(async (idText: string, _o: unknown, cmd: Command) =>
      withServices(dataDir(cmd.optsWithGlobals(), io.env), async (s) => {
        const id = entryId(idText);
        if (!(await s.store.requestBounce(id, s.now()))) throw new UserError('not-found', `entry ${id} is not waiting in the queue`);
        io.out(`Entry ${id} will be bounced to its sender by the running server.`);
      }),
    );
  queue
    .command('delete <id>')
    .description('remove an entry without telling the sender')
    .action(async (idText: string, _o: unknown, cmd: Command) =>
      withServices(dataDir(cmd.optsWithGlobals(), io.env), async (s) => {
        const id = entryId(idText);
        if (!(await s.store.deleteQueueEntry(id))) throw new UserError('not-found', `no queue entry ${id}`);
        io.out(`Deleted entry ${id}.`);
      }),
    );
}
