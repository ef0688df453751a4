/**
 * Through the real `outpost serve`: a ~40 MiB message APPENDed over IMAPS is streamed back by FETCH BODY[] in
 * pieces from the store (BlobStore.read over 1 MiB chunks), so the server's RSS grows less than the message while
 * a slow client reads it three times (measured: about 33 MiB, which we take to be Buffers the collector has not
 * reclaimed yet; a server holding the message needs 40 MiB at once); partial fetches across chunk boundaries return the right octets. Messages
 * stored by APPEND and by SMTP submission (swaks) carry their ENVELOPE/BODYSTRUCTURE description and search
 * text from the delivery commit on.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { connect, type TLSSocket } from 'node:tls';
import { makeDataDir } from '../kit/data-dir.js';
import { startServe } from '../kit/serve.js';
import { outpost } from '../kit/cli.js';
import { LineClient } from '../kit/tcp.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';

const PASSWORD = 'a long good passphrase';
const USER = 'alice@example.test';
const MiB = 1024 * 1024;

/** ~40 MiB of 7-bit text in 76-character lines, different on every line (so nothing compresses it away). */
function bigMessage(): Buffer {
  const lines = ['From: big@example.test', `To: ${USER}`, 'Subject: the big one', 'Content-Type: text/plain; charset=us-ascii', ''];
  const header = Buffer.from(lines.join('\r\n') + '\r\n');
  const body = Buffer.alloc(40 * MiB);
  for (let at = 0, n = 0; at < body.length; n++) {
    const line = `${String(n).padStart(10, '0')} ${createHash('sha256').update(String(n)).digest('hex').slice(0, 63)}\r\n`;
    at += body.write(line, at, 'latin1');
  }
  return Buffer.concat([header, body]);
}

