/**
 * Messages in the shapes real senders produce (Outlook, old webmails, scripts): windows-1252 and iso-8859-1 bodies
 * and encoded words with octets 0x80–0x9F, text without a charset or with us-ascii over UTF-8 or windows-1252
 * octets, raw 8-bit headers in UTF-8 (RFC 6532) and in windows-1252. Used by charset-search and charset-dovecot.
 */
const latin1 = (s: string): Buffer => Buffer.from(s.replace(/\r?\n/g, '\r\n'), 'latin1');
const utf8 = (s: string): Buffer => Buffer.from(s.replace(/\r?\n/g, '\r\n'), 'utf8');

/** Real-world shapes: what Outlook, old webmails and scripts send. */
export const samples: Array<{ name: string; raw: Buffer }> = [
  {
    name: 'windows-1252 body, 8bit',
    raw: latin1('From: shop@example.test\nSubject: invoice\nContent-Type: text/plain; charset=windows-1252\nContent-Transfer-Encoding: 8bit\n\nTotal: 42\x80 \x93paid\x94 \x96 it\x92s done\n'),
  },
  {
    name: 'iso-8859-1 label, quoted-printable with =80',
    raw: latin1('From: bank@example.test\nSubject: =?iso-8859-1?Q?Geb=FChr_=80_5?=\nContent-Type: text/plain; charset="ISO-8859-1"\nContent-Transfer-Encoding: quoted-printable\n\nGeb=FChr: 5 =80, Ma=DFnahme\n'),
  },
  {
    name: 'no Content-Type, UTF-8 octets',
    raw: utf8('From: script@example.test\nSubject: cron\n\nGrüße aus Köln, 東京 und Zürich\n'),
  },
  {
    name: 'text/plain without charset, UTF-8 octets',
    raw: utf8('From: app@example.test\nSubject: report\nContent-Type: text/plain\nContent-Transfer-Encoding: 8bit\n\nÜbersicht: naïve façade\n'),
  },
  {
    name: 'us-ascii label over windows-1252 octets',
    raw: latin1('From: old@example.test\nSubject: legacy\nContent-Type: text/plain; charset=us-ascii\n\nPreis 7\x80, Stra\xdfe\n'),
  },
  {
    name: 'raw UTF-8 header (RFC 6532)',
    raw: utf8('From: Zoë <zoe@example.test>\nSubject: Überraschung für dich\nContent-Type: text/plain; charset=utf-8\n\nhello\n'),
  },
  {
    name: 'raw 8-bit windows-1252 header',
    raw: latin1('From: Ren\xe9e <renee@example.test>\nSubject: \x93Angebot\x94 f\xfcr 9\x80\n\nbody\n'),
  },
];

