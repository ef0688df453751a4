/**
 * The webmail's server search over a real SQLite store (the composition root's store, which describes and indexes
 * each message at delivery): words looked up in the text index across the folder and checked by the IMAP engine,
 * short words read by scanning, header fields filtered from the stored metadata, and attachments.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { makeDataDir } from '../kit/data-dir.js';
import { loadConfig } from '../../src/config/load.js';
import { createServices, type Services } from '../../src/app/services.js';
import { DEFAULT_FOLDERS } from '../../src/accounts/service.js';
import { parseAddress } from '../../src/mail/address.js';
import { extractMeta } from '../../src/mail/meta.js';
import { listPage, searchFolder } from '../../src/webmail/listing.js';
import { webmailLimits } from '../../src/lib/limits.js';

const mail = (from: string, subject: string, body: string, extra = '') =>
  Buffer.from(`From: ${from}\r\nTo: ann@example.test\r\nSubject: ${subject}\r\nMIME-Version: 1.0\r\n${extra || 'Content-Type: text/plain; charset=utf-8\r\n'}\r\n${body}\r\n`);

describe('webmail search', () => {
  let services: Services;
  let folderId: number;
  const uids: Record<string, number> = {};

  before(async () => {
    const d = await makeDataDir();
    services = createServices(loadConfig(d.dir));
    await services.store.createMailbox({ ...parseAddress('ann@example.test'), role: 'user', passwordHash: 'x', quotaBytes: 0, subscriber: { newAllowance: 1 }, enforceAllowance: false, folders: DEFAULT_FOLDERS, createdAt: Date.now() });
    const box = (await services.store.getMailbox('ann@example.test'))!;
    folderId = (await services.store.getFolder(box.id, 'INBOX'))!.id;
    const messages: Record<string, Buffer> = {
      body: mail('Bob <bob@remote.test>', 'plans', 'We land in Zanzibar on Friday.'),
      subject: mail('Carol <carol@remote.test>', 'Zanzibar photos', 'see attached'),
      encoded: mail('Dan <dan@remote.test>', '=?utf-8?q?Gr=C3=BC=C3=9Fe?=', 'Grüße aus Köln, xy'),
      attachment: mail(
        'Eve <eve@remote.test>',
        'the file',
        '--b\r\nContent-Type: text/plain\r\n\r\nhere it is\r\n--b\r\nContent-Type: application/octet-stream; name="zanzibar.bin"\r\nContent-Disposition: attachment; filename="zanzibar.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\nAAECAw==\r\n--b--',
        'Content-Type: multipart/mixed; boundary="b"\r\n',
      ),
      other: mail('Bob <bob@remote.test>', 'lunch', 'nothing to see'),
    };
    let t = Date.UTC(2026, 10, 1);
    for (const [name, raw] of Object.entries(messages)) {
      await services.store.deliver({ raw, meta: extractMeta(raw), receivedAt: (t += 60_000), targets: [{ mailboxId: box.id, folder: 'INBOX' }], queue: [] });
      uids[name] = (await services.store.listEntries(folderId)).at(-1)!.uid;
    }
  });
  after(async () => {
    await services?.close();
  });

  const found = async (q: Parameters<typeof searchFolder>[2]) => (await searchFolder(services.store, folderId, q, Date.now())).items.map((i) => i.uid).sort((a, b) => a - b);
  const of = (...names: string[]) => names.map((n) => uids[n]!).sort((a, b) => a - b);

  it('finds a word anywhere (headers and body), case-insensitively, through the index', async () => {
    // Not the attachment named zanzibar.bin: only text parts are text (issue 6), as in IMAP SEARCH.
    assert.deepEqual(await found({ text: 'zanzibar' }), of('body', 'subject'));
    assert.deepEqual(await found({ body: 'ZANZIBAR' }), of('body'));
  });

  it('decodes encoded words and charsets; reads short words by scanning', async () => {
    assert.deepEqual(await found({ subject: 'grüße' }), of('encoded'));
    assert.deepEqual(await found({ body: 'köln' }), of('encoded'));
    assert.deepEqual(await found({ body: 'xy' }), of('encoded'));
  });

  it('combines words with sender and attachment filters', async () => {
    assert.deepEqual(await found({ text: 'zanzibar', from: 'bob@' }), of('body'));
    assert.deepEqual(await found({ from: 'bob@remote' }), of('body', 'other'));
    assert.deepEqual(await found({ hasAttachment: true }), of('attachment'));
    assert.deepEqual(await found({ text: 'nowhere-to-be-found' }), []);
  });

  it('filters other letters than ASCII without regard to case, and internal dates by UTC day', async () => {
    assert.deepEqual(await found({ subject: 'GRÜßE' }), of('encoded'));
    assert.deepEqual(await found({ from: 'CAROL' }), of('subject'));
    // Delivered one a minute from 2026-11-01 00:01 UTC.
    assert.deepEqual(await found({ since: '2026-11-01', before: '2026-11-02' }), of('body', 'subject', 'encoded', 'attachment', 'other'));
    assert.deepEqual(await found({ since: '2026-11-02' }), []);
    assert.deepEqual(await found({ before: '2026-11-01' }), []);
  });

  it('sorts pages by base subject and sender from the store, with a cursor', async () => {
    const p1 = await listPage(services.store, folderId, { sort: 'subject', reverse: false, offset: 0, limit: 3 });
    assert.deepEqual(p1.items.map((i) => i.subject), ['Grüße', 'lunch', 'plans']);
    assert.equal(p1.next, 'o3');
    const p2 = await listPage(services.store, folderId, { sort: 'subject', reverse: false, offset: 3, limit: 3 });
    assert.deepEqual(p2.items.map((i) => i.subject), ['the file', 'Zanzibar photos']);
    assert.equal(p2.next, null);
    const bySender = await listPage(services.store, folderId, { sort: 'from', reverse: true, offset: 0, limit: 10 });
    assert.deepEqual(bySender.items.map((i) => i.from[0]!.name), ['Eve', 'Dan', 'Carol', 'Bob', 'Bob']);
  });
});

describe('webmail metadata search over a whole folder', () => {
  it('pages through the store newest first until it finds the oldest match, and stops at the answer limit', async () => {
    const d = await makeDataDir();
    const services = createServices(loadConfig(d.dir));
    try {
      await services.store.createMailbox({ ...parseAddress('ann@example.test'), role: 'user', passwordHash: 'x', quotaBytes: 0, subscriber: { newAllowance: 1 }, enforceAllowance: false, folders: DEFAULT_FOLDERS, createdAt: Date.now() });
      const box = (await services.store.getMailbox('ann@example.test'))!;
      const folderId = (await services.store.getFolder(box.id, 'INBOX'))!.id;
      const n = webmailLimits.searchPage * 2 + webmailLimits.searchResultsMax;
      const all: Array<Promise<unknown>> = [];
      for (let i = 0; i < n; i++) {
        const raw = mail(i === 0 ? 'Oldest <oldest@remote.test>' : `S${i} <s${i}@remote.test>`, i % 2 ? 'odd one' : 'even one', `number ${i}`);
        all.push(services.store.deliver({ raw, meta: extractMeta(raw), receivedAt: 1000 + i, targets: [{ mailboxId: box.id, folder: 'INBOX' }], queue: [] }));
      }
      await Promise.all(all);
      const oldest = await searchFolder(services.store, folderId, { from: 'OLDEST@' }, Date.now());
      assert.deepEqual(oldest.items.map((i) => i.uid), [1]);
      assert.equal(oldest.truncated, false);
      const odd = await searchFolder(services.store, folderId, { subject: 'odd' }, Date.now());
      assert.equal(odd.items.length, webmailLimits.searchResultsMax);
      assert.equal(odd.truncated, true);
      assert.equal(odd.items[0]!.uid, n); // uid n holds message n - 1: odd
    } finally {
      await services.close();
    }
  });
});
