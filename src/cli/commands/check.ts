/**
 * `outpost check`: on the server, is everything a mail server needs in place? Listeners, certificate, the DNS
 * records `outpost dns` recommends, outbound port 25, not an open relay. Each failure with its fix; exit 1 on any.
 */
import type { Command } from 'commander';
import { runServerCheck, type CheckItem } from '../../doctor/server-check.js';
import { type CliIo, dataDir, withServices } from '../context.js';
import { dnsRecords } from './dns.js';

const MARK: Record<CheckItem['status'], string> = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' };

export function checkCommands(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('check')
    .description('check this server: listeners, certificate, published DNS records, outbound port 25, open relay')
    .option('--json', 'print the results as JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) =>
      withServices(dataDir(cmd.optsWithGlobals(), io.env), async (s) => {
        const zones = await Promise.all((await s.store.listDomains()).map(async (d) => ({ domain: d.name, lines: await dnsRecords(s, d.name) })));
        const items = await runServerCheck({ config: s.config, store: s.store, resolver: s.resolver, now: s.now, zones });
        const failed = items.filter((i) => i.status === 'fail');
        if (opts.json) io.out(JSON.stringify({ ok: failed.length === 0, items }, null, 2));
        else {
          for (const i of items) {
            io.out(`${MARK[i.status]}  ${i.area.padEnd(11)} ${i.name}: ${i.detail}`);
            if (i.fix && i.status !== 'ok') io.out(`      fix: ${i.fix}`);
          }
          const warned = items.filter((i) => i.status === 'warn').length;
          io.out('');
          io.out(failed.length === 0 ? `All ${items.length} checks passed${warned ? ` (${warned} warning${warned > 1 ? 's' : ''})` : ''}.` : `${failed.length} of ${items.length} checks failed.`);
        }
        setExit(failed.length === 0 ? 0 : 1);
      }),
    );
}
