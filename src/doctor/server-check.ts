/**
 * `outpost check`, run on the server: every listener answers as Outpost (with TLS), the certificate is valid for
 * the public host name and not near expiry, the DNS records `outpost dns` recommends are published (asked through
 * `[dns] servers`), outbound port 25 reaches `[check] probe_host`, and our own MX refuses to relay to a foreign
 * domain (RFC 5321 §3.6.2, RFC 2505 §2.1). Each failure comes with its fix.
 */
import net from 'node:net';
import type { Config } from '../config/load.js';
import type { ListenerRole } from '../config/schema.js';
import type { Store } from '../store/types.js';
import type { Resolver } from '../dns/resolver.js';
import { lookupAddresses, lookupPublished } from '../dns/published.js';
import { doctorLimits } from '../lib/limits.js';
import { certificateExpiryWarnings, certificateStatus } from '../tls/status.js';
import { Conversation, connect } from './conversation.js';
import { compareRecord, parseZone, type ZoneLine } from './dns-check.js';
import { probePort } from './probe.js';
import { DOCTOR_ROLES, type DoctorRole } from './types.js';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface CheckItem {
  area: 'listener' | 'certificate' | 'dns' | 'outbound' | 'relay';
  name: string;
  status: CheckStatus;
  detail: string;
  fix: string | null;
}

export interface ServerCheckInput {
  config: Config;
  store: Store;
  resolver: Resolver;
  now: () => number;
  /** `outpost dns` output per hosted domain. */
  zones: Array<{ domain: string; lines: string[] }>;
}

export async function runServerCheck(i: ServerCheckInput): Promise<CheckItem[]> {
  const [listeners, certs, dns, outbound, relay] = await Promise.all([checkListeners(i.config), checkCertificate(i), checkDns(i), checkOutbound(i), checkRelay(i.config)]);
  return [...listeners, ...certs, ...dns, ...outbound, ...relay];
}

const loopbackFor = (host: string) => (host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host);

async function checkListeners(config: Config): Promise<CheckItem[]> {
  const jobs: Array<Promise<CheckItem>> = [];
  for (const [role, addrs] of Object.entries(config.listen) as Array<[ListenerRole, { host: string; port: number }[]]>)
    for (const a of addrs) jobs.push(checkListener(config, role, loopbackFor(a.host), a.port));
  return Promise.all(jobs);
}

async function checkListener(config: Config, role: ListenerRole, host: string, port: number): Promise<CheckItem> {
  const name = `${role} on ${net.isIPv6(host) ? `[${host}]` : host}:${port}`;
  const down = (detail: string): CheckItem => ({ area: 'listener', name, status: 'fail', detail, fix: 'start `outpost serve` (and check its log: another program may hold the port)' });
  if (!(DOCTOR_ROLES as readonly string[]).includes(role)) {
    try {
      (await connect(host, port, doctorLimits.connectTimeoutMs)).destroy();
      return { area: 'listener', name, status: 'ok', detail: 'accepts connections', fix: null };
    } catch (e) {
      return down((e as Error).message);
    }
  }
  const p = await probePort(role as DoctorRole, port, { host: config.public.hostname, greetingNames: [config.server.hostname, config.public.hostname], address: host, ehloName: config.server.hostname });
  if (p.reach !== 'open') return down(p.error ?? p.reach);
  if (p.interception.length > 0) return { area: 'listener', name, status: 'fail', detail: p.interception.join('; '), fix: 'another program answers on this port: stop it, or move the listener in [listen]' };
  if (p.error) return { area: 'listener', name, status: 'fail', detail: p.error, fix: 'see the server log for this listener' };
  return { area: 'listener', name, status: 'ok', detail: p.tls ? `answers, ${p.tls.version}` : 'answers', fix: null };
}

async function checkCertificate(i: ServerCheckInput): Promise<CheckItem[]> {
  const now = i.now();
  const host = i.config.public.hostname;
  const rows = await certificateStatus({ store: i.store, config: i.config, now });
  const items: CheckItem[] = [];
  const row = rows.find((r) => r.name === host) ?? rows.find((r) => r.name.startsWith('*.') && host.endsWith(r.name.slice(1)));
  if (!row || row.notAfter === null)
    items.push({ area: 'certificate', name: host, status: 'fail', detail: 'no certificate names this host', fix: `enable [acme], or put a certificate for ${host} in [tls] cert/key` });
  else if (row.source === 'self-signed')
    items.push({ area: 'certificate', name: host, status: 'warn', detail: `self-signed, valid until ${new Date(row.notAfter).toISOString().slice(0, 10)}: mail programs will warn`, fix: 'enable [acme] for a certificate from a public CA' });
  else items.push({ area: 'certificate', name: host, status: 'ok', detail: `${row.source}, issued by ${row.issuer ?? '?'}, ${row.daysLeft} days left`, fix: null });
  for (const w of await certificateExpiryWarnings({ store: i.store, config: i.config, now }, doctorLimits.certWarnDays))
    items.push({ area: 'certificate', name: w.name, status: 'fail', detail: w.message, fix: w.source === 'acme' ? 'see `outpost cert status` for the renewal error' : 'replace [tls] cert/key (or enable [acme]) and send SIGHUP' });
  return items;
}

/** The fix for a record that could not be looked up (src/dns/published.ts): it may well be published. */
const RETRY_FIX = 'the DNS servers gave no answer: check [dns] servers, then run the check again';

const LABEL: Record<string, string> = { MX: 'MX', SRV: 'SRV', CNAME: 'CNAME' };

