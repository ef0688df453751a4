/**
 * Signing in to POP3: USER/PASS (RFC 1939 §7) and AUTH (RFC 5034) with PLAIN or LOGIN, only over TLS
 * (RFC 2595 §4; loopback is not exempt), through the shared auth service and limiter. A successful sign-in takes the
 * maildrop lock (RFC 1939 §8 "[IN-USE]", RFC 2449 §8.1.2) and numbers the messages of INBOX.
 */
import { pop3Limits } from '../lib/limits.js';
import { SaslExchange, type SaslStep } from '../protocol/sasl/index.js';
import { challenge, err, ok, Pop3Code } from '../protocol/pop3/response.js';
import type { Pop3Session } from './session.js';

const PLAINTEXT_REFUSED = 'plaintext authentication is not allowed without TLS: use STLS first, or port 995';

function refusePlaintext(s: Pop3Session, username: string | null): boolean {
  if (s.conn.tls) return false;
  s.transport.write(err(PLAINTEXT_REFUSED, Pop3Code.Auth));
  if (username)
    void s.ctx.auth
      .noteEvent(username, { protocol: 'pop3', port: s.conn.localPort, clientIp: s.conn.clientIp, tls: false, clientName: null }, 'auth', 'fail', 'plaintext-refused')
      .catch(() => undefined);
  return true;
}

export function user(s: Pop3Session, name: string): void {
  if (refusePlaintext(s, name)) return;
  if (s.state.kind !== 'authorization') return;
  s.state = { ...s.state, user: name };
  s.transport.write(ok('send your password'));
}

export async function pass(s: Pop3Session, password: string): Promise<void> {
  if (s.state.kind !== 'authorization') return;
  if (refusePlaintext(s, s.state.user)) return;
  const username = s.state.user;
  if (!username) {
    s.transport.write(err('send USER first'));
    return;
  }
  s.state = { ...s.state, user: null };
  await signIn(s, username, password);
}

export async function auth(s: Pop3Session, mechanism: string | null, initialResponse: string | null): Promise<void> {
  if (s.state.kind !== 'authorization') return;
  if (mechanism === null) {
    // RFC 1734 / common practice: AUTH without arguments lists the mechanisms.
    s.transport.write(s.conn.tls ? ok('mechanisms follow') + 'PLAIN\r\nLOGIN\r\n.\r\n' : err(PLAINTEXT_REFUSED, Pop3Code.Auth));
    return;
  }
  if (refusePlaintext(s, null)) return;
  const sasl = new SaslExchange();
  // RFC 5034 §4: "=" is an empty initial response.
  const step = sasl.start(mechanism, initialResponse === null ? undefined : initialResponse === '=' ? '' : initialResponse);
  await saslStep(s, sasl, step);
}

export async function continueSasl(s: Pop3Session, line: string): Promise<void> {
  if (s.state.kind !== 'authorization' || !s.state.sasl) return;
  const sasl = s.state.sasl;
  if (line.length > pop3Limits.authLineOctets) {
    s.state = { ...s.state, sasl: null };
    s.transport.write(err('authentication line too long', Pop3Code.Auth));
    return;
  }
  await saslStep(s, sasl, sasl.respond(line));
}

async function saslStep(s: Pop3Session, sasl: SaslExchange, step: SaslStep): Promise<void> {
  if (s.state.kind !== 'authorization') return;
  switch (step.kind) {
    case 'challenge':
      s.state = { ...s.state, sasl };
      s.transport.write(challenge(step.challenge));
      return;
    case 'failure':
      s.state = { ...s.state, sasl: null };
      s.transport.write(err(step.reason === 'cancelled' ? 'authentication cancelled' : step.message, step.reason === 'cancelled' ? undefined : Pop3Code.Auth));
      return;
    case 'success': {
      s.state = { ...s.state, sasl: null };
      const c = step.credentials;
      if (c.authzid && c.authzid.toLowerCase() !== c.username.toLowerCase()) {
        s.transport.write(err('signing in as another user is not allowed', Pop3Code.Auth));
        return;
      }
      await signIn(s, c.username, c.password);
    }
  }
}

async function signIn(s: Pop3Session, username: string, password: string): Promise<void> {
  const { ctx, conn } = s;
  const r = await ctx.auth.authenticate({ username, password, protocol: 'pop3', port: conn.localPort, clientIp: conn.clientIp, tls: conn.tls, clientName: null });
  if (!r.ok) {
    const text =
      r.failure === 'locked-out'
        ? `too many failed sign-ins; try again in ${Math.ceil((r.retryAfterMs ?? 60_000) / 60_000)} minutes`
        : r.failure === 'disabled'
          ? 'this mailbox is disabled; contact your provider'
          : 'authentication failed';
    s.transport.write(err(text, r.failure === 'locked-out' ? Pop3Code.SysTemp : Pop3Code.Auth));
    if (++s.authFailures >= pop3Limits.authFailuresPerConnection) s.close();
    return;
  }
  const mailbox = r.mailbox;
  const delay = ctx.options.loginDelaySeconds * 1000;
  if (delay > 0) {
    // RFC 2449 §6.8 / §8.1.1: sign-ins closer together than LOGIN-DELAY are refused, saying how long to wait.
    const key = `pop3:login:${mailbox.id}`;
    const last = await ctx.store.getCounter(key);
    const wait = last ? last.windowStart + delay - ctx.now() : 0;
    if (wait > 0) {
      s.transport.write(err(`signed in too recently; wait ${Math.ceil(wait / 1000)} seconds (LOGIN-DELAY ${ctx.options.loginDelaySeconds})`, Pop3Code.LoginDelay));
      return;
    }
    await ctx.store.hitCounter(key, ctx.now(), delay);
  }
  const folder = await ctx.store.getFolder(mailbox.id, 'INBOX');
  if (!folder) {
    s.transport.write(err('this mailbox has no INBOX', Pop3Code.SysPerm));
    return;
  }
  const lockKey = `pop3:${mailbox.id}`;
  if (!(await ctx.store.tryLock(lockKey, s.owner, ctx.now(), pop3Limits.lockTtlMs))) {
    s.transport.write(err('another POP3 session is using this mailbox; close it and try again', Pop3Code.InUse));
    return;
  }
  try {
    const entries = await ctx.store.listEntries(folder.id);
    s.state = {
      kind: 'transaction',
      mailbox,
      folderId: folder.id,
      uidValidity: folder.uidValidity,
      messages: entries.map((e) => ({ uid: e.uid, size: e.size, blobId: e.blobId })),
      deleted: new Set(),
      lockKey,
    };
    ctx.log.info({ mailbox: mailbox.address, messages: entries.length }, 'pop3.signed-in');
    s.transport.write(ok(`${mailbox.address} has ${entries.length} message(s)`));
  } catch (e) {
    await ctx.store.unlock(lockKey, s.owner);
    throw e;
  }
}
