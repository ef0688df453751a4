/**
 * SEARCH over the charset samples (charset-samples.ts), Outpost's engine against a private Dovecot given the same
 * messages by dovecot-lda (../imap/dovecot-oracle.ts). They agree on windows-1252 text, on text without a charset
 * that is UTF-8 and on raw UTF-8 headers. Where they differ it is on purpose, and each difference is listed with
 * its reason; the test fails if Dovecot stops differing (the list must stay true) or if we stop agreeing elsewhere.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseCommandLine } from '../../src/protocol/imap/index.js';
import { searchMessages } from '../../src/imap/engine/search.js';
import { ImapClient, parseValues, startDovecot, type Dovecot } from '../imap/dovecot-oracle.js';
import { mailbox } from '../imap/engine-kit.js';
import { samples } from './charset-samples.js';

/** IMAP SEARCH keys with a quoted UTF-8 string. */
const SEARCHES = [
  'BODY "42€ “paid”"',
  'BODY "– it’s done"',
  'TEXT "grüße aus köln"',
  'BODY "東京"',
  'BODY "naïve FAÇADE"',
  'FROM "zoë"',
  'SUBJECT "überraschung"',
  'TEXT "€"',
  'BODY "GEBÜHR: 5 €"',
  'SUBJECT "gebühr €"',
  'BODY "preis 7€, straße"',
  'FROM "renée"',
  'SUBJECT "“angebot” für 9€"',
  'TEXT "\u0080"',
];

/** Where Outpost answers differently from Dovecot 2.3, on purpose: the query, what we find, and why. */
const DIFFERENCES: Record<string, { ours: string[]; why: string }> = {
  'TEXT "€"': {
    ours: ['windows-1252 body, 8bit', 'iso-8859-1 label, quoted-printable with =80', 'us-ascii label over windows-1252 octets', 'raw 8-bit windows-1252 header'],
    why: 'Dovecot reads iso-8859-1 0x80 as U+0080, mislabelled us-ascii and raw 8-bit headers as invalid UTF-8; we read them as windows-1252 (WHATWG), as mail clients show them',
  },
  'BODY "GEBÜHR: 5 €"': { ours: ['iso-8859-1 label, quoted-printable with =80'], why: 'iso-8859-1 is windows-1252 (WHATWG); Dovecot reads 0x80 as a C1 control' },
  'SUBJECT "gebühr €"': { ours: ['iso-8859-1 label, quoted-printable with =80'], why: 'the same in an encoded word' },
  'BODY "preis 7€, straße"': { ours: ['us-ascii label over windows-1252 octets'], why: 'us-ascii with 8-bit octets that are not UTF-8: windows-1252 for us, replacement characters for Dovecot' },
  'FROM "renée"': { ours: ['raw 8-bit windows-1252 header'], why: 'a raw 8-bit header that is not UTF-8: windows-1252 for us, replacement characters for Dovecot' },
  'SUBJECT "“angebot” für 9€"': { ours: ['raw 8-bit windows-1252 header'], why: 'the same' },
  'TEXT "\u0080"': { ours: [], why: 'no C1 control is ever read from windows-1252 or iso-8859-1 text by us; Dovecot finds the iso-8859-1 one' },
};

describe('charset SEARCH: Outpost and Dovecot', () => {
  let dovecot: Dovecot;
  let client: ImapClient;
  const { records, source } = mailbox(samples.map((s) => s.raw));
  /** Dovecot's UIDs are 1, 2, 3… in delivery order; ours are records[i].uid. */
  const name = (i: number) => samples[i]!.name;

  before(async () => {
    dovecot = await startDovecot();
    for (const s of samples) await dovecot.deliver(s.raw);
    client = await ImapClient.connect(dovecot.port);
    assert.match((await client.command('LOGIN alice secret')).status, /^OK/);
    assert.match((await client.command('SELECT INBOX')).status, /^OK/);
  });
  after(async () => {
    client?.close();
    await dovecot?.stop();
  });

  for (const query of SEARCHES) {
    it(query.replace(/[\u0080-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`), async () => {
      const text = query.replace(/"([^"]*)"/, (_, s: string) => `{${Buffer.byteLength(s)}+}\r\n${s}`);
      const { untagged, status } = await client.command(`UID SEARCH CHARSET UTF-8 ${text}`);
      assert.match(status, /^OK/);
      const theirs = untagged.flatMap((r) => parseValues(r).slice(1).map((v) => name(Number((v as { atom: string }).atom) - 1)));
      const program = parseCommandLine(`x UID SEARCH CHARSET UTF-8 ${query}`, { utf8: true });
      assert.equal(program.name, 'SEARCH');
      if (program.name !== 'SEARCH') return;
      const ours = (await searchMessages(program.program, records, { source, maxUid: records.at(-1)!.uid, now: Date.now() })).map((r) => name(records.findIndex((x) => x.uid === r.uid)));
      const difference = DIFFERENCES[query];
      if (difference === undefined) {
        assert.deepEqual(ours, theirs, 'the same answer as Dovecot');
        assert.ok(ours.length > 0, 'finds something');
      } else {
        assert.deepEqual(ours, difference.ours, difference.why);
        assert.notDeepEqual(theirs, ours, `Dovecot differs (${difference.why})`);
      }
    });
  }
});
