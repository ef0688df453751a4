/**
 * The proof: sign in, send a message to oneself through a submission port, find it in INBOX over IMAP (or POP3),
 * time the round trip and delete it. Passwords go only over TLS to a server whose certificate verified.
 *
 * RFC 6409 (submission), RFC 8314 (implicit TLS), RFC 4954 (AUTH), RFC 9051 §6.4.4 (SEARCH), RFC 1939 (POP3 TOP,
 * DELE).
 */
import { randomBytes } from 'node:crypto';
import tls from 'node:tls';
import nodemailer from 'nodemailer';
import { ImapFlow } from 'imapflow';
import { doctorLimits } from '../lib/limits.js';
import { Conversation, connect } from './conversation.js';
import { ROLE_SHAPE, type DoctorRole, type StepResult } from './types.js';

export interface Endpoint {
  role: DoctorRole;
  port: number;
}

export interface RoundTripTarget {
  host: string;
  address: string;
  ca?: string | undefined;
  user: string;
  password: string;
  timeoutMs?: number;
  now?: () => number;
}

const tlsOptions = (t: RoundTripTarget): tls.ConnectionOptions => ({
  servername: /^[\d.]+$|:/.test(t.host) ? undefined : t.host,
  ...(t.ca ? { ca: [...tls.rootCertificates, t.ca] } : {}),
});

/** An authentication failure says "password" whatever the protocol; anything else says what happened. */
function failure(e: unknown, what: string): StepResult {
  const err = e as { code?: string; responseCode?: number; authenticationFailed?: boolean; response?: string; message: string };
  if (err.code === 'EAUTH' || err.authenticationFailed || err.code === 'auth-failed')
    return { ok: false, code: 'auth-failed', message: `the server refused the password for ${what}${err.response ? ` (${err.response.trim()})` : ''}` };
  if (err.code === 'ETIMEDOUT' || err.code === 'ETIMEOUT') return { ok: false, code: 'timeout', message: `${what}: no answer in time` };
  return { ok: false, code: err.code ?? 'failed', message: `${what}: ${err.message}` };
}

export interface SendResult {
  signIn: StepResult;
  send: StepResult;
  token: string;
  sentAt: number;
}

/**
 * Signs in on a submission port and sends the test message to the address itself. `beforeSend` runs once signed
 * in (the doctor opens the INBOX there, so the round trip does not count the reader's own sign-in).
 */
export async function sendTest(t: RoundTripTarget, via: Endpoint, beforeSend?: () => Promise<void>): Promise<SendResult> {
  const now = t.now ?? Date.now;
  const token = randomBytes(9).toString('base64url');
  const secure = ROLE_SHAPE[via.role].implicitTls;
  const transport = nodemailer.createTransport({
    host: t.address,
    port: via.port,
    secure,
    requireTLS: !secure,
    auth: { user: t.user, pass: t.password },
    tls: { ...tlsOptions(t), rejectUnauthorized: true },
    name: 'outpost-doctor.invalid',
    connectionTimeout: doctorLimits.connectTimeoutMs,
    greetingTimeout: doctorLimits.replyTimeoutMs,
    socketTimeout: t.timeoutMs ?? doctorLimits.roundTripTimeoutMs,
  });
  const start = now();
  try {
    await transport.verify();
  } catch (e) {
    transport.close();
    const f = failure(e, `${t.user} on port ${via.port}`);
    return { signIn: f, send: { ok: false, code: 'not-signed-in', message: 'not sent: the sign-in failed' }, token, sentAt: start };
  }
  const signIn: StepResult = { ok: true, ms: now() - start, detail: `signed in as ${t.user} on port ${via.port}` };
  await beforeSend?.();
  const sentAt = now();
  try {
    const info = await transport.sendMail({
      from: t.user,
      to: t.user,
      subject: `Outpost doctor test ${token}`,
      text: `This message was sent by outpost doctor to test sending and receiving. It is deleted once found.\r\nToken: ${token}\r\n`,
      headers: { 'X-Outpost-Doctor': token },
    });
    return { signIn, send: { ok: true, ms: now() - sentAt, detail: `accepted: ${String(info.response)}` }, token, sentAt };
  } catch (e) {
    return { signIn, send: failure(e, `sending on port ${via.port}`), token, sentAt };
  } finally {
    transport.close();
  }
}

/** Waits for the message carrying `token` in INBOX, deletes it, and says when it was seen. */
export async function receiveTest(t: RoundTripTarget, via: Endpoint, token: string): Promise<StepResult & { foundAt?: number }> {
  return ROLE_SHAPE[via.role].protocol === 'pop3' ? receivePop3(t, via, token) : receiveImap(t, via, token);
}

/** An INBOX opened before the test message is sent; `wait` looks for the token until the deadline. */
export interface OpenInbox {
  wait(token: string): Promise<StepResult & { foundAt?: number }>;
  close(): Promise<void>;
}

