/** `outpost account forward …` and `outpost account vacation …`. */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { RulesService } from '../../accounts/rules.js';
import { UserError } from '../../lib/errors.js';
import type { MailboxRules } from '../../store/types.js';
import { type CliIo, dataDir, withServices } from '../context.js';

function describeRules(address: string, r: MailboxRules): string[] {
  const v = r.vacation;
  return [
    `${address}`,
    `  forwarding: ${r.forwardTo.length ? `${r.forwardTo.join(', ')} (${r.keepCopy ? 'keeping a copy' : 'no copy kept'})` : 'off'}`,
    `  vacation:   ${v.enabled ? `on, once per sender every ${v.periodDays} day(s)${v.until ? ` until ${new Date(v.until).toISOString()}` : ''}; subject "${v.subject || 'Auto: <original subject>'}"` : 'off'}`,
  ];
}

export function rulesCommands(account: Command, io: CliIo): void {
  account
    .command('forward <address> [targets...]')
    .description('forward incoming mail to other addresses (no targets: show); --off stops forwarding')
    .option('--no-keep', 'do not keep a copy in this mailbox')
    .option('--off', 'stop forwarding')
    .action(async (address: string, targets: string[], opts: { keep: boolean; off?: boolean }, cmd: Command) =>
      withServices(dataDir(cmd.optsWithGlobals(), io.env), async (s) => {
        const rules = new RulesService(s.store);
        if (opts.off) await rules.setForwarding(address, [], true);
        else if (targets.length) await rules.setForwarding(address, targets, opts.keep);
        for (const l of describeRules(address, await rules.get(address))) io.out(l);
      }),
    );
  account
    .command('vacation <address>')
    .description('automatic replies while away (RFC 3834: once per sender per period, never to lists or automatic mail)')
    .option('--on', 'turn replies on')
    .option('--off', 'turn replies off')
    .option('--subject <text>', 'the reply subject (default: "Auto: " and the original subject)')
    .option('--message-file <file>', 'the reply text, from a file')
    .option('--message-stdin', 'the reply text, from standard input')
    .option('--days <n>', 'answer each sender at most once every N days', '7')
    .option('--until <date>', 'stop replying after this date (YYYY-MM-DD or ISO time)')
    .action(
      async (
        address: string,
        opts: { on?: boolean; off?: boolean; subject?: string; messageFile?: string; messageStdin?: boolean; days: string; until?: string },
        cmd: Command,
      ) =>
        withServices(dataDir(cmd.optsWithGlobals(), io.env), async (s) => {
          const rules = new RulesService(s.store);
          if (opts.on || opts.off || opts.subject !== undefined || opts.messageFile || opts.messageStdin) {
            let body: string | undefined;
            if (opts.messageFile) body = readFileSync(opts.messageFile, 'utf8');
            if (opts.messageStdin) {
              const chunks: Buffer[] = [];
              for await (const c of io.stdin) chunks.push(c as Buffer);
              body = Buffer.concat(chunks).toString('utf8');
            }
            const until = opts.until ? Date.parse(opts.until) : undefined;
            if (until !== undefined && Number.isNaN(until)) throw new UserError('invalid', `--until ${JSON.stringify(opts.until)} is not a date such as 2026-12-24`);
            if (!/^\d+$/.test(opts.days)) throw new UserError('invalid', '--days is a whole number of days');
            await rules.setVacation(address, {
              enabled: opts.off ? false : opts.on ? true : (await rules.get(address)).vacation.enabled,
              ...(opts.subject !== undefined ? { subject: opts.subject } : {}),
              ...(body !== undefined ? { body } : {}),
              periodDays: Number(opts.days),
              ...(until !== undefined ? { until } : {}),
            });
          }
          for (const l of describeRules(address, await rules.get(address))) io.out(l);
        }),
    );
}
