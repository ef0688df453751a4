/** `outpost dns` and `outpost queue …` through the real CLI on a real data directory. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { makeDataDir } from '../kit/data-dir.js';
import { outpost } from '../kit/cli.js';

describe('outpost dns and outpost queue', () => {
  it('prints every record to publish, with the DKIM key made at init', async () => {
    const d = await makeDataDir();
    const r = await outpost(['--data', d.dir, 'dns', 'example.test']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^example\.test\.\t3600\tIN\tMX\t10 mail\.example\.test\.$/m);
    assert.match(r.stdout, /^example\.test\.\t3600\tIN\tTXT\t"v=spf1 mx -all"$/m);
    assert.match(r.stdout, /^s\d{4}\._domainkey\.example\.test\.\t3600\tIN\tTXT\t"v=DKIM1; k=rsa; p=MII/m);
    assert.match(r.stdout, /^_dmarc\.example\.test\..*v=DMARC1/m);
    assert.match(r.stdout, /^_submissions\._tcp\.example\.test\..*SRV\t0 1 \d+ mail\.example\.test\.$/m);
    assert.match(r.stdout, /^autoconfig\.example\.test\./m);
    assert.match(r.stdout, /^autodiscover\.example\.test\./m);
    const unknown = await outpost(['--data', d.dir, 'dns', 'other.test']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /not a domain this server hosts/);
  });

  it('lists, shows, retries, bounces and deletes queue entries', async () => {
    const d = await makeDataDir();
    const store = openSqliteStore({ path: join(d.dir, 'outpost.db') });
    const raw = Buffer.from('Subject: q\r\n\r\nbody\r\n');
    const meta = { size: raw.length, subject: 'q', from: null, to: null, cc: null, date: null, messageId: null, inReplyTo: null, references: null, structure: null };
    const { queueIds } = await store.deliver({
      raw,
      meta,
      receivedAt: Date.now(),
      targets: [],
      queue: ['a@far.test', 'b@far.test'].map((rcptTo) => ({ mailFrom: 'postmaster@example.test', rcptTo, params: { NOTIFY: 'FAILURE' }, submitterId: null, nextAttemptAt: Date.now() + 3_600_000 })),
    });
    await store.close();
    const cli = (...args: string[]) => outpost(['--data', d.dir, 'queue', ...args]);
    const list = await cli('list');
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, new RegExp(`^${queueIds[0]}\tqueued\t<postmaster@example\\.test> -> <a@far\\.test>`, 'm'));
    const show = await cli('show', String(queueIds[0]));
    assert.match(show.stdout, /parameters:  NOTIFY=FAILURE/);
    assert.match((await cli('retry', String(queueIds[0]))).stdout, /tried again/);
    assert.match((await cli('bounce', String(queueIds[1]))).stdout, /will be bounced/);
    const json = JSON.parse((await cli('list', '--json')).stdout) as Array<{ id: number; bounceRequested: boolean }>;
    assert.deepEqual(json.map((e) => e.bounceRequested), [false, true]);
    assert.match((await cli('delete', String(queueIds[0]))).stdout, /Deleted/);
    const missing = await cli('show', String(queueIds[0]));
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no queue entry/);
    assert.equal((await cli('list', '--status', 'nope')).code, 1);
  });
});
