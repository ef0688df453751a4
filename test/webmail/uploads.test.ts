/**
 * Unsent webmail uploads on a real SQLite store (the composition root's): bounded per mailbox with a clear refusal,
 * swept after uploadKeepMs unless a draft saved since named them, and their bytes kept when a message holds them.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { makeDataDir } from '../kit/data-dir.js';
import { loadConfig } from '../../src/config/load.js';
import { createServices, type Services } from '../../src/app/services.js';
import { DEFAULT_FOLDERS } from '../../src/accounts/service.js';
import { parseAddress } from '../../src/mail/address.js';
import { extractMeta } from '../../src/mail/meta.js';
import { webmailLimits } from '../../src/lib/limits.js';
import { isOutpostError } from '../../src/lib/errors.js';
import { recordUpload, startUploadSweeper, sweepUploads } from '../../src/webmail/uploads.js';

describe('webmail uploads waiting to be sent', () => {
  let services: Services;
  let mailboxId: number;
  const t0 = Date.UTC(2026, 10, 29);

  before(async () => {
    const d = await makeDataDir();
    services = createServices(loadConfig(d.dir));
    await services.store.createMailbox({ ...parseAddress('ann@example.test'), role: 'user', passwordHash: 'x', quotaBytes: 0, subscriber: { newAllowance: 1 }, enforceAllowance: false, folders: DEFAULT_FOLDERS, createdAt: t0 });
    mailboxId = (await services.store.getMailbox('ann@example.test'))!.id;
  });
  after(async () => {
    await services?.close();
  });

  it('expire after uploadKeepMs unless refreshed by a draft; bytes a message holds stay', async () => {
    const { store } = services;
    const a = await recordUpload(store, mailboxId, Buffer.from('first upload'), t0);
    const b = await recordUpload(store, mailboxId, Buffer.from('second upload'), t0);
    const raw = Buffer.from('Subject: x\r\n\r\nbody\r\n');
    const c = await recordUpload(store, mailboxId, raw, t0);
    const inbox = (await store.getFolder(mailboxId, 'INBOX'))!;
    await store.append(inbox.id, raw, extractMeta(raw), [], t0); // the same bytes are now a message too
    await store.touchUploads(mailboxId, [b], t0 + webmailLimits.uploadKeepMs / 2); // a draft saved later names b
    assert.equal(await sweepUploads(store, t0 + webmailLimits.uploadKeepMs - 1), 0, 'nothing is old enough yet');
    assert.equal(await sweepUploads(store, t0 + webmailLimits.uploadKeepMs + 1), 2);
    assert.equal(await store.blobs.get(a), null, 'an expired upload is deleted');
    assert.ok(await store.blobs.get(b), 'an upload a draft named later stays');
    assert.ok(await store.blobs.get(c), 'bytes a message holds stay');
    assert.equal(await store.uploadBytes(mailboxId), Buffer.byteLength('second upload'));
    assert.equal(await sweepUploads(store, t0 + webmailLimits.uploadKeepMs * 2), 1);
    assert.equal(await store.blobs.get(b), null);
  });

  it('are bounded per mailbox: past uploadsPendingBytes the upload is refused with its reason, and nothing is stored', async () => {
    const { store } = services;
    const big = webmailLimits.uploadBytes;
    const n = Math.floor(webmailLimits.uploadsPendingBytes / big);
    for (let i = 0; i < n; i++) await recordUpload(store, mailboxId, Buffer.alloc(big, i + 1), t0);
    const over = Buffer.alloc(big, 200);
    await assert.rejects(recordUpload(store, mailboxId, over, t0), (e: unknown) => isOutpostError(e) && e.kind === 'user' && /at most \d+ MB/.test(e.message));
    const { createHash } = await import('node:crypto');
    assert.equal(await store.blobs.get(createHash('sha256').update(over).digest('hex')), null, 'a refused upload stores no bytes');
    assert.equal(await sweepUploads(store, t0 + webmailLimits.uploadKeepMs + 1), n);
    assert.equal(await store.uploadBytes(mailboxId), 0);
  });

  it('the sweeper runs every uploadSweepMs and stops', async (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    const { store } = services;
    const id = await recordUpload(store, mailboxId, Buffer.from('swept by the timer'), t0);
    let clock = t0 + webmailLimits.uploadKeepMs + 1;
    const errors: unknown[] = [];
    const stop = startUploadSweeper(store, () => clock, (e) => errors.push(e));
    t.mock.timers.tick(webmailLimits.uploadSweepMs);
    for (let i = 0; i < 50 && (await store.blobs.get(id)); i++) await new Promise((r) => setImmediate(r));
    assert.equal(await store.blobs.get(id), null);
    stop();
    clock += 1;
    assert.deepEqual(errors, []);
  });
});