/** Signs in over IMAP and keeps the connection for {@link OpenInbox.wait}; a failed sign-in is a step result. */
export async function openImapInbox(t: RoundTripTarget, via: Endpoint): Promise<OpenInbox | StepResult> {
  const now = t.now ?? Date.now;
  const secure = ROLE_SHAPE[via.role].implicitTls;
  const client = new ImapFlow({
    host: t.address,
    port: via.port,
    secure,
    ...(secure ? {} : { doSTARTTLS: true }),
    servername: tlsOptions(t).servername ?? t.host,
    auth: { user: t.user, pass: t.password },
    tls: { ...tlsOptions(t), rejectUnauthorized: true },
    logger: false,
    disableAutoIdle: true,
    connectionTimeout: doctorLimits.connectTimeoutMs,
    greetingTimeout: doctorLimits.replyTimeoutMs,
  });
  client.on('error', () => {}); // reported through the awaited calls
  try {
    await client.connect();
  } catch (e) {
    return failure(e, `${t.user} over IMAP on port ${via.port}`);
  }
  return {
    async wait(token) {
      const start = now();
      const deadline = start + (t.timeoutMs ?? doctorLimits.roundTripTimeoutMs);
      try {
        for (;;) {
          const lock = await client.getMailboxLock('INBOX');
          try {
            const uids = (await client.search({ header: { 'x-outpost-doctor': token } }, { uid: true })) || [];
            if (uids.length > 0) {
              const foundAt = now();
              await client.messageDelete(uids, { uid: true });
              return { ok: true, ms: foundAt - start, detail: `found in INBOX over IMAP on port ${via.port} and deleted`, foundAt };
            }
          } finally {
            lock.release();
          }
          if (now() > deadline) return { ok: false, code: 'not-arrived', message: `the test message did not arrive in INBOX within ${Math.round((deadline - start) / 1000)} s` };
          await new Promise((r) => setTimeout(r, doctorLimits.pollIntervalMs));
        }
      } catch (e) {
        return failure(e, `reading INBOX over IMAP on port ${via.port}`);
      }
    },
    async close() {
      await client.logout().catch(() => client.close());
    },
  };
}

async function receiveImap(t: RoundTripTarget, via: Endpoint, token: string): Promise<StepResult & { foundAt?: number }> {
  const inbox = await openImapInbox(t, via);
  if ('ok' in inbox) return inbox;
  try {
    return await inbox.wait(token);
  } finally {
    await inbox.close();
  }
}

async function receivePop3(t: RoundTripTarget, via: Endpoint, token: string): Promise<StepResult & { foundAt?: number }> {
  const now = t.now ?? Date.now;
  const ms = doctorLimits.replyTimeoutMs;
  const start = now();
  let c: Conversation | undefined;
  const ok = async (cmd: string) => {
    c!.write(cmd);
    const r = await c!.readLine(ms);
    if (!r.startsWith('+OK')) throw Object.assign(new Error(r), { code: cmd.startsWith('PASS') ? 'auth-failed' : 'refused', response: r });
    return r;
  };
  try {
    c = new Conversation(await connect(t.address, via.port, doctorLimits.connectTimeoutMs));
    if (ROLE_SHAPE[via.role].implicitTls) await c.upgrade({ ...tlsOptions(t) }, ms);
    if (!(await c.readLine(ms)).startsWith('+OK')) throw new Error('no POP3 greeting');
    if (!ROLE_SHAPE[via.role].implicitTls) {
      await ok('STLS');
      await c.upgrade({ ...tlsOptions(t) }, ms);
    }
    if (!(c.socket as tls.TLSSocket).authorized) throw new Error('the certificate does not verify: the password was not sent');
    await ok(`USER ${t.user}`);
    await ok(`PASS ${t.password}`);
    const deadline = start + (t.timeoutMs ?? doctorLimits.roundTripTimeoutMs);
    for (;;) {
      const count = Number((await ok('STAT')).split(' ')[1] ?? 0);
      for (let n = count; n >= 1; n--) {
        await ok(`TOP ${n} 0`);
        let found = false;
        for (let l = await c.readLine(ms); l !== '.'; l = await c.readLine(ms)) if (l.toLowerCase().startsWith('x-outpost-doctor:') && l.includes(token)) found = true;
        if (found) {
          const foundAt = now();
          await ok(`DELE ${n}`);
          await ok('QUIT');
          return { ok: true, ms: foundAt - start, detail: `found over POP3 on port ${via.port} and deleted`, foundAt };
        }
      }
      if (now() > deadline) return { ok: false, code: 'not-arrived', message: 'the test message did not arrive within the time allowed' };
      // POP3 shows a snapshot of the maildrop (RFC 1939 §8): sign in again to see new mail.
      await ok('QUIT');
      await new Promise((r) => setTimeout(r, doctorLimits.pollIntervalMs));
      c.close();
      return receivePop3({ ...t, timeoutMs: Math.max(1, deadline - now()) }, via, token);
    }
  } catch (e) {
    return failure(e, `${t.user} over POP3 on port ${via.port}`);
  } finally {
    c?.close();
  }
}
