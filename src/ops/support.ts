/**
 * The support view: for one mailbox, its recent sign-in attempts and connection events across SMTP, IMAP, POP3 and
 * the web, grouped by device (client IP + the name the program gives itself: EHLO, IMAP ID, User-Agent), each
 * failure explained in plain words with the fix, so a helper on the phone sees what the customer's program does
 * wrong. Sans I/O: events in, report out (the CLI and the admin console render it).
 */
import type { MailboxEvent } from '../store/types.js';
import { explainEvent, timeText, type Explained } from '../http/explain.js';
import type { ClientSettings } from '../http/settings.js';

export interface SupportDevice {
  clientIp: string;
  clientName: string | null;
  /** Protocols and ports this device used, e.g. `submission:25`, `imap:993`. */
  via: string[];
  firstSeen: number;
  lastSeen: number;
  ok: number;
  failed: number;
  /** The device's events, newest first, each in plain words with what to change. */
  events: Array<Explained & { protocol: MailboxEvent['protocol']; port: number; reason: string | null; fix: string }>;
  /** One line for the phone: the most recent failure's fix, or '' when the device's last attempt worked. */
  verdict: string;
}

/** The fix in the words a helper reads out, for the failures customers call about. */
export function fixFor(e: MailboxEvent, s: ClientSettings): string {
  if (e.result === 'ok') return '';
  const send = s.outgoing.find((o) => o.security === 'SSL/TLS') ?? s.outgoing[0];
  const sendFix = send ? `set the outgoing server to ${send.host}, port ${send.port}, ${send.security}, password required (user name ${s.address})` : 'turn on "outgoing server requires a password"';
  const read = s.imap ?? s.pop3;
  const readFix = read ? `set the incoming server to ${read.host}, port ${read.port}, ${read.security}` : 'turn on SSL/TLS';
  switch (e.reason) {
    case 'relay-denied':
    case 'unauthenticated-local-sender':
      return `tried port ${e.port} without signing in: ${sendFix}`;
    case 'plaintext-refused':
      return `tried to send the password unencrypted on port ${e.port}: ${e.protocol === 'smtp' || e.protocol === 'submission' ? sendFix : readFix}`;
    case 'bad-password':
      return 'wrong password saved in this program: type it again, or give it a new app password';
    case 'locked-out':
      return 'paused after too many wrong passwords: wait 15 minutes, then fix the password saved in this program';
    case 'app-password-on-web':
      return 'an app password was used on the web site: sign in there with the main password';
    case 'disabled':
      return 'this mailbox is switched off: an administrator must enable it';
    default:
      return e.reason ? `failed (${e.reason})` : 'failed';
  }
}

export function supportReport(events: MailboxEvent[], settings: ClientSettings): SupportDevice[] {
  const devices = new Map<string, SupportDevice>();
  for (const e of events) {
    // The web's client name is the full User-Agent: one browser, one device.
    const key = `${e.clientIp}\n${e.clientName ?? ''}`;
    let d = devices.get(key);
    if (!d) {
      d = { clientIp: e.clientIp, clientName: e.clientName, via: [], firstSeen: e.at, lastSeen: e.at, ok: 0, failed: 0, events: [], verdict: '' };
      devices.set(key, d);
    }
    const via = `${e.protocol}:${e.port}`;
    if (!d.via.includes(via)) d.via.push(via);
    d.firstSeen = Math.min(d.firstSeen, e.at);
    d.lastSeen = Math.max(d.lastSeen, e.at);
    if (e.result === 'ok') d.ok++;
    else d.failed++;
    d.events.push({ ...explainEvent(e, settings), protocol: e.protocol, port: e.port, reason: e.reason, fix: fixFor(e, settings) });
  }
  for (const d of devices.values()) {
    d.events.sort((a, b) => b.at - a.at);
    const last = d.events[0]!;
    d.verdict = last.ok ? '' : last.fix;
  }
  // Devices with a current problem first, then the most recently seen.
  return [...devices.values()].sort((a, b) => Number(b.verdict !== '') - Number(a.verdict !== '') || b.lastSeen - a.lastSeen);
}

/** Plain-text rendering for `outpost support ADDRESS`. */
export function formatSupport(address: string, devices: SupportDevice[]): string[] {
  if (devices.length === 0) return [`No sign-in attempts or connection events recorded for ${address} yet.`];
  const out = [`${address}: ${devices.length} device${devices.length === 1 ? '' : 's'} seen`];
  for (const d of devices) {
    out.push('');
    out.push(`${d.clientName ? `"${d.clientName}"` : 'unnamed program'} from ${d.clientIp} via ${d.via.join(', ')}: ${d.ok} ok, ${d.failed} failed, last ${timeText(d.lastSeen)}`);
    if (d.verdict) out.push(`  FIX: ${d.verdict}`);
    for (const e of d.events.slice(0, 5)) out.push(`  ${e.ok ? 'ok  ' : 'FAIL'} ${timeText(e.at)} ${e.what}${e.fix ? ` -> ${e.fix}` : ''}`);
    if (d.events.length > 5) out.push(`  … ${d.events.length - 5} older`);
  }
  return out;
}