/** The resident set of a process, or 0 once it has exited. */
function rssBytes(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** A raw IMAPS client that reads octets slowly (the server must wait for it: backpressure). */
class SlowClient {
  #chunks: Buffer[] = [];
  #size = 0;
  #wake: (() => void) | undefined;
  private constructor(private readonly socket: TLSSocket) {
    socket.on('data', (d: Buffer) => {
      this.#chunks.push(d);
      this.#size += d.length;
      // Pause after every piece and resume a little later: a client on a slow link.
      socket.pause();
      setTimeout(() => socket.resume(), 2);
      this.#wake?.();
    });
  }

  static open(port: number): Promise<SlowClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => resolve(new SlowClient(s)));
      s.once('error', reject);
    });
  }

  send(line: string): void {
    this.socket.write(`${line}\r\n`);
  }

  /** Waits until everything received ends with a line matching `tagged`; returns it all and clears it. */
  async until(tagged: RegExp, timeoutMs = 120_000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // Only the last few KiB are looked at (joining 40 MiB on every piece would be quadratic).
      const last: Buffer[] = [];
      for (let i = this.#chunks.length - 1, n = 0; i >= 0 && n < 4096; i--) {
        last.unshift(this.#chunks[i]!);
        n += this.#chunks[i]!.length;
      }
      const tail = Buffer.concat(last).toString('latin1');
      if (tagged.test(tail)) {
        const all = Buffer.concat(this.#chunks, this.#size);
        this.#chunks = [];
        this.#size = 0;
        return all;
      }
      if (Date.now() > deadline) throw new Error(`timeout waiting for ${tagged}: ${tail}`);
      await new Promise<void>((r) => {
        this.#wake = r;
        setTimeout(r, 200);
      });
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

/** The octets of the first literal `{n}` in `response`. */
function firstLiteral(response: Buffer): Buffer {
  const text = response.toString('latin1');
  const m = /\{(\d+)\}\r\n/.exec(text);
  assert.ok(m, `a literal in ${text.slice(0, 200)}`);
  const start = m.index + m[0].length;
  return response.subarray(start, start + Number(m[1]));
}

describe('IMAP: one big message', () => {
  it('FETCH BODY[] of a 40 MiB message streams it in pieces: server RSS grows less than the message, sent three times', async () => {
    const d = await makeDataDir();
    assert.equal((await outpost(['--data', d.dir, 'account', 'add', USER, '--password-stdin'], { stdin: `${PASSWORD}\n` })).code, 0);
    const message = bigMessage();
    let serve = startServe(d.dir);
    try {
      await serve.waitFor(/Outpost is running/, 60_000);
      const c = await LineClient.open(d.ports.imaps, true);
      await c.read(/^\* OK.*\r\n/);
      await c.cmd(`a LOGIN ${USER} "${PASSWORD}"`, /^a OK/m);
      c.write(`b APPEND INBOX {${message.length}+}\r\n`);
      c.socket.write(message);
      c.write('\r\n');
      assert.match(await c.read(/^b (OK|NO|BAD).*\r\n/m, 60_000), /^b OK/m);
      c.close();
      // A fresh process, so memory the APPEND used cannot hide what FETCH needs.
      await serve.stop();
      serve = startServe(d.dir);
      await serve.waitFor(/Outpost is running/, 60_000);
      const pid = serve.child.pid!;

      const slow = await SlowClient.open(d.ports.imaps);
      await slow.until(/\* OK.*\r\n$/);
      slow.send(`a LOGIN ${USER} "${PASSWORD}"`);
      await slow.until(/^a OK.*\r\n$/m);
      slow.send('s SELECT INBOX');
      await slow.until(/^s OK.*\r\n$/m);
      slow.send('w FETCH 1 (RFC822.SIZE BODYSTRUCTURE)');
      assert.match((await slow.until(/^w OK.*\r\n$/m)).toString('latin1'), new RegExp(`RFC822\\.SIZE ${message.length} BODYSTRUCTURE \\("text" "plain"`, "i"));
      await new Promise((r) => setTimeout(r, 500));
      const baseline = rssBytes(pid);
      let peak = baseline;
      const sampler = setInterval(() => (peak = Math.max(peak, rssBytes(pid))), 10);
      // Three times in a row: 120 MiB sent. A server holding the message whole needs 40 MiB at once for each;
      // streamed, the growth is pieces in flight plus garbage the collector has not taken back yet.
      for (let round = 0; round < 3; round++) {
        slow.send(`f FETCH 1 BODY.PEEK[]`);
        const response = await slow.until(/^f OK.*\r\n$/m);
        const body = firstLiteral(response);
        assert.equal(body.length, message.length);
        assert.ok(body.equals(message), 'the octets sent are the message');
      }
      clearInterval(sampler);
      const growth = peak - baseline;
      console.log(`server RSS: baseline ${(baseline / MiB).toFixed(1)} MiB, peak growth ${(growth / MiB).toFixed(1)} MiB over 3 × ${(message.length / MiB).toFixed(0)} MiB`);
      assert.ok(growth < message.length, `server RSS grew ${(growth / MiB).toFixed(1)} MiB while sending a ${(message.length / MiB).toFixed(0)} MiB message three times`);

      // Partials across chunk boundaries, and one past the end.
      for (const [offset, length] of [
        [MiB - 5, 10],
        [3 * MiB - 100, 2 * MiB + 300],
        [message.length - 7, 100],
        [message.length + 10, 5],
      ] as const) {
        slow.send(`p FETCH 1 BODY.PEEK[]<${offset}.${length}>`);
        const r = await slow.until(/^p OK.*\r\n$/m);
        const want = message.subarray(Math.min(offset, message.length), Math.min(offset + length, message.length));
        if (want.length === 0) assert.match(r.toString('latin1'), new RegExp(`BODY\\[\\]<${offset}> (""|\\{0\\})`));
        else assert.ok(firstLiteral(r).equals(want), `BODY[]<${offset}.${length}>`);
      }
      slow.send('z LOGOUT');
      await slow.until(/^z OK.*\r\n$/m);
      slow.close();

      // A message submitted over SMTP is described at delivery too.
      await new Promise<void>((resolve, reject) =>
        execFile(
          'swaks',
          ['--server', `127.0.0.1:${d.ports.submissions}`, '--tlsc', '--auth', 'PLAIN', '--auth-user', USER, '--auth-password', PASSWORD, '--from', USER, '--to', USER, '--header', 'Subject: described at delivery'],
          (e, out, err) => (e ? reject(new Error(`${e.message}\n${out}\n${err}`)) : resolve()),
        ),
      );
    } catch (e) {
      throw new Error(`${(e as Error).message}\nserve output: ${serve.stdout().slice(-3000)}\n${serve.stderr().slice(-3000)}`);
    } finally {
      await serve.stop();
    }
    const store = openSqliteStore({ path: join(d.dir, 'outpost.db') });
    try {
      const m = (await store.getMailbox(USER))!;
      const f = (await store.getFolder(m.id, 'INBOX'))!;
      const entries = await store.listEntries(f.id);
      assert.equal(entries.length, 2);
      const described = await store.structures(f.id, entries.map((e) => e.uid));
      assert.deepEqual([...described.keys()], entries.map((e) => e.uid), 'APPEND and SMTP delivery both stored a description');
      // The big one's 40 MiB of text is over storeLimits.searchIndexTextMaxChars: not indexed, so always a candidate.
      assert.deepEqual(await store.searchText(f.id, { kind: 'term', field: 'header', needle: 'described at delivery' }), [entries[0]!.uid, entries[1]!.uid]);
    } finally {
      await store.close();
    }
  });
});
