/**
 * The POP3 session in memory (sans-I/O: lines in, responses out), on a real SQLite store: LOGIN-DELAY and EXPIRE as
 * configured, and [SYS/TEMP] when the store fails, with nothing lost and the lock released.
 */
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { testServices, type TestServices } from '../kit/services.js';
import { Pop3Session } from '../../src/pop3/session.js';
import type { Pop3Options } from '../../src/pop3/types.js';
import type { Store } from '../../src/store/types.js';
import { TemporaryError } from '../../src/lib/errors.js';

const PASSWORD = 'a long good passphrase';

describe('POP3 session (in memory)', () => {
  let t: TestServices;
  beforeEach(async () => {
    t = await testServices();
    await t.accounts.bootstrap('example.test', 'admins secret passphrase');
    const m = await t.accounts.addMailbox('alice@example.test', PASSWORD);
    const inbox = (await t.store.getFolder(m.id, 'INBOX'))!;
    const raw = Buffer.from('Subject: one\r\n\r\nbody\r\n');
    await t.store.append(inbox.id, raw, { size: raw.length, subject: 'one', from: null, to: null, cc: null, date: null, messageId: null, inReplyTo: null, references: null, structure: null }, [], 1);
  });
  afterEach(() => t.close());

  function session(options: Partial<Pop3Options> = {}, store: Store = t.store) {
    const out: string[] = [];
    const s = new Pop3Session(
      { store, auth: t.auth, now: () => t.clock.now, log: pino({ level: 'silent' }), options: { hostname: 'mail.example.test', expire: 'NEVER', loginDelaySeconds: 0, ...options } },
      { clientIp: '192.0.2.1', localPort: 995, tls: true, canStartTls: false },
      { write: (d) => void out.push(d.toString()), close: () => undefined, startTls: async () => undefined },
    );
    const say = async (line: string) => {
      out.length = 0;
      await s.onLine(line);
      return out.join('');
    };
    return { s, say };
  }

  it('advertises EXPIRE and LOGIN-DELAY as configured and enforces the delay', async () => {
    const a = session({ expire: 30, loginDelaySeconds: 300 });
    const capa = await a.say('CAPA');
    assert.match(capa, /\r\nEXPIRE 30\r\n/);
    assert.match(capa, /\r\nLOGIN-DELAY 300\r\n/);
    await a.say('USER alice@example.test');
    assert.match(await a.say(`PASS ${PASSWORD}`), /^\+OK/);
    await a.say('QUIT');
    t.clock.now += 60_000;
    const b = session({ loginDelaySeconds: 300 });
    await b.say('USER alice@example.test');
    assert.match(await b.say(`PASS ${PASSWORD}`), /^-ERR \[LOGIN-DELAY\] signed in too recently; wait 240 seconds/);
    t.clock.now += 241_000;
    const c = session({ loginDelaySeconds: 300 });
    await c.say('USER alice@example.test');
    assert.match(await c.say(`PASS ${PASSWORD}`), /^\+OK/);
    const plain = session();
    assert.doesNotMatch(await plain.say('CAPA'), /LOGIN-DELAY/);
  });

  it('answers -ERR [SYS/TEMP] when the store fails, deletes nothing and releases the lock', async () => {
    const failing = new Proxy(t.store, {
      get(target, prop, receiver) {
        if (prop === 'deleteEntries') return async () => Promise.reject(new TemporaryError('io', 'disk trouble'));
        if (prop === 'blobs') return { get: async () => Promise.reject(new Error('EIO')), put: target.blobs.put };
        const v = Reflect.get(target, prop, receiver) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const a = session({}, failing);
    await a.say('USER alice@example.test');
    await a.say(`PASS ${PASSWORD}`);
    assert.match(await a.say('RETR 1'), /^-ERR \[SYS\/TEMP\] temporary problem with the mailbox, try again later\r\n$/);
    assert.match(await a.say('STAT'), /^\+OK 1 /, 'the session goes on');
    await a.say('DELE 1');
    assert.match(await a.say('QUIT'), /^-ERR \[SYS\/TEMP\] some deleted messages were not removed/);
    const b = session();
    await b.say('USER alice@example.test');
    assert.match(await b.say(`PASS ${PASSWORD}`), /^\+OK alice@example\.test has 1 message/, 'nothing deleted, lock released');
  });
});
