/**
 * The message functions the SMTP server needs from src/mail. TEMPORARY: a colleague is writing src/mail/
 * (header-block, meta, normalise, received, submission) with these exact signatures; until it lands these minimal
 * versions stand in, and this file then becomes plain re-exports.
 */
import type { MessageMeta } from '../store/types.js';

const CRLF = '\r\n';

/** Splits at the first empty line. */
function headerEnd(raw: Buffer): number {
  const i = raw.indexOf('\r\n\r\n');
  return i < 0 ? raw.length : i + 2;
}

function headerFields(raw: Buffer): Array<{ name: string; value: string; raw: string }> {
  const text = raw.subarray(0, headerEnd(raw)).toString('latin1');
  const out: Array<{ name: string; value: string; raw: string }> = [];
  for (const line of text.split(CRLF)) {
    if (line === '') continue;
    if (/^[ \t]/.test(line) && out.length > 0) {
      const last = out[out.length - 1]!;
      last.value += line;
      last.raw += CRLF + line;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    out.push({ name: line.slice(0, colon).trim().toLowerCase(), value: line.slice(colon + 1).trim(), raw: line });
  }
  return out;
}

/** Every bare CR or LF becomes CRLF. */
export function normaliseLineEndings(raw: Buffer): Buffer {
  return Buffer.from(raw.toString('latin1').replace(/\r\n|\r|\n/g, CRLF), 'latin1');
}

export function countReceived(raw: Buffer): number {
  return headerFields(raw).filter((f) => f.name === 'received').length;
}

export interface ReceivedOptions {
  helo: string;
  clientIp: string;
  by: string;
  protocol: 'SMTP' | 'ESMTP' | 'ESMTPS' | 'ESMTPA' | 'ESMTPSA';
  tls: { version: string; cipher: string } | null;
  id: string;
  for?: string | undefined;
  date: Date;
}

/** RFC 5321 §4.4 and RFC 8314 §4.3: a Received header line (CRLF-terminated). */
export function receivedHeader(o: ReceivedOptions): string {
  const tls = o.tls ? ` (version=${o.tls.version} cipher=${o.tls.cipher})` : '';
  const forPart = o.for ? `\r\n\tfor <${o.for}>` : '';
  return `Received: from ${o.helo} ([${o.clientIp}])\r\n\tby ${o.by} with ${o.protocol}${tls} id ${o.id}${forPart};\r\n\t${o.date.toUTCString().replace('GMT', '+0000')}\r\n`;
}

export function extractMeta(raw: Buffer): MessageMeta {
  const f = headerFields(raw);
  const get = (n: string) => f.find((x) => x.name === n)?.value ?? null;
  const date = get('date');
  const parsed = date ? Date.parse(date) : NaN;
  return {
    size: raw.length,
    subject: get('subject'),
    from: get('from'),
    to: get('to'),
    cc: get('cc'),
    date: Number.isNaN(parsed) ? null : parsed,
    messageId: get('message-id'),
    inReplyTo: get('in-reply-to'),
    references: get('references'),
    structure: null,
  };
}

export interface SubmissionOptions {
  owns: (address: string) => boolean;
  hostname: string;
  now: Date;
  received: string;
  messageIdDomain: string;
}

export type SubmissionResult =
  | { ok: true; raw: Buffer; added: string[] }
  | { ok: false; reason: 'no-from' | 'from-not-owned' | 'sender-not-owned' | 'bad-from'; message: string };

/** RFC 6409 §8: From/Sender owned, Bcc and Return-Path stripped, Message-ID and Date added, Received prepended. */
export function prepareSubmission(raw: Buffer, o: SubmissionOptions): SubmissionResult {
  const fields = headerFields(raw);
  const froms = fields.filter((x) => x.name === 'from');
  if (froms.length === 0) return { ok: false, reason: 'no-from', message: 'the message has no From header' };
  if (froms.length > 1) return { ok: false, reason: 'bad-from', message: 'the message has more than one From header' };
  for (const name of ['from', 'sender'] as const) {
    const field = fields.find((x) => x.name === name);
    if (!field) continue;
    const addrs = [...field.value.matchAll(/<([^<>]*)>/g)].map((m) => m[1]!);
    const all = addrs.length ? addrs : [field.value];
    if (all.length !== 1 || /=\?/.test(field.value.replace(/<[^>]*>/, '')) && /@/.test(field.value.replace(/<[^>]*>/, '')))
      return { ok: false, reason: 'bad-from', message: `the ${name} header must hold exactly one address` };
    if (!o.owns(all[0]!.trim().toLowerCase()))
      return { ok: false, reason: name === 'from' ? 'from-not-owned' : 'sender-not-owned', message: `the ${name} address ${all[0]} is not yours` };
  }
  const end = headerEnd(raw);
  const kept = fields.filter((x) => x.name !== 'bcc' && x.name !== 'return-path').map((x) => x.raw + CRLF);
  const added: string[] = [];
  if (!fields.some((x) => x.name === 'message-id')) {
    kept.push(`Message-ID: <${Date.now().toString(36)}.${Math.random().toString(36).slice(2)}@${o.messageIdDomain}>\r\n`);
    added.push('Message-ID');
  }
  if (!fields.some((x) => x.name === 'date')) {
    kept.push(`Date: ${o.now.toUTCString().replace('GMT', '+0000')}\r\n`);
    added.push('Date');
  }
  const header = Buffer.from(o.received + kept.join(''), 'latin1');
  return { ok: true, raw: Buffer.concat([header, raw.subarray(end)]), added };
}
