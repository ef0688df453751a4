/**
 * ENVELOPE from a message's header fields.
 *
 * RFC 3501 §7.4.2 and RFC 9051 §7.5.2: date, subject, from, sender, reply-to, to, cc, bcc, in-reply-to and
 * message-id, as written (unfolded, encoded words left encoded: the client decodes them); sender and reply-to
 * default to from; a group is (NIL NIL "name" NIL) … (NIL NIL NIL NIL); a field that is absent or empty is NIL.
 * Address parsing is src/mail/address-list (RFC 5322 §3.4); a list it refuses is read leniently here, because an
 * ENVELOPE must describe whatever arrived.
 */
import type { Envelope, EnvelopeAddress, EnvelopeEntry } from '../../protocol/imap/index.js';
import { parseAddressList, type Mailbox, type PhraseWord } from '../../mail/address-list.js';
import type { HeaderField } from '../../mail/header-block.js';

/** The first field called `lowerName`, unfolded, trimmed; null when absent. */
function fieldText(fields: readonly HeaderField[], lowerName: string): string | null {
  const f = fields.find((x) => x.lowerName === lowerName);
  return f === undefined ? null : f.value.replace(/\r?\n/g, '').trim();
}

/** Words of a display name as written (quotes removed, encoded words kept), one space between words. */
function phraseAsWritten(words: readonly PhraseWord[]): string {
  let out = '';
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const prev = words[i - 1];
    const space = prev !== undefined && (w.spaceBefore || (prev.kind !== 'dot' && w.kind !== 'dot'));
    out += (space ? ' ' : '') + w.text;
  }
  return out;
}

function addressOf(m: Mailbox): EnvelopeAddress {
  let name = phraseAsWritten(m.nameWords);
  // `addr@host (Full Name)`: the comment is the only name there is (RFC 5322 §3.4 obsolete practice).
  if (name === '' && m.comments.length > 0) name = m.comments[m.comments.length - 1]!.text.trim();
  return { name: name === '' ? null : name, adl: null, mailbox: m.localPart, host: m.domain };
}

/** A lenient reading of an address list the RFC 5322 parser refused: every `<a@b>` or `a@b`, in order. */
function lenientAddresses(value: string): EnvelopeEntry[] {
  const out: EnvelopeEntry[] = [];
  for (const piece of value.split(',')) {
    const text = piece.trim();
    if (text === '') continue;
    const angle = /^(.*?)<([^<>]*)>/.exec(text);
    const spec = (angle ? angle[2]! : text).trim();
    const at = spec.lastIndexOf('@');
    const name = angle ? angle[1]!.trim().replace(/^"(.*)"$/, '$1') : '';
    out.push({
      name: name === '' ? null : name,
      adl: null,
      mailbox: at < 0 ? spec : spec.slice(0, at),
      host: at < 0 ? null : spec.slice(at + 1),
    });
  }
  return out;
}

/** An address-list field as ENVELOPE entries; null when the field is absent or holds no address. */
export function addressField(fields: readonly HeaderField[], lowerName: string): EnvelopeEntry[] | null {
  const value = fieldText(fields, lowerName);
  if (value === null || value === '') return null;
  const parsed = parseAddressList(value);
  const entries: EnvelopeEntry[] = parsed.ok
    ? parsed.entries.map((e) =>
        e.kind === 'mailbox' ? addressOf(e.mailbox) : { group: phraseAsWritten(e.nameWords), members: e.mailboxes.map(addressOf) },
      )
    : lenientAddresses(value);
  return entries.length === 0 ? null : entries;
}

/** Subject text for people: white-space runs (folding included) become one space, as Dovecot sends it. */
function forHumans(s: string | null): string | null {
  return s === null ? null : s.replace(/[ \t\r\n]+/g, ' ').trim();
}

export function envelopeOf(fields: readonly HeaderField[]): Envelope {
  const from = addressField(fields, 'from');
  const nonEmpty = (s: string | null): string | null => (s === null || s === '' ? null : s);
  return {
    date: nonEmpty(fieldText(fields, 'date')),
    subject: nonEmpty(forHumans(fieldText(fields, 'subject'))),
    from,
    sender: addressField(fields, 'sender') ?? from,
    replyTo: addressField(fields, 'reply-to') ?? from,
    to: addressField(fields, 'to'),
    cc: addressField(fields, 'cc'),
    bcc: addressField(fields, 'bcc'),
    inReplyTo: nonEmpty(fieldText(fields, 'in-reply-to')),
    messageId: nonEmpty(fieldText(fields, 'message-id')),
  };
}
