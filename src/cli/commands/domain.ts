/** `outpost domain add|list|remove|admin|dkim`. */
import type { Command } from 'commander';
import { UserError } from '../../lib/errors.js';
import { dkimRecord, type DkimAlgorithm } from '../../queue/dkim.js';
import { type CliIo, dataDir, withServices } from '../context.js';
import { txt } from './dns.js';

const ALGORITHMS: readonly DkimAlgorithm[] = ['rsa-sha256', 'ed25519-sha256'];

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
  domain
    .command('dkim <domain>')
    .description("add a DKIM signing key (RFC 6376) for a domain and print the TXT record to publish; mail is signed with every active key")
    .option('--algorithm <algorithm>', `${ALGORITHMS.join(' or ')} (RFC 8463)`, 'rsa-sha256')
    .option('--selector <selector>', 'the DNS selector (default: from the date and algorithm)')
    .action(async (name: string, opts: { algorithm: string; selector?: string }, cmd: Command) =>
      withServices(dataDir(cmd.optsWithGlobals(), io.env), async (s) => {
        const algorithm = ALGORITHMS.find((a) => a === opts.algorithm);
        if (!algorithm) throw new UserError('invalid', `unknown DKIM algorithm "${opts.algorithm}": use ${ALGORITHMS.join(' or ')}`);
        if (opts.selector !== undefined && !/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i.test(opts.selector))
          throw new UserError('invalid', `"${opts.selector}" is not a DNS label: letters, digits and inner hyphens, at most 63`);
        const key = await s.accounts.addDkimKey(name, algorithm, opts.selector);
        io.out(`Added a ${key.algorithm} DKIM key for ${key.domain}. Publish:`);
        io.out(`${key.selector}._domainkey.${key.domain}.\t3600\tIN\tTXT\t${txt(dkimRecord(key))}`);
      }),
    );
}
