/**
 * Durability against the real `outpost serve`: a 250 after DATA is a promise. SIGKILL while 20 clients send, then
 * restart: every acknowledged message is in the store. A full disk (a small tmpfs) gives 451 4.3.0 after DATA and
 * 452 4.3.1 at MAIL, never a 250, and the server recovers when space returns. SIGTERM: idle sessions get 421,
 * a message in progress is finished first.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServe } from '../kit/serve.js';
import { RawClient, message, sendMessage, startSmtpServer, storeView } from './kit.js';

describe('durability', () => {
  it('kill -9 while 20 clients send: after a restart, every message that got a 250 is in the store', async () => {
    const server = await startSmtpServer();
    const acked: string[] = [];
    let stop = false;
    const client = async (n: number) => {
      for (let i = 0; !stop; i++) {
        let c: RawClient | undefined;
        try {
          c = await RawClient.open(server.port.mx);
          await c.reply();
          await c.cmd('EHLO load.test');
          const subject = `k${n}-${i}`;
          const r = await sendMessage(c, 'load@sender.test', ['alice@example.test'], message('load@sender.test', 'alice@example.test', subject, 'x'.repeat(4000)));
          if (r?.startsWith('250')) acked.push(subject);
          c.close();
        } catch {
          c?.close();
          return; // the server died under us
        }
      }
    };
    const clients = Array.from({ length: 20 }, (_, n) => client(n));
    while (acked.length < 200) await new Promise((r) => setTimeout(r, 20));
    server.serve.child.kill('SIGKILL');
    await server.serve.exited;
    stop = true;
    await Promise.all(clients);
    const snapshot = [...acked];
    const again = startServe(server.dir);
    try {
      await again.waitFor(/stop: /);
      const view = await storeView(server.dir);
      const stored = new Set((await view.inbox('alice@example.test')).map((e) => e.meta.subject));
      await view.close();
      const lost = snapshot.filter((s) => !stored.has(s));
      assert.deepEqual(lost, [], `${lost.length} of ${snapshot.length} acknowledged messages lost`);
      assert.ok(snapshot.length >= 200);
    } finally {
      await again.stop();
    }
  });

  it('SIGTERM: an idle session gets 421 at once; a message in progress is finished (250) before the 421', async () => {
    const server = await startSmtpServer();
    const idle = await RawClient.open(server.port.mx);
    await idle.reply();
    await idle.cmd('EHLO idle.test');
    const busy = await RawClient.open(server.port.mx);
    await busy.reply();
    await busy.cmd('EHLO busy.test');
    await busy.cmd('MAIL FROM:<x@sender.test>');
    await busy.cmd('RCPT TO:<alice@example.test>');
    assert.match((await busy.cmd('DATA'))!, /^354/);
    busy.send('Subject: in-flight\r\n\r\nfirst half\r\n');
    server.serve.child.kill('SIGTERM');
    assert.match((await idle.reply())!, /^421 4\.3\.2 .*shutting down/);
    await new Promise((r) => setTimeout(r, 200));
    busy.send('second half\r\n.\r\n');
    assert.match((await busy.reply())!, /^250 2\.0\.0 /);
    assert.match((await busy.reply())!, /^421 4\.3\.2 /);
    assert.equal((await server.serve.exited).code, 0);
    const view = await storeView(server.dir);
    assert.ok((await view.inbox('alice@example.test')).some((e) => e.meta.subject === 'in-flight'));
    await view.close();
  });

  it('disk full: 451 4.3.0 after DATA and 452 4.3.1 at MAIL, never a 250; recovers when space returns', async (t) => {
    const mnt = mkdtempSync(join(tmpdir(), 'outpost-full-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=48m', 'tmpfs', mnt]);
    } catch {
      t.skip('cannot mount a tmpfs here');
      return;
    }
    const server = await startSmtpServer();
    await server.stop();
    const dir = join(mnt, 'data');
    cpSync(server.dir, dir, { recursive: true });
    const serve = startServe(dir);
    const filler = join(mnt, 'filler');
    try {
      await serve.waitFor(/stop: /);
      const free = () => {
        const s = statfsSync(mnt);
        return s.bavail * s.bsize;
      };
      // Leave ~20 MiB: above the 16 MiB MAIL threshold, below what a 30 MiB message needs.
      writeFileSync(filler, Buffer.alloc(Math.max(0, free() - 20 * 1024 * 1024)));
      const mx = Number(/mx\s+127\.0\.0\.1:(\d+)/.exec(serve.stdout())![1]);
      const big = await RawClient.open(mx);
      await big.reply();
      await big.cmd('EHLO client.test');
      const r = await sendMessage(big, 'x@sender.test', ['alice@example.test'], message('x@sender.test', 'alice@example.test', 'too-big-for-disk', ('b'.repeat(998) + '\r\n').repeat(30 * 1024)));
      assert.match(r!, /^451 4\.3\.0 /, 'never a 250 when the commit fails');
      assert.match((await big.cmd('MAIL FROM:<x@sender.test>'))!, /^452 4\.3\.1 /);
      big.close();
      rmSync(filler);
      await new Promise((r) => setTimeout(r, 3500));
      const ok = await RawClient.open(mx);
      await ok.reply();
      await ok.cmd('EHLO client.test');
      assert.match((await sendMessage(ok, 'x@sender.test', ['alice@example.test'], message('x@sender.test', 'alice@example.test', 'after-space-returns')))!, /^250 /);
      ok.close();
      const view = await storeView(dir);
      const subjects = (await view.inbox('alice@example.test')).map((e) => e.meta.subject);
      await view.close();
      assert.ok(subjects.includes('after-space-returns'));
      assert.ok(!subjects.includes('too-big-for-disk'));
    } finally {
      await serve.stop();
      execFileSync('umount', [mnt]);
    }
  });
});
