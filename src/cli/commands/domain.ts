/** `outpost domain add|list|remove|admin`. */
import type { Command } from 'commander';
import { type CliIo, dataDir, withServices } from '../context.js';

export function domainCommands(program: Command, io: CliIo): void {
  const domain = program.command('domain').description('hosted mail domains');
  domain
    .command('add <domain>')
    .description('host a domain; postmaster@ and abuse@ point to its admin')
    .option('--admin <address>', 'the mailbox that administers it (default: the first admin mailbox)')
    .action(async (name: string, opts: { admin?: string }, cmd: Command) =>
      withServices(dataDir(cmd.optsWithGlobals(), io.env), async (s) => {
        const d = await s.accounts.addDomain(name, opts.admin);
        io.out(`Added ${d.name} (admin ${d.adminAddress}; postmaster@${d.name} and abuse@${d.name} reach it)`);
      }),
    );
  domain
    .command('list')
    .description('list hosted domains')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }, cmd: Command) =>
      withServices(dataDir(cmd.optsWithGlobals(), io.env), async (s) => {
        const domains = await s.accounts.listDomains();
        if (opts.json) return io.out(JSON.stringify(domains));
        for (const d of domains) {
          const n = (await s.store.listMailboxes({ domain: d.name })).length;
          io.out(`${d.name}\tadmin ${d.adminAddress ?? '-'}\t${n} mailbox(es)\tsign-up ${d.signupPolicy}`);
        }
      }),
    );
  domain
    .command('remove <domain>')
    .description('stop hosting a domain (refused while it has mailboxes unless --with-mailboxes)')
    .option('--with-mailboxes', 'also delete every mailbox of the domain and all their mail')
    .action(async (name: string, opts: { withMailboxes?: boolean }, cmd: Command) =>
      withServices(dataDir(cmd.optsWithGlobals(), io.env), async (s) => {
        await s.accounts.removeDomain(name, !!opts.withMailboxes);
        io.out(`Removed ${name}`);
      }),
    );
  domain
    .command('admin <domain> <address>')
    .description('make a mailbox the admin of a domain (postmaster@ and abuse@ follow)')
    .action(async (name: string, address: string, _o: unknown, cmd: Command) =>
      withServices(dataDir(cmd.optsWithGlobals(), io.env), async (s) => {
        await s.accounts.setDomainAdmin(name, address);
        io.out(`${address} now administers ${name}`);
      }),
    );
}
