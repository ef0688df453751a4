/** `outpost subscriber …`, `outpost alias …`, `outpost app-password …`. */
import type { Command } from 'commander';
import { UserError } from '../../lib/errors.js';
import { type CliIo, dataDir, withServices } from '../context.js';

export function subscriberCommands(program: Command, io: CliIo): void {
  const sub = program.command('subscriber').description('subscribers: who holds an allowance of included mailboxes');
  sub
    .command('show <holder>')
    .description('the subscription held by (or including) an address, with its mailboxes')
    .option('--json', 'machine-readable output')
    .action(async (holder: string, opts: { json?: boolean }, cmd: Command) =>
      withServices(dataDir(cmd.optsWithGlobals(), io.env), async (s) => {
        const v = await s.accounts.subscriberView(holder);
        if (opts.json) return io.out(JSON.stringify({ ...v.subscriber, mailboxes: v.mailboxes.map((m) => m.address) }));
        io.out(`${v.subscriber.holder}: ${v.mailboxes.length} of ${v.subscriber.allowance} mailboxes used`);
        for (const m of v.mailboxes) io.out(`  ${m.address}`);
      }),
    );
  sub
    .command('allowance <holder> <n>')
    .description('set how many mailboxes the subscription includes')
    .action(async (holder: string, n: string, _o: unknown, cmd: Command) =>
      withServices(dataDir(cmd.optsWithGlobals(), io.env), async (s) => {
        if (!/^\d+$/.test(n)) throw new UserError('invalid', `the allowance must be a whole number, not ${JSON.stringify(n)}`);
        await s.accounts.setAllowance(holder, Number(n));
        io.out(`${holder}: allowance ${n}`);
      }),
    );
}

export function aliasCommands(program: Command, io: CliIo): void {
  const alias = program.command('alias').description('aliases: addresses that deliver to other addresses');
  alias
    .command('add <alias> <targets...>')
    .description('make an alias (or add targets to it)')
    .action(async (address: string, targets: string[], _o: unknown, cmd: Command) =>
      withServices(dataDir(cmd.optsWithGlobals(), io.env), async (s) => {
        const a = await s.accounts.addAlias(address, targets);
        io.out(`${a.address} → ${a.targets.join(', ')}`);
      }),
    );
  alias
    .command('list [domain]')
    .description('list aliases')
    .option('--json', 'machine-readable output')
    .action(async (domain: string | undefined, opts: { json?: boolean }, cmd: Command) =>
      withServices(dataDir(cmd.optsWithGlobals(), io.env), async (s) => {
        const list = await s.accounts.listAliases(domain);
        if (opts.json) return io.out(JSON.stringify(list));
        for (const a of list) io.out(`${a.address} → ${a.targets.join(', ')}${a.system ? '  (required, follows the domain admin)' : ''}`);
      }),
    );
  alias
    .command('remove <alias> [target]')
    .description('remove one target, or the whole alias')
    .action(async (address: string, target: string | undefined, _o: unknown, cmd: Command) =>
      withServices(dataDir(cmd.optsWithGlobals(), io.env), async (s) => {
        await s.accounts.removeAlias(address, target);
        io.out(target ? `${address} no longer delivers to ${target}` : `Removed ${address}`);
      }),
    );
}

export function appPasswordCommands(program: Command, io: CliIo): void {
  const app = program
    .command('app-password')
    .description('per-device passwords for SMTP, IMAP and POP3 (never for the web sign-in)');
  app
    .command('add <address> <name>')
    .description('create an app password; it is printed once')
    .action(async (address: string, name: string, _o: unknown, cmd: Command) =>
      withServices(dataDir(cmd.optsWithGlobals(), io.env), async (s) => {
        const { appPassword, secret } = await s.accounts.addAppPassword(address, name);
        io.out(`App password "${appPassword.name}" for ${address} (shown only now): ${secret}`);
      }),
    );
  app
    .command('list <address>')
    .description('list app passwords (names and last use, never the secrets)')
    .option('--json', 'machine-readable output')
    .action(async (address: string, opts: { json?: boolean }, cmd: Command) =>
      withServices(dataDir(cmd.optsWithGlobals(), io.env), async (s) => {
        const list = await s.accounts.listAppPasswords(address);
        if (opts.json) return io.out(JSON.stringify(list.map(({ secretHash: _, ...a }) => a)));
        for (const a of list)
          io.out(`${a.name}\tcreated ${new Date(a.createdAt).toISOString()}\tlast used ${a.lastUsedAt ? new Date(a.lastUsedAt).toISOString() : 'never'}`);
      }),
    );
  app
    .command('revoke <address> <name>')
    .description('revoke an app password at once')
    .action(async (address: string, name: string, _o: unknown, cmd: Command) =>
      withServices(dataDir(cmd.optsWithGlobals(), io.env), async (s) => {
        await s.accounts.revokeAppPassword(address, name);
        io.out(`Revoked "${name}" for ${address}`);
      }),
    );
}
