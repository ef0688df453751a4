/** `outpost init` and `outpost serve`. */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { initDataDir } from '../../app/init.js';
import { banner, serveForever, startServer } from '../../app/serve.js';
import { loadConfig } from '../../config/load.js';
import { type CliIo, dataDir } from '../context.js';

export function initCommands(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('init')
    .description('create a data directory: outpost.toml, a self-signed certificate, the store, the first domain and its postmaster@ admin')
    .requiredOption('--hostname <name>', 'this server\'s fully qualified host name, e.g. mail.example.com')
    .requiredOption('--domain <domain>', 'the first mail domain, e.g. example.com')
    .option('--standard-ports', 'listen on 25, 587, 465, 143, 993, 110, 995, 80, 443 on all interfaces (needs privileges)')
    .option('--dns <servers...>', 'resolvers for [dns] servers, e.g. 127.0.0.1:53 (default: /etc/resolv.conf at start-up)')
    .action(async (opts: { hostname: string; domain: string; standardPorts?: boolean; dns?: string[] }, cmd: Command) => {
      const dir = dataDir(cmd.optsWithGlobals(), io.env);
      const r = await initDataDir(dir, {
        hostname: opts.hostname,
        domain: opts.domain,
        standardPorts: !!opts.standardPorts,
        ...(opts.dns ? { dnsServers: opts.dns } : {}),
      });
      io.out(`Initialised ${r.dataDir}`);
      io.out(`Admin mailbox: ${r.postmaster}`);
      io.out(`Its password (shown only now; change it with \`outpost account passwd ${r.postmaster}\`): ${r.password}`);
    });

  program
    .command('serve')
    .description('run every configured listener until SIGTERM (SIGHUP reloads the certificate); a missing data directory is initialised first')
    .action(async (_opts: unknown, cmd: Command) => {
      const dir = dataDir(cmd.optsWithGlobals(), io.env);
      if (!existsSync(dir)) {
        const hostname = io.env.OUTPOST_HOSTNAME ?? 'localhost';
        const domain = io.env.OUTPOST_DOMAIN ?? 'localhost';
        const r = await initDataDir(dir, { hostname, domain, standardPorts: false });
        io.out(`First run: initialised ${r.dataDir} for ${domain}.`);
        io.out(`Admin mailbox ${r.postmaster}, password (shown only now): ${r.password}`);
        io.out('');
      }
      const server = await startServer(loadConfig(dir));
      const cli = io.env.OUTPOST_CLI_NAME ?? `npx outpost --data ${dir}`;
      io.out(banner(server, cli));
      setExit(await serveForever(server));
    });
}
