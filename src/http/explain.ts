/**
 * The event log in plain words: what a device did, and what to change. "Your phone tried to send through port 25
 * without signing in, from 203.0.113.5 at 09:14 — use port 465."
 */
import type { MailboxEvent } from '../store/types.js';
import type { ClientSettings } from './settings.js';

export interface Explained {
  at: number;
  ok: boolean;
  /** What happened, one sentence. */
  what: string;
  /** What to do about it, or '' when nothing is needed. */
  advice: string;
}

const PROTOCOL_WORDS: Record<MailboxEvent['protocol'], string> = {
  smtp: 'sending (SMTP)',
  submission: 'sending (SMTP)',
  imap: 'reading mail (IMAP)',
  pop3: 'reading mail (POP3)',
  web: 'this web site',
  cli: 'the server console',
};

export function timeText(at: number): string {
  return new Date(at).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

export function explainEvent(e: MailboxEvent, s: ClientSettings): Explained {
  const who = e.protocol === 'web' ? 'A web browser' : e.clientName ? `A program calling itself "${e.clientName}"` : 'A mail program';
  const where = `from ${e.clientIp} at ${timeText(e.at)}, on port ${e.port}${e.tls ? ' (encrypted)' : ' (not encrypted)'}`;
  const send = s.outgoing.find((o) => o.security === 'SSL/TLS') ?? s.outgoing[0];
  const sendHint = send ? `use port ${send.port} with ${send.security} and sign in with your full address` : 'sign in with your full address';
  const ok = e.result === 'ok';
  const base = { at: e.at, ok };
  const reason = e.reason ?? '';
  if (e.kind === 'auth' && ok)
    return {
      ...base,
      what: `${who} signed in for ${PROTOCOL_WORDS[e.protocol]} ${where}${reason.startsWith('app-password:') ? ` with the app password "${reason.slice('app-password:'.length)}"` : ''}.`,
      advice: '',
    };
  if (reason === 'bad-password')
    return { ...base, what: `${who} tried to sign in for ${PROTOCOL_WORDS[e.protocol]} with a wrong password ${where}.`, advice: 'If this was you, type the password again (or create a new app password for that device). If not, change your password.' };
  if (reason === 'app-password-on-web')
    return { ...base, what: `Someone tried to sign in to this web site with an app password ${where}.`, advice: 'App passwords work only in mail programs; sign in here with your main password.' };
  if (reason === 'plaintext-refused')
    return { ...base, what: `${who} tried to send your password without encryption for ${PROTOCOL_WORDS[e.protocol]} ${where}; it was refused before the password crossed the network.`, advice: `Turn on SSL/TLS (or STARTTLS) in that program's server settings. ${e.protocol === 'submission' || e.protocol === 'smtp' ? `For sending, ${sendHint}.` : `For reading, use port ${s.imap?.port ?? 993} with ${s.imap?.security ?? 'SSL/TLS'}.`}` };
  if (reason === 'locked-out')
    return { ...base, what: `Sign-in for ${PROTOCOL_WORDS[e.protocol]} was paused after too many wrong passwords ${where}.`, advice: 'Wait a few minutes; then fix the password saved in the device that keeps trying.' };
  if (reason === 'relay-denied' || reason === 'unauthenticated-local-sender')
    return {
      ...base,
      what: `${who} tried to send mail from your address through port ${e.port} without signing in, ${where}.`,
      advice: `This is the usual "outgoing mail" problem away from home: ${sendHint}, and tick "my outgoing server requires authentication".`,
    };
  if (reason === 'disabled') return { ...base, what: `${who} tried to sign in ${where}, but this mailbox is switched off.`, advice: 'Ask the people who run this server.' };
  if (e.kind === 'signup') return { ...base, what: `The mailbox was created on this web site ${where}.`, advice: '' };
  if (e.kind === 'password.changed') return { ...base, what: `The password was changed ${where}.`, advice: 'Mail programs that saved the old password must be given the new one.' };
  if (e.kind === 'app-password.added') return { ...base, what: `An app password was created at ${timeText(e.at)}.`, advice: '' };
  if (e.kind === 'app-password.revoked') return { ...base, what: `An app password was revoked at ${timeText(e.at)}.`, advice: '' };
  return { ...base, what: `${e.kind} (${e.protocol}) ${ok ? 'succeeded' : 'failed'}${reason ? `: ${reason}` : ''} ${where}.`, advice: '' };
}

export interface Device {
  name: string;
  protocol: MailboxEvent['protocol'];
  firstSeen: number;
  lastSeen: number;
  via: string;
}

/** Devices seen: successful sign-ins grouped by what the client calls itself and the protocol. */
export function devicesSeen(events: MailboxEvent[]): Device[] {
  const map = new Map<string, Device>();
  for (const e of events) {
    if (e.kind !== 'auth' || e.result !== 'ok') continue;
    const name = e.protocol === 'web' ? `web browser${e.clientName ? ` (${e.clientName.slice(0, 60)})` : ''}` : (e.clientName ?? '(unnamed program)');
    const key = `${e.protocol}\n${name}`;
    const d = map.get(key);
    const via = e.reason?.startsWith('app-password:') ? `app password "${e.reason.slice(13)}"` : 'main password';
    if (!d) map.set(key, { name, protocol: e.protocol, firstSeen: e.at, lastSeen: e.at, via });
    else {
      d.firstSeen = Math.min(d.firstSeen, e.at);
      if (e.at >= d.lastSeen) {
        d.lastSeen = e.at;
        d.via = via;
      }
    }
  }
  return [...map.values()].sort((a, b) => b.lastSeen - a.lastSeen);
}
