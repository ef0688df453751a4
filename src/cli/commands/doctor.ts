/**
 * `outpost doctor ADDRESS`: run by a user on any machine (a laptop on a hotel network) to see which of the
 * server's ports this network lets through, whether anything intercepts them, and whether sending and receiving
 * work end to end. Needs no data directory. The password comes from a prompt or standard input, never argv.
 */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { UserError } from '../../lib/errors.js';
import { createResolver } from '../../dns/node-resolver.js';
import { runDoctor, type PortRole } from '../../doctor/run.js';
import { DOCTOR_ROLES, type DoctorReport } from '../../doctor/types.js';
import { verdict } from '../../doctor/verdict.js';
import { type CliIo, readPassword } from '../context.js';

const PORT_ROLES: readonly PortRole[] = [...DOCTOR_ROLES, 'http'];

function parsePort(value: string, previous: Partial<Record<PortRole, number>> = {}): Partial<Record<PortRole, number>> {
  const m = /^([a-z_0-9]+)=(\d{1,5})$/.exec(value);
  const role = m?.[1] as PortRole | undefined;
  const port = Number(m?.[2]);
  if (!m || !PORT_ROLES.includes(role!) || port < 1 || port > 65535)
    throw new UserError('invalid', `--port ${value}: write ROLE=PORT with ROLE one of ${PORT_ROLES.join(', ')}`);
  return { ...previous, [role!]: port };
}

function systemResolvers(): string[] {
  try {
    const found = readFileSync('/etc/resolv.conf', 'utf8')
      .split('\n')
      .map((l) => /^\s*nameserver\s+(\S+)/.exec(l)?.[1])
      .filter((s): s is string => !!s);
    return found.length ? found : ['127.0.0.1'];
  } catch {
    return ['127.0.0.1'];
  }
}

function describeProbe(p: DoctorReport['probes'][number]): string {
  const head = `  ${String(p.port).padStart(5)} ${p.role.padEnd(20)}`;
  if (p.reach !== 'open') return `${head}${p.reach === 'timeout' ? 'blocked (no answer)' : 'closed'}`;
  const tls = p.tls ? `${p.tls.version}, certificate ${p.tls.trusted && p.tls.nameMatches ? 'valid' : 'NOT valid'} until ${p.tls.validTo.slice(0, 10)}` : 'no TLS';
  const warn = p.interception.length > 0 ? ', INTERCEPTED' : p.error ? `, ${p.error}` : '';
  return `${head}open, ${tls}${warn}`;
}

export function doctorCommands(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('doctor <address>')
    .description('check from this machine that a mailbox can send and receive: ports, TLS, interception, a round trip')
    .option('--server <host>', 'the server host name (default: from autoconfig, else the MX)')
    .option('--port <role=port>', `a port to use instead of the standard one (roles: ${PORT_ROLES.join(', ')}); repeatable`, parsePort)
    .option('--ca <file>', 'a CA certificate (PEM) to trust besides the system ones')
    .option('--resolver <ip:port>', 'the DNS server to ask (default: those of /etc/resolv.conf)')
    .option('--password-stdin', 'read the password from the first line of standard input')
    .addOption(new Option('--json', 'print the report as JSON'))
    .action(async (address: string, opts: { server?: string; port?: Partial<Record<PortRole, number>>; ca?: string; resolver?: string; passwordStdin?: boolean; json?: boolean }) => {
      const ca = opts.ca ? readFileSync(opts.ca, 'utf8') : undefined;
      const resolver = createResolver({ servers: opts.resolver ? [opts.resolver] : systemResolvers(), timeoutMs: 2_000, tries: 2 });
      const report = await runDoctor({
        address,
        server: opts.server,
        ports: opts.port ?? {},
        ca,
        resolver,
        password: () => readPassword(io, !!opts.passwordStdin || !io.stdin.isTTY, `Password for ${address}: `, false),
        ...(opts.json ? {} : { progress: (l: string) => io.err(l) }),
      });
      const v = verdict(report);
      if (opts.json) io.out(JSON.stringify({ ...report, verdict: v }, null, 2));
      else {
        io.out(`Outpost doctor for ${report.address}: server ${report.host}`);
        for (const p of report.probes) io.out(describeProbe(p));
        if (report.signIn) io.out(`  sign-in:  ${report.signIn.ok ? report.signIn.detail : `FAILED: ${report.signIn.message}`}`);
        if (report.send) io.out(`  send:     ${report.send.ok ? report.send.detail : `FAILED: ${report.send.message}`}`);
        if (report.receive) io.out(`  receive:  ${report.receive.ok ? report.receive.detail : `FAILED: ${report.receive.message}`}`);
        if (report.roundTripMs !== null) io.out(`  round trip: ${report.roundTripMs} ms`);
        io.out('');
        for (const l of v.lines) io.out(l);
      }
      setExit(v.ok ? 0 : 1);
    });
}
