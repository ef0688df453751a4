/**
 * `outpost dns <domain>`: every DNS record to publish for a hosted domain, in zone-file form: MX (RFC 5321 §5.1),
 * SPF (RFC 7208), DKIM (RFC 6376 §3.6.2), DMARC (RFC 7489 §6.1), the RFC 6186 SRV records (with RFC 8314 §5.1
 * submissions), and the names Thunderbird autoconfig and Outlook Autodiscover look up.
 */
import type { Command } from 'commander';
import { UserError } from '../../lib/errors.js';
import { parseDomain } from '../../mail/address.js';
import { dkimRecord } from '../../queue/dkim.js';
import type { Services } from '../../app/services.js';
import { type CliIo, dataDir, withServices } from '../context.js';

/** TXT data in quoted character-strings of at most 255 octets (RFC 1035 §3.3.14). */
export function txt(value: string): string {
  const parts: string[] = [];
  for (let i = 0; i < value.length; i += 255) parts.push(`"${value.slice(i, i + 255)}"`);
  return parts.join(' ');
}

export async function dnsRecords(s: Services, name: string): Promise<string[]> {
  const domain = parseDomain(name);
  if (!(await s.store.getDomain(domain))) throw new UserError('not-local', `${domain} is not a domain this server hosts (add it with: outpost domain add ${domain})`);
  const c = s.config;
  const host = `${c.public.hostname}.`;
  const port = (role: keyof typeof c.public.ports, standard: number) => c.public.ports[role] ?? standard;
  const lines = [
    `; DNS records for ${domain}: publish them at your DNS provider.`,
    `${domain}.\t3600\tIN\tMX\t10 ${host}`,
    `${domain}.\t3600\tIN\tTXT\t${txt('v=spf1 mx -all')}`,
  ];
  for (const k of await s.store.listDkimKeys(domain))
    lines.push(`${k.selector}._domainkey.${domain}.\t3600\tIN\tTXT\t${txt(dkimRecord(k))}${k.active ? '' : '\t; retiring: keep until mail signed with it has been read'}`);
  lines.push(
    `_dmarc.${domain}.\t3600\tIN\tTXT\t${txt(`v=DMARC1; p=quarantine; rua=mailto:postmaster@${domain}`)}`,
    `_submissions._tcp.${domain}.\t3600\tIN\tSRV\t0 1 ${port('submissions', 465)} ${host}`,
    `_submission._tcp.${domain}.\t3600\tIN\tSRV\t10 1 ${port('submission', 587)} ${host}`,
    `_imaps._tcp.${domain}.\t3600\tIN\tSRV\t0 1 ${port('imaps', 993)} ${host}`,
    `_imap._tcp.${domain}.\t3600\tIN\tSRV\t10 1 ${port('imap', 143)} ${host}`,
    `_pop3s._tcp.${domain}.\t3600\tIN\tSRV\t20 1 ${port('pop3s', 995)} ${host}`,
    `_pop3._tcp.${domain}.\t3600\tIN\tSRV\t30 1 ${port('pop3', 110)} ${host}`,
    `autoconfig.${domain}.\t3600\tIN\tCNAME\t${host}`,
    `autodiscover.${domain}.\t3600\tIN\tCNAME\t${host}`,
    `_autodiscover._tcp.${domain}.\t3600\tIN\tSRV\t0 1 ${port('https', 443)} ${host}`,
    `; and for the server itself: an A/AAAA record for ${host} and a PTR record for its address naming ${host}`,
  );
  return lines;
}

export function dnsCommands(program: Command, io: CliIo): void {
  program
    .command('dns <domain>')
    .description('print every DNS record to publish for a hosted domain (MX, SPF, DKIM, DMARC, SRV, autoconfig)')
    .action(async (name: string, _o: unknown, cmd: Command) =>
      withServices(dataDir(cmd.optsWithGlobals(), io.env), async (s) => {
        for (const l of await dnsRecords(s, name)) io.out(l);
      }),
    );
}
