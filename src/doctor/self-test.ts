/**
 * The web self-tests' stages, sans-I/O: from the message carrying the token (where it was filed, its flags, our
 * Received header) and the mailbox's event log (src/auth: every sign-in with protocol, port, TLS, client name),
 * what can be said about each step: sent (port, TLS, signed in as whom), delivered, fetched by a mail program.
 */
import type { MailboxEvent } from '../store/types.js';

export type StageKey = 'sent' | 'delivered' | 'fetched';

export interface Stage {
  key: StageKey;
  done: boolean;
  text: string;
}

export interface FoundMessage {
  folder: string;
  internalDate: number;
  flags: readonly string[];
  /** Our own (topmost) Received field, unfolded. */
  received: string | null;
}

/** RFC 3848 `with` keyword and RFC 8314 §4.3 TLS comment of our Received field. */
export function receivedFacts(received: string | null): { signedIn: boolean; tls: string | null } {
  const w = /\bwith (E?SMTP\w*)/i.exec(received ?? '')?.[1]?.toUpperCase() ?? '';
  const tls = /\((TLSv[\d.]+ [^)\s]+)\)/.exec(received ?? '')?.[1] ?? null;
  return { signedIn: w.endsWith('A'), tls };
}

const at = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';

export function programStages(address: string, message: FoundMessage | null, events: readonly MailboxEvent[]): Stage[] {
  if (!message)
    return [
      { key: 'sent', done: false, text: 'Waiting for your message… (send it from your mail program to your own address, with the code in the subject)' },
      { key: 'delivered', done: false, text: 'Not delivered yet.' },
      { key: 'fetched', done: false, text: 'Not fetched yet.' },
    ];
  const r = receivedFacts(message.received);
  // The sign-in that sent it: the last successful submission sign-in before delivery.
  const signIn = events
    .filter((e) => e.kind === 'auth' && e.result === 'ok' && e.protocol === 'submission' && e.at <= message.internalDate + 1000)
    .sort((a, b) => b.at - a.at)[0];
  const how = signIn
    ? `on port ${signIn.port}, ${signIn.tls ? `with TLS${r.tls ? ` (${r.tls})` : ''}` : 'WITHOUT TLS'}, signed in as ${address}${signIn.reason?.startsWith('app-password:') ? ` with the app password "${signIn.reason.slice(13)}"` : ' with your password'}${signIn.clientName ? `; the program calls itself "${signIn.clientName}"` : ''}`
    : r.signedIn
      ? `signed in${r.tls ? `, with TLS (${r.tls})` : ''}`
      : `WITHOUT signing in${r.tls ? `, with TLS (${r.tls})` : ''}: it came in like mail from another server. Set your program's outgoing server to sign in.`;
  const fetch = events
    .filter((e) => e.kind === 'auth' && e.result === 'ok' && (e.protocol === 'imap' || e.protocol === 'pop3') && e.at >= message.internalDate)
    .sort((a, b) => a.at - b.at)[0];
  const seen = message.flags.includes('\\Seen');
  const fetched = fetch
    ? `Your program fetched mail over ${fetch.protocol.toUpperCase()} on port ${fetch.port}, ${fetch.tls ? 'with TLS' : 'WITHOUT TLS'}, at ${at(fetch.at)}${seen ? ', and the message is marked as read' : ''}.`
    : seen
      ? 'The message has been opened (it is marked as read).'
      : 'Waiting for your program to fetch it (check for new mail in your program)…';
  return [
    { key: 'sent', done: true, text: `Your program sent it ${how}.` },
    { key: 'delivered', done: true, text: `Delivered into ${message.folder} at ${at(message.internalDate)}.` },
    { key: 'fetched', done: !!fetch || seen, text: fetched },
  ];
}
