/**
 * One port, looked at the way a mail program would: connect, TLS (implicit, or after STARTTLS/STLS), the greeting
 * and capabilities, and the signs of an intercepting proxy: a greeting that is not the server's, STARTTLS removed
 * from EHLO, a certificate for another name.
 *
 * RFC 5321 §4.3.1 (220 greeting), RFC 3207 (STARTTLS), RFC 4954 (AUTH in EHLO), RFC 9051 §6.1.1 and §6.2.1
 * (CAPABILITY, STARTTLS), RFC 2449 / RFC 2595 (POP3 CAPA, STLS), RFC 8314 (implicit TLS), RFC 6125 §6 (host names
 * in certificates).
 */
import tls from 'node:tls';
import { doctorLimits } from '../lib/limits.js';
import { Conversation, connect } from './conversation.js';
import { ROLE_SHAPE, type DoctorRole, type PortProbe, type Reachability, type TlsFindings } from './types.js';

export interface ProbeTarget {
  /** The server's host name: certificates and greetings must name it. */
  host: string;
  /** Where to connect (the host name's address, or the name itself). */
  address: string;
  /** Extra trusted CA certificates (PEM), e.g. for a self-signed server. */
  ca?: string | undefined;
  /** The EHLO name the doctor gives. */
  ehloName: string;
  /** Names a genuine greeting may carry (default: `host`). */
  greetingNames?: readonly string[];
  connectTimeoutMs?: number;
  replyTimeoutMs?: number;
  now?: () => number;
}

export async function probePort(role: DoctorRole, port: number, t: ProbeTarget): Promise<PortProbe> {
  const probe: PortProbe = {
    role,
    port,
    reach: 'open',
    error: null,
    connectMs: null,
    banner: null,
    capabilities: [],
    authMechanisms: [],
    starttls: null,
    tls: null,
    interception: [],
  };
  const shape = ROLE_SHAPE[role];
  const replyMs = t.replyTimeoutMs ?? doctorLimits.replyTimeoutMs;
  const now = t.now ?? Date.now;
  const started = now();
  let c: Conversation;
  try {
    c = new Conversation(await connect(t.address, port, t.connectTimeoutMs ?? doctorLimits.connectTimeoutMs));
  } catch (e) {
    probe.reach = reachability(e);
    probe.error = (e as Error).message;
    return probe;
  }
  probe.connectMs = now() - started;
  const tlsOptions: tls.ConnectionOptions = { servername: isIp(t.host) ? undefined : t.host, ...(t.ca ? { ca: [...tls.rootCertificates, t.ca] } : {}) };
  try {
    if (shape.implicitTls) {
      try {
        probe.tls = tlsFindings(await c.upgrade(tlsOptions, replyMs), t.host, now());
        checkCertificate(probe, t.host);
      } catch (e) {
        probe.interception.push(`port ${port} should start with TLS but the handshake failed (${(e as Error).message})`);
        throw e;
      }
    }
    if (shape.protocol === 'smtp') await smtp(c, probe, t, tlsOptions, replyMs, now);
    else if (shape.protocol === 'imap') await imap(c, probe, t, tlsOptions, replyMs, now);
    else if (shape.protocol === 'pop3') await pop3(c, probe, t, tlsOptions, replyMs, now);
  } catch (e) {
    probe.error ??= (e as Error).message;
  } finally {
    c.close();
  }
  return probe;
}

