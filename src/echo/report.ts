/**
 * The echo report: how a message reached us, in plain words. Sans-I/O: built from the facts the SMTP session
 * knew and the message's own Received chain (RFC 5321 §4.4), newest first, with the time spent at each hop.
 */
import { parseHeaderFields, splitMessage, unfold } from '../mail/header-block.js';
import { doctorLimits } from '../lib/limits.js';
import type { SenderAuth } from '../inbound/types.js';

export interface ArrivalFacts {
  /** The listener role: `mx`, `submission`, `submissions`, `submission_fallback`. */
  role: string;
  port: number;
  clientIp: string;
  helo: string | null;
  tls: { version: string; cipher: string } | null;
  signedInAs: string | null;
  mailFrom: string;
  size: number;
  receivedAt: number;
  auth: SenderAuth | null;
}

export interface ReceivedHop {
  text: string;
  date: Date | null;
}

/** The Received fields, newest (ours) first, each with the date after its last `;` (RFC 5321 §4.4). */
export function receivedChain(raw: Buffer): ReceivedHop[] {
  return parseHeaderFields(splitMessage(raw).header)
    .filter((f) => f.lowerName === 'received')
    .slice(0, doctorLimits.echoReceivedMax)
    .map((f) => {
      const text = unfold(f.value).replace(/\s+/g, ' ').trim();
      const stamp = text.slice(text.lastIndexOf(';') + 1).trim();
      const t = Date.parse(stamp);
      return { text, date: text.includes(';') && !Number.isNaN(t) ? new Date(t) : null };
    });
}

const ROLE_WORDS: Record<string, string> = {
  mx: 'the MX: the port for other mail servers, no sign-in',
  submission: 'message submission with STARTTLS',
  submissions: 'message submission over implicit TLS (SSL/TLS)',
  submission_fallback: 'the alternative submission port (STARTTLS)',
};

function seconds(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  return ms < 120_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 60_000).toFixed(1)} min`;
}

export function echoReport(f: ArrivalFacts, raw: Buffer): string {
  const lines = [
    'This is the echo service: here is how your message reached us.',
    '',
    `Received:        ${new Date(f.receivedAt).toISOString()}`,
    `Port:            ${f.port} (${ROLE_WORDS[f.role] ?? f.role})`,
    `TLS:             ${f.tls ? `${f.tls.version}, cipher ${f.tls.cipher}` : 'none: the message crossed the network unencrypted'}`,
    `Signed in:       ${f.signedInAs ? `yes, as ${f.signedInAs}` : 'no'}`,
    `Client address:  ${f.clientIp}`,
    `Client name:     ${f.helo ?? '(no EHLO)'}`,
    `Envelope sender: <${f.mailFrom}>`,
    `Size:            ${f.size} bytes`,
  ];
  if (f.auth) {
    const signatures = f.auth.dkim.filter((d) => d.domain);
    const dkim = signatures.length === 0 ? 'none (not signed)' : signatures.map((d) => `${d.result} (d=${d.domain}${d.aligned ? ', aligned' : ''})`).join(', ');
    lines.push(
      `SPF:             ${f.auth.spf}`,
      `DKIM:            ${dkim}`,
      `DMARC:           ${f.auth.dmarc ? `${f.auth.dmarc.result} (${f.auth.dmarc.domain}, policy ${f.auth.dmarc.policy ?? 'none'})` : 'none'}`,
    );
  } else lines.push('SPF/DKIM/DMARC:  not checked: you signed in, so the server knows who you are');
  const hops = receivedChain(raw);
  lines.push('', `Received chain (${hops.length} hop${hops.length === 1 ? '' : 's'}, newest first):`);
  hops.forEach((h, i) => {
    const older = hops[i + 1]?.date;
    const spent = h.date && older ? `  [+${seconds(Math.max(0, h.date.getTime() - older.getTime()))} since the previous hop]` : '';
    lines.push(`  ${i + 1}. ${h.text.slice(0, 900)}${spent}`);
  });
  const first = hops[hops.length - 1]?.date;
  if (first && hops.length > 1) lines.push(`Total time in transit: ${seconds(Math.max(0, f.receivedAt - first.getTime()))}`);
  lines.push('', 'This reply is automatic (RFC 3834). The echo service answers each sender a few times per hour at most.');
  return lines.join('\r\n');
}
