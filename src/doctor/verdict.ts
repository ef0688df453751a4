/**
 * The doctor's verdict in plain words, from the report alone (sans-I/O): which ports this network lets through,
 * what looks intercepted, and the exact settings to type into a mail program.
 */
import { doctorLimits } from '../lib/limits.js';
import { ROLE_SHAPE, type DoctorReport, type DoctorRole, type PortProbe } from './types.js';

const OUTGOING: readonly DoctorRole[] = ['submissions', 'submission', 'submission_fallback'];
const INCOMING: readonly DoctorRole[] = ['imaps', 'imap', 'pop3s', 'pop3'];

/** A port a password may be sent to: it answered, TLS verified for the server's name, nothing in between. */
export function usable(p: PortProbe): boolean {
  return p.reach === 'open' && p.error === null && p.interception.length === 0 && !!p.tls?.trusted && p.tls.nameMatches;
}

/** The best submission port (implicit TLS first, RFC 8314 §3.3), or undefined. */
export function bestOutgoing(probes: readonly PortProbe[]): PortProbe | undefined {
  return OUTGOING.map((r) => probes.find((p) => p.role === r)).find((p) => p !== undefined && usable(p));
}

/** The best port to read mail on: IMAP before POP3, implicit TLS first. */
export function bestIncoming(probes: readonly PortProbe[]): PortProbe | undefined {
  return INCOMING.map((r) => probes.find((p) => p.role === r)).find((p) => p !== undefined && usable(p));
}

const security = (r: DoctorRole) => (ROLE_SHAPE[r].implicitTls ? 'SSL/TLS' : 'STARTTLS');

function list(items: readonly (string | number)[]): string {
  const s = items.map(String);
  return s.length <= 1 ? (s[0] ?? '') : `${s.slice(0, -1).join(', ')} and ${s[s.length - 1]}`;
}

export interface Verdict {
  ok: boolean;
  lines: string[];
}

export function verdict(r: DoctorReport): Verdict {
  const lines: string[] = [];
  const ok = r.send?.ok === true && r.receive?.ok === true;
  if (ok) lines.push(`Sending and receiving work: the test message went out and was back in the INBOX of ${r.address} after ${r.roundTripMs} ms.`);

  const unreachable = r.probes.filter((p) => p.reach !== 'open');
  const timedOut = unreachable.filter((p) => p.reach === 'timeout').map((p) => p.port);
  const refused = unreachable.filter((p) => p.reach !== 'timeout').map((p) => p.port);
  if (timedOut.length > 0) lines.push(`This network blocks port${timedOut.length > 1 ? 's' : ''} ${list(timedOut)} (no answer at all).`);
  if (refused.length > 0)
    lines.push(`Port${refused.length > 1 ? 's' : ''} ${list(refused)} ${refused.length > 1 ? 'are' : 'is'} closed: this network blocks ${refused.length > 1 ? 'them' : 'it'}, or the server does not listen there.`);

  const intercepted = r.probes.flatMap((p) => p.interception);
  if (intercepted.length > 0) {
    lines.push('Something on this network answers in place of your mail server (a proxy, antivirus or hotel firewall); do not sign in through it:');
    for (const i of intercepted) lines.push(`  - ${i}`);
  }
  for (const p of r.probes) {
    if (!p.tls || p.interception.length > 0) continue;
    if (!p.tls.nameMatches) lines.push(`Port ${p.port}: the certificate is for ${list(p.tls.names) || p.tls.subject}, not ${r.host}: it is not your server's, or the server is misconfigured.`);
    else if (!p.tls.trusted) lines.push(`Port ${p.port}: the certificate is not trusted (${p.tls.trustError}); mail programs will warn. Use a certificate from a public CA (or pass --ca).`);
    if (p.tls.daysLeft < doctorLimits.certWarnDays) lines.push(`Port ${p.port}: the certificate ${p.tls.daysLeft < 0 ? 'has expired' : `expires in ${p.tls.daysLeft} days`} (${p.tls.validTo}).`);
    if (p.tls.version === 'TLSv1' || p.tls.version === 'TLSv1.1') lines.push(`Port ${p.port} uses ${p.tls.version}, which is obsolete (RFC 8996).`);
  }
  for (const p of r.probes) if (p.reach === 'open' && p.error && p.interception.length === 0) lines.push(`Port ${p.port} (${p.role}): ${p.error}.`);

  const out = bestOutgoing(r.probes);
  const inc = bestIncoming(r.probes);
  if (r.signIn && !r.signIn.ok) {
    if (r.signIn.code === 'auth-failed')
      lines.push(`The password was refused: ${r.signIn.message}. Check it; the user name is your full address (${r.address}). A mail program can also use an app password from the account page.`);
    else lines.push(`Signing in failed: ${r.signIn.message}.`);
  }
  if (r.send && !r.send.ok && r.signIn?.ok !== false) lines.push(`Sending failed: ${r.send.message}.`);
  if (r.receive && !r.receive.ok) lines.push(`Receiving failed: ${r.receive.message}.`);

  const blockedOut = OUTGOING.map((role) => r.probes.find((p) => p.role === role)).filter((p) => p && p.reach !== 'open').map((p) => p!.port);
  if (out) {
    const prefix = blockedOut.length > 0 ? `Port ${out.port} works: outgoing` : 'Outgoing';
    lines.push(`${prefix} server ${r.host}, port ${out.port}, ${security(out.role)}, sign in with your password (user name ${r.address}).`);
  } else lines.push(`No outgoing (submission) port works from this network: try another network, or ask for port ${list(OUTGOING.map((x) => r.probes.find((p) => p.role === x)?.port).filter((x) => x !== undefined) as number[])} to be opened.`);
  if (inc) {
    const kind = ROLE_SHAPE[inc.role].protocol === 'imap' ? 'IMAP' : 'POP3';
    lines.push(`Incoming server ${r.host}, ${kind}, port ${inc.port}, ${security(inc.role)}, sign in with your password (user name ${r.address}).`);
  } else lines.push('No incoming (IMAP or POP3) port works from this network.');
  if (!ok && !out && !inc) lines.push('Nothing could be tested end to end.');
  return { ok, lines };
}
