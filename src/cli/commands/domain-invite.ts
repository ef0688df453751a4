/** `outpost domain invite D [--count N]` and `outpost domain signup D closed|invite|open`: web sign-up policy. */
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { UserError } from '../../lib/errors.js';
import { parseDomain } from '../../mail/address.js';
import { makeInvite } from '../../http/invites.js';
import { type CliIo, dataDir, withServices } from '../context.js';

const POLICIES = ['closed', 'invite', 'open'] as const;

export function domainInviteCommands(program: Command, io: CliIo): void {
  const domain = program.commands.find((c) => c.name() === 'domain') ?? program.command('domain');
  domain
    .command('invite <domain>')
    .description('print single-use invite codes for web sign-up at a domain (its policy must be "invite")')
    .option('--count <n>', 'how many codes', '1')
    .action(async (name: string, opts: { count: string }, cmd: Command) =>
      withServices(dataDir(cmd.optsWithGlobals(), io.env), async (s) => {
        const d = await s.store.getDomain(parseDomain(name));
        if (!d) throw new UserError('not-found', `${name} is not a domain this server hosts`);
        const count = Number(opts.count);
        if (!Number.isInteger(count) || count < 1 || count > 1000) throw new UserError('invalid', '--count is a number from 1 to 1000');
        const secret = await s.store.settingOnce('http.secret', randomBytes(32).toString('hex'));
        for (let i = 0; i < count; i++) io.out(makeInvite(secret, d.name));
        if (d.signupPolicy !== 'invite') io.err(`note: sign-up at ${d.name} is ${d.signupPolicy}; codes work once it is "invite" (outpost domain signup ${d.name} invite)`);
      }),
    );
  domain
    .command('signup <domain> <policy>')
    .description('who may sign up on the web: closed (default), invite (codes from `outpost domain invite`) or open (rate limited per IP)')
    .action(async (name: string, policy: string, _o: unknown, cmd: Command) =>
      withServices(dataDir(cmd.optsWithGlobals(), io.env), async (s) => {
        if (!(POLICIES as readonly string[]).includes(policy)) throw new UserError('invalid', `the policy is one of ${POLICIES.join(', ')}`);
        const d = parseDomain(name);
        if (!(await s.store.getDomain(d))) throw new UserError('not-found', `${name} is not a domain this server hosts`);
        await s.store.updateDomain(d, { signupPolicy: policy as (typeof POLICIES)[number] });
        io.out(`Sign-up at ${d} is now ${policy}`);
      }),
    );
}