function reachability(e: unknown): Reachability {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET') return 'refused';
  if (code === 'ETIMEDOUT' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'timeout';
  return 'error';
}

const isIp = (h: string) => /^[\d.]+$/.test(h) || h.includes(':');

/** What the certificate and the session say; trusted = the chain verifies against the system CAs (and `--ca`). */
export function tlsFindings(s: tls.TLSSocket, host: string, now: number): TlsFindings {
  const peer = s.getPeerCertificate();
  const x = s.getPeerX509Certificate();
  const names = (x?.subjectAltName ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n.startsWith('DNS:') || n.startsWith('IP Address:'))
    .map((n) => n.replace(/^(DNS|IP Address):/, ''));
  const validTo = x ? new Date(x.validTo) : new Date(0);
  return {
    version: s.getProtocol() ?? 'unknown',
    cipher: s.getCipher()?.name ?? 'unknown',
    trusted: s.authorized,
    trustError: s.authorized ? null : String(s.authorizationError ?? 'unknown'),
    nameMatches: peer && Object.keys(peer).length > 0 ? tls.checkServerIdentity(host, peer) === undefined : false,
    subject: x?.subject.replace(/\n/g, ', ') ?? '',
    names,
    validTo: validTo.toISOString(),
    daysLeft: Math.floor((validTo.getTime() - now) / 86_400_000),
    fingerprint256: x?.fingerprint256 ?? '',
  };
}

/** A greeting that does not name the server is someone else's: a proxy, antivirus or captive portal. */
function checkBanner(probe: PortProbe, banner: string, t: ProbeTarget): void {
  probe.banner = banner;
  const names = t.greetingNames ?? [t.host];
  if (!names.some((n) => banner.toLowerCase().includes(n.toLowerCase())))
    probe.interception.push(`the greeting on port ${probe.port} is not from ${t.host}: "${banner.slice(0, 120)}"`);
}

/** TLS with a certificate for another name: someone in between decrypts the connection (or the server is misconfigured). */
function checkCertificate(probe: PortProbe, host: string): void {
  if (!probe.tls || probe.tls.nameMatches) return;
  const names = probe.tls.names.filter((n) => !isIp(n));
  probe.interception.push(`the certificate on port ${probe.port} is for ${names.join(', ') || probe.tls.subject}, not ${host}`);
}

async function smtp(c: Conversation, probe: PortProbe, t: ProbeTarget, tlsOptions: tls.ConnectionOptions, ms: number, now: () => number): Promise<void> {
  const greeting = await c.readSmtpReply(ms);
  checkBanner(probe, `${greeting.code} ${greeting.lines[0] ?? ''}`, t);
  if (greeting.code !== 220) throw new Error(`the server refused the connection: ${greeting.code} ${greeting.lines.join(' ')}`);
  const ehlo = async () => {
    c.write(`EHLO ${t.ehloName}`);
    const r = await c.readSmtpReply(ms);
    if (r.code !== 250) throw new Error(`EHLO refused: ${r.code} ${r.lines.join(' ')}`);
    return r.lines.slice(1).map((l) => l.toUpperCase());
  };
  let keywords = await ehlo();
  if (!probe.tls) {
    probe.starttls = keywords.some((k) => k === 'STARTTLS');
    if (!probe.starttls) probe.interception.push(`port ${probe.port} does not offer STARTTLS: something on this network removes it`);
    else {
      c.write('STARTTLS');
      const r = await c.readSmtpReply(ms);
      if (r.code !== 220) throw new Error(`STARTTLS refused: ${r.code} ${r.lines.join(' ')}`);
      probe.tls = tlsFindings(await c.upgrade(tlsOptions, ms), t.host, now());
      checkCertificate(probe, t.host);
      keywords = await ehlo();
    }
  }
  probe.capabilities = keywords;
  probe.authMechanisms = keywords.find((k) => k.startsWith('AUTH '))?.slice(5).split(/\s+/) ?? [];
  c.write('QUIT');
}

async function imap(c: Conversation, probe: PortProbe, t: ProbeTarget, tlsOptions: tls.ConnectionOptions, ms: number, now: () => number): Promise<void> {
  const greeting = await c.readLine(ms);
  checkBanner(probe, greeting, t);
  if (!/^\* (OK|PREAUTH)\b/i.test(greeting)) throw new Error(`not an IMAP greeting: ${greeting.slice(0, 80)}`);
  const capability = async (tag: string) => {
    c.write(`${tag} CAPABILITY`);
    let caps: string[] = [];
    for (;;) {
      const line = await c.readLine(ms);
      if (/^\* CAPABILITY /i.test(line)) caps = line.slice(13).toUpperCase().split(/\s+/);
      if (line.startsWith(`${tag} `)) return caps;
    }
  };
  let caps = await capability('d1');
  if (!probe.tls) {
    probe.starttls = caps.includes('STARTTLS');
    if (!probe.starttls) probe.interception.push(`port ${probe.port} does not offer STARTTLS: something on this network removes it`);
    else {
      c.write('d2 STARTTLS');
      const r = await c.readLine(ms);
      if (!/^d2 OK/i.test(r)) throw new Error(`STARTTLS refused: ${r}`);
      probe.tls = tlsFindings(await c.upgrade(tlsOptions, ms), t.host, now());
      checkCertificate(probe, t.host);
      caps = await capability('d3');
    }
  }
  probe.capabilities = caps;
  c.write('d9 LOGOUT');
}

async function pop3(c: Conversation, probe: PortProbe, t: ProbeTarget, tlsOptions: tls.ConnectionOptions, ms: number, now: () => number): Promise<void> {
  const greeting = await c.readLine(ms);
  checkBanner(probe, greeting, t);
  if (!greeting.startsWith('+OK')) throw new Error(`not a POP3 greeting: ${greeting.slice(0, 80)}`);
  const capa = async () => {
    c.write('CAPA');
    const first = await c.readLine(ms);
    if (!first.startsWith('+OK')) return [];
    const lines: string[] = [];
    for (let l = await c.readLine(ms); l !== '.'; l = await c.readLine(ms)) lines.push(l.toUpperCase());
    return lines;
  };
  let caps = await capa();
  if (!probe.tls) {
    probe.starttls = caps.includes('STLS');
    if (!probe.starttls) probe.interception.push(`port ${probe.port} does not offer STLS: something on this network removes it`);
    else {
      c.write('STLS');
      const r = await c.readLine(ms);
      if (!r.startsWith('+OK')) throw new Error(`STLS refused: ${r}`);
      probe.tls = tlsFindings(await c.upgrade(tlsOptions, ms), t.host, now());
      checkCertificate(probe, t.host);
      caps = await capa();
    }
  }
  probe.capabilities = caps;
  c.write('QUIT');
}

