/** `outpost account add|list|show|passwd|remove|quota|disable|enable|log`. */
import type { Command } from 'commander';
import type { Mailbox } from '../../store/types.js';
import { parseSize, ValueProblem } from '../../config/values.js';
import { UserError } from '../../lib/errors.js';
import { type CliIo, dataDir, formatBytes, readPassword, withServices } from '../context.js';
import { rulesCommands } from './rules.js';

const quotaText = (m: Mailbox) => (m.quotaBytes === 0 ? 'unlimited' : formatBytes(m.quotaBytes));

function size(text: string): number {
  if (/^unlimited$/i.test(text)) return 0;
  try {
    return parseSize(text);
  } catch (e) {
    if (e instanceof ValueProblem) throw new UserError('invalid', `${e.message}; use a size such as 500M, 2G or "unlimited"`);
    throw e;
  }
}

export function accountCommands(program: Command, io: CliIo): void {
  const account = program.command('account').description('mailboxes: one address with its password, folders, quota, app passwords');
  account
    .command('add <address>')
    .description('create a mailbox (refused with the reason: invalid, not local, reserved, taken, weak password, allowance used up)')
    .option('--subscriber <holder>', 'add it to the subscription held by this address (default: a new subscription it holds)')
    .option('--admin', 'give it the admin role')
    .option('--quota <size>', 'storage, e.g. 500M, 2G, unlimited (default: [accounts] default_quota)')
    .option('--allow-reserved', 'operators only: allow a reserved name such as info@ or support@')
    .option('--password-stdin', 'read the password from the first line of standard input instead of prompting')
    .action(
      async (
        address: string,
        opts: { subscriber?: string; admin?: boolean; quota?: string; allowReserved?: boolean; passwordStdin?: boolean },
        cmd: Command,
      ) =>
        withServices(dataDir(cmd.optsWithGlobals(), io.env), async (s) => {
          const quota = opts.quota === undefined ? undefined : size(opts.quota);
          const password = await readPassword(io, !!opts.passwordStdin, `Password for ${address}: `, true);
          const m = await s.accounts.addMailbox(address, password, {
            ...(opts.subscriber ? { subscriber: opts.subscriber } : {}),
            role: opts.admin ? 'admin' : 'user',
            ...(quota !== undefined ? { quotaBytes: quota } : {}),
            allowReserved: !!opts.allowReserved,
          });
          const sub = await s.store.getSubscriber(m.subscriberId);
          io.out(`Created ${m.address}${m.role === 'admin' ? ' (admin)' : ''}, quota ${quotaText(m)}, subscriber ${sub?.holder}`);
        }),
    );
  account
    .command('list')
    .description('list mailboxes')
    .option('--domain <domain>', 'only this domain')
    .option('--json', 'machine-readable output')
    .action(async (opts: { domain?: string; json?: boolean }, cmd: Command) =>
      withServices(dataDir(cmd.optsWithGlobals(), io.env), async (s) => {
        const list = await s.accounts.listMailboxes(opts.domain);
        if (opts.json) return io.out(JSON.stringify(list.map(({ passwordHash: _, ...m }) => m)));
        for (const m of list)
          io.out(`${m.address}\t${m.role}${m.disabled ? '\tDISABLED' : ''}\t${formatBytes(m.usedBytes)} of ${quotaText(m)}`);
      }),
    );
  account
    .command('show <address>')
    .description('show a mailbox: role, subscriber, quota and usage, folders, app passwords, aliases pointing to it')
    .option('--json', 'machine-readable output')
    .action(async (address: string, opts: { json?: boolean }, cmd: Command) =>
      withServices(dataDir(cmd.optsWithGlobals(), io.env), async (s) => {
        const m = await s.accounts.requireMailbox(address);
        const sub = await s.store.getSubscriber(m.subscriberId);
        const folders = await s.store.listFolders(m.id);
        const apps = await s.store.listAppPasswords(m.id);
        const aliases = (await s.store.listAliases()).filter((a) => a.targets.includes(m.address)).map((a) => a.address);
        const { passwordHash: _, ...safe } = m;
        if (opts.json)
          return io.out(JSON.stringify({ ...safe, subscriber: sub, folders: folders.map((f) => f.name), appPasswords: apps.map((a) => a.name), aliases }));
        io.out(`${m.address}`);
        io.out(`  role:          ${m.role}${m.disabled ? ' (disabled)' : ''}`);
        io.out(`  subscriber:    ${sub?.holder} (allowance ${sub?.allowance})`);
        io.out(`  storage:       ${formatBytes(m.usedBytes)} of ${quotaText(m)}`);
        io.out(`  folders:       ${folders.map((f) => f.name).join(', ')}`);
        io.out(`  app passwords: ${apps.map((a) => a.name).join(', ') || '-'}`);
        io.out(`  aliases:       ${aliases.join(', ') || '-'}`);
        io.out(`  created:       ${new Date(m.createdAt).toISOString()}`);
      }),
    );
  account
    .command('passwd <address>')
    .description('set a new password')
    .option('--password-stdin', 'read the password from the first line of standard input')
    .action(async (address: string, opts: { passwordStdin?: boolean }, cmd: Command) =>
      withServices(dataDir(cmd.optsWithGlobals(), io.env), async (s) => {
        const m = await s.accounts.requireMailbox(address);
        const password = await readPassword(io, !!opts.passwordStdin, `New password for ${m.address}: `, true);
        await s.accounts.changePassword(m.address, password);
        io.out(`Password changed for ${m.address}`);
      }),
    );
  account
    .command('remove <address>')
    .description('delete a mailbox with all its mail')
    .action(async (address: string, _o: unknown, cmd: Command) =>
      withServices(dataDir(cmd.optsWithGlobals(), io.env), async (s) => {
        await s.accounts.removeMailbox(address);
        io.out(`Removed ${address}`);
      }),
    );
  account
    .command('quota <address> [size]')
    .description('show the quota and usage, or set the quota (e.g. 500M, 2G, unlimited)')
    .action(async (address: string, sizeText: string | undefined, _o: unknown, cmd: Command) =>
      withServices(dataDir(cmd.optsWithGlobals(), io.env), async (s) => {
        if (sizeText !== undefined) await s.accounts.setQuota(address, size(sizeText));
        const m = await s.accounts.requireMailbox(address);
        io.out(`${m.address}: ${formatBytes(m.usedBytes)} of ${quotaText(m)}`);
      }),
    );
  for (const [verb, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const)
    account
      .command(`${verb} <address>`)
      .description(disabled ? 'refuse every sign-in and delivery for a mailbox, keeping its mail' : 'undo disable')
      .action(async (address: string, _o: unknown, cmd: Command) =>
        withServices(dataDir(cmd.optsWithGlobals(), io.env), async (s) => {
          await s.accounts.setDisabled(address, disabled);
          io.out(`${address} ${disabled ? 'disabled' : 'enabled'}`);
        }),
      );
  account
    .command('log <address>')
    .description('recent sign-in attempts and connection events of a mailbox, newest first')
    .option('--limit <n>', 'how many', '20')
    .option('--json', 'machine-readable output')
    .action(async (address: string, opts: { limit: string; json?: boolean }, cmd: Command) =>
      withServices(dataDir(cmd.optsWithGlobals(), io.env), async (s) => {
        const m = await s.accounts.requireMailbox(address);
        const events = await s.store.listEvents(m.id, Math.max(1, Math.min(1000, Number(opts.limit) || 20)));
        if (opts.json) return io.out(JSON.stringify(events));
        for (const e of events)
          io.out(
            `${new Date(e.at).toISOString()}  ${e.protocol}:${e.port}  ${e.clientIp}  ${e.tls ? 'TLS' : 'plain'}  ${e.kind} ${e.result}${e.reason ? ` (${e.reason})` : ''}${e.clientName ? `  "${e.clientName}"` : ''}`,
          );
      }),
    );
  rulesCommands(account, io);
}
