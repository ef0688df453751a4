/**
 * The network doctor end to end: learn the server and its ports (autoconfig, else MX and the standard ports),
 * probe every port at once, then sign in, send a message to oneself through the best submission port and read it
 * back through the best incoming port. Every DNS lookup goes through the given resolver.
 */
import http from 'node:http';
import net from 'node:net';
import { parseAddress } from '../mail/address.js';
import { UserError } from '../lib/errors.js';
import { doctorLimits } from '../lib/limits.js';
import type { Resolver } from '../dns/resolver.js';
import { parseAutoconfig, type LearnedSettings } from './autoconfig.js';
import { probePort } from './probe.js';
import { openImapInbox, receiveTest, sendTest, type OpenInbox } from './round-trip.js';
import { DOCTOR_ROLES, DOCTOR_STANDARD_PORTS, ROLE_SHAPE, type DoctorReport, type DoctorRole } from './types.js';
import { bestIncoming, bestOutgoing } from './verdict.js';

export type PortRole = DoctorRole | 'http';

export interface DoctorOptions {
  address: string;
  /** The server's host name when autoconfig is not to be asked (or does not answer). */
  server?: string | undefined;
  /** Ports given on the command line win over autoconfig's and the standard ones. */
  ports: Partial<Record<PortRole, number>>;
  ca?: string | undefined;
  resolver: Resolver;
  /** Asked only once a port is found that a password may be sent to. */
  password: () => Promise<string>;
  now?: () => number;
  /** Progress for people watching (stderr). */
  progress?: (line: string) => void;
}

export async function runDoctor(o: DoctorOptions): Promise<DoctorReport> {
  const now = o.now ?? Date.now;
  const address = parseAddress(o.address).address;
  const domain = address.slice(address.lastIndexOf('@') + 1);
  const progress = o.progress ?? (() => {});

  const learned = await learn(o, domain, address);
  const host = (o.server ?? learned?.settings.host ?? (await mxHost(o.resolver, domain))).toLowerCase();
  const source = learned ? `autoconfig (${learned.url})` : o.server ? 'the --server option and the standard ports' : 'the MX record and the standard ports';
  progress(`Server ${host}, settings from ${source}.`);
  const ip = await addressOf(o.resolver, host);

  const ports = { ...DOCTOR_STANDARD_PORTS, ...learned?.settings.ports, ...withoutHttp(o.ports) };
  progress(`Probing ports ${DOCTOR_ROLES.map((r) => ports[r]).join(', ')} of ${host} (${ip})…`);
  const target = { host, address: ip, ca: o.ca, ehloName: 'outpost-doctor.invalid', now };
  const probes = await Promise.all(DOCTOR_ROLES.map((role) => probePort(role, ports[role], target)));

  const report: DoctorReport = { address, host, source, at: new Date(now()).toISOString(), probes, signIn: null, send: null, receive: null, roundTripMs: null };
  const out = bestOutgoing(probes);
  const inc = bestIncoming(probes);
  if (!out) return report;
  const rt = { host, address: ip, ca: o.ca, user: address, password: await o.password(), now };
  progress(`Signing in on port ${out.port} and sending a test message to ${address}…`);
  // IMAP is opened before the message leaves, so the round trip is sending + delivery, not the reader's sign-in.
  let inbox: OpenInbox | null = null;
  let inboxFailed: Awaited<ReturnType<typeof openImapInbox>> | null = null;
  const sent = await sendTest(rt, out, async () => {
    if (!inc || ROLE_SHAPE[inc.role].protocol !== 'imap') return;
    const opened = await openImapInbox(rt, inc);
    if ('ok' in opened) inboxFailed = opened;
    else inbox = opened;
  });
  try {
    report.signIn = sent.signIn;
    report.send = { ...sent.send, role: out.role };
    if (!sent.send.ok || !inc) return report;
    progress(`Waiting for it on port ${inc.port}…`);
    const opened = inbox as OpenInbox | null;
    const got = inboxFailed ?? (opened ? await opened.wait(sent.token) : await receiveTest(rt, inc, sent.token));
    const { foundAt, ...receive } = got as typeof got & { foundAt?: number };
    report.receive = { ...receive, role: inc.role };
    if (foundAt !== undefined) report.roundTripMs = foundAt - sent.sentAt;
    return report;
  } finally {
    await (inbox as OpenInbox | null)?.close();
  }
}

function withoutHttp(p: Partial<Record<PortRole, number>>): Partial<Record<DoctorRole, number>> {
  const { http: _http, ...rest } = p;
  return rest;
}

/**
 * Thunderbird's lookup order, over plain HTTP as Thunderbird does (the answer holds no secret): the server given,
 * then `autoconfig.<domain>`. Names are resolved through our resolver, never the machine's.
 */
async function learn(o: DoctorOptions, domain: string, address: string): Promise<{ settings: LearnedSettings; url: string } | null> {
  const hosts = [...(o.server ? [o.server] : []), `autoconfig.${domain}`];
  const port = o.ports.http ?? 80;
  for (const h of hosts) {
    let ip: string;
    try {
      ip = await addressOf(o.resolver, h);
    } catch {
      continue;
    }
    const path = `/mail/config-v1.1.xml?emailaddress=${encodeURIComponent(address)}`;
    const text = await fetchText(ip, port, h, path).catch(() => null);
    const settings = text ? parseAutoconfig(text) : null;
    if (settings) return { settings, url: `http://${h}${port === 80 ? '' : `:${port}`}${path}` };
  }
  return null;
}

function fetchText(ip: string, port: number, hostHeader: string, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: ip, port, path, headers: { host: port === 80 ? hostHeader : `${hostHeader}:${port}` }, timeout: doctorLimits.connectTimeoutMs }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return reject(new Error(`HTTP ${res.statusCode}`));
      }
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        body += d;
        if (body.length > doctorLimits.autoconfigMaxBytes) req.destroy(new Error('autoconfig too large'));
      });
      res.on('end', () => resolve(body));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

async function mxHost(resolver: Resolver, domain: string): Promise<string> {
  try {
    const mx = (await resolver.resolveMx(domain)).sort((a, b) => a.priority - b.priority)[0];
    if (mx?.exchange) return mx.exchange.replace(/\.$/, '');
  } catch {
    // no MX: the domain itself (RFC 5321 §5.1 implicit MX)
  }
  return domain;
}

async function addressOf(resolver: Resolver, host: string): Promise<string> {
  const literal = host.replace(/^\[|\]$/g, '');
  if (net.isIP(literal)) return literal;
  try {
    return (await resolver.resolve4(host))[0]!;
  } catch {
    try {
      return (await resolver.resolve6(host))[0]!;
    } catch (e) {
      throw new UserError('not-found', `${host} has no address in DNS (${(e as Error).message})`);
    }
  }
}