function label(z: ZoneLine): string {
  if (z.type !== 'TXT') return `${LABEL[z.type]} ${z.name}`;
  if (z.name.includes('._domainkey.')) return `DKIM ${z.name}`;
  if (z.name.startsWith('_dmarc.')) return `DMARC ${z.name}`;
  return `SPF ${z.name}`;
}

async function checkDns(i: ServerCheckInput): Promise<CheckItem[]> {
  const host = i.config.public.hostname;
  const items: Array<Promise<CheckItem>> = [
    (async () => {
      const found = await lookupAddresses(i.resolver, host);
      const name = `A/AAAA ${host}`;
      if (found.kind === 'records') return { area: 'dns' as const, name, status: 'ok' as const, detail: found.values.join(', '), fix: null };
      if (found.kind === 'unchecked') return { area: 'dns' as const, name, status: 'warn' as const, detail: `could not check: ${found.message}`, fix: RETRY_FIX };
      return { area: 'dns' as const, name, status: 'fail' as const, detail: 'the server name has no address', fix: `publish an A (and AAAA) record for ${host}` };
    })(),
  ];
  for (const { lines } of i.zones)
    for (const z of parseZone(lines))
      items.push(
        (async () => {
          const published = await lookupPublished(i.resolver, z.name, z.type);
          const v = compareRecord(z, published);
          // A CNAME may be replaced by A records pointing at the same place.
          if (z.type === 'CNAME' && v.status !== 'ok') {
            const [mine, theirs] = await Promise.all([i.resolver.resolve4(z.data.replace(/\.$/, '')).catch((): string[] => []), i.resolver.resolve4(z.name).catch((): string[] => [])]);
            if (theirs.length > 0 && theirs.every((a) => mine.includes(a))) return { area: 'dns' as const, name: label(z), status: 'ok' as const, detail: `resolves to ${theirs.join(', ')}`, fix: null };
          }
          const fix = v.status === 'ok' ? null : published.kind === 'unchecked' ? RETRY_FIX : `publish: ${z.line}`;
          return { area: 'dns' as const, name: label(z), status: v.status, detail: v.detail, fix };
        })(),
      );
  return Promise.all(items);
}

async function checkOutbound(i: ServerCheckInput): Promise<CheckItem[]> {
  const probe = i.config.check.probeHost;
  if (!probe) return [{ area: 'outbound', name: 'outbound port 25', status: 'warn', detail: 'not tested: no [check] probe_host', fix: 'set [check] probe_host = "a mail server you may connect to:25"' }];
  const m = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(probe);
  const host = m?.[1] ?? probe;
  const port = Number(m?.[2] ?? 25);
  const name = `outbound port ${port} to ${host}`;
  const fix = 'your provider blocks outgoing port 25: ask them to open it, or relay through [smarthost]';
  try {
    const address = net.isIP(host) ? host : ((await i.resolver.resolve4(host))[0] ?? host);
    const c = new Conversation(await connect(address, port, doctorLimits.connectTimeoutMs));
    try {
      const r = await c.readSmtpReply(doctorLimits.replyTimeoutMs);
      c.write('QUIT');
      if (r.code !== 220) return [{ area: 'outbound', name, status: 'fail', detail: `answered ${r.code} ${r.lines[0] ?? ''}`, fix }];
      return [{ area: 'outbound', name, status: 'ok', detail: `reached: ${r.code} ${r.lines[0] ?? ''}`.trim(), fix: null }];
    } finally {
      c.close();
    }
  } catch (e) {
    return [{ area: 'outbound', name, status: 'fail', detail: (e as Error).message, fix }];
  }
}

/** Connects to our own MX as a stranger and asks it to relay to a domain that can never be ours (RFC 2606 .invalid). */
async function checkRelay(config: Config): Promise<CheckItem[]> {
  const mx = config.listen.mx?.[0];
  if (!mx) return [{ area: 'relay', name: 'open relay test', status: 'warn', detail: 'not tested: the mx listener is off', fix: null }];
  const host = loopbackFor(mx.host);
  const name = `open relay test on ${host}:${mx.port}`;
  const ms = doctorLimits.replyTimeoutMs;
  try {
    const c = new Conversation(await connect(host, mx.port, doctorLimits.connectTimeoutMs));
    try {
      await c.readSmtpReply(ms);
      c.write('EHLO outpost-check.invalid');
      await c.readSmtpReply(ms);
      c.write('MAIL FROM:<relay-test@outpost-check.invalid>');
      const mail = await c.readSmtpReply(ms);
      if (mail.code !== 250) return [{ area: 'relay', name, status: 'ok', detail: `refused at MAIL: ${mail.code} ${mail.lines[0] ?? ''}`, fix: null }];
      c.write('RCPT TO:<relay-test@relay-target.invalid>');
      const rcpt = await c.readSmtpReply(ms);
      c.write('RSET');
      c.write('QUIT');
      if (rcpt.code >= 500) return [{ area: 'relay', name, status: 'ok', detail: `relaying refused: ${rcpt.code} ${rcpt.lines[0] ?? ''}`, fix: null }];
      if (rcpt.code >= 400) return [{ area: 'relay', name, status: 'warn', detail: `temporarily refused: ${rcpt.code} ${rcpt.lines[0] ?? ''}`, fix: null }];
      return [
        {
          area: 'relay',
          name,
          status: 'fail',
          detail: `OPEN RELAY: a stranger's message to a foreign domain was accepted (${rcpt.code} ${rcpt.lines[0] ?? ''})`,
          fix: 'remove this network from [smtp] trusted_networks (only your own servers belong there)',
        },
      ];
    } finally {
      c.close();
    }
  } catch (e) {
    return [{ area: 'relay', name, status: 'fail', detail: `could not talk to the MX: ${(e as Error).message}`, fix: 'start `outpost serve`' }];
  }
}
