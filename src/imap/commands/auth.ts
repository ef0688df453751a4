/**
 * Signing in: STARTTLS (RFC 9051 §6.2.1), LOGIN (§6.2.3) and AUTHENTICATE PLAIN/LOGIN (§6.2.2, RFC 4959 SASL-IR),
 * only over TLS (RFC 9051 §6.2.3 LOGINDISABLED, RFC 8314 §5.4; loopback is not exempt): before TLS they are
 * refused with NO [PRIVACYREQUIRED] and the attempt is written to the mailbox's event log. Credentials go
 * through the shared auth service (passwords, app passwords, limiter) with the client's IMAP ID as its name.
 */
import { imapServerLimits } from '../../lib/limits.js';
import { SaslExchange, type SaslStep } from '../../protocol/sasl/index.js';
import { atom, bad, no, ok, type ImapResponse } from '../../protocol/imap/index.js';
import type { ImapSession } from '../session.js';
import { ImapBad, ImapNo } from '../errors.js';
import type { CommandOf } from './spec.js';
import { CredentialWatch, signedInCredential } from '../credential.js';

const PRIVACY = 'sign in only after STARTTLS (or on the IMAPS port): passwords are never sent in clear text';

export async function startTls(s: ImapSession, cmd: CommandOf<'STARTTLS'>): Promise<ImapResponse | undefined> {
  if (s.conn.tls) throw new ImapBad('TLS is already active', 'CLIENTBUG');
  if (!s.conn.canStartTls) throw new ImapNo('TLS is not available', 'UNAVAILABLE');
  await s.write(ok(cmd.tag, 'begin TLS negotiation now'));
  await s.transport.startTls();
  s.conn.tls = true;
  return undefined;
}

function refusePlaintext(s: ImapSession, username: string | null): void {
  if (s.conn.tls) return;
  if (username !== null)
    void s.ctx.auth
      .noteEvent(username, { protocol: 'imap', port: s.conn.localPort, clientIp: s.conn.clientIp, tls: false, clientName: s.clientName }, 'auth', 'fail', 'plaintext-refused')
      .catch((e: unknown) => s.ctx.log.error({ err: e }, 'imap.event-log.failed'));
  s.ctx.log.info({ user: username }, 'imap.auth.plaintext-refused');
  throw new ImapNo(PRIVACY, 'PRIVACYREQUIRED');
}

export async function login(s: ImapSession, cmd: CommandOf<'LOGIN'>): Promise<ImapResponse | undefined> {
  refusePlaintext(s, cmd.username);
  return signIn(s, cmd.tag, cmd.username, cmd.password);
}

export async function authenticate(s: ImapSession, cmd: CommandOf<'AUTHENTICATE'>): Promise<ImapResponse | undefined> {
  refusePlaintext(s, null);
  const sasl = new SaslExchange();
  // RFC 4959 §3: "=" is an empty initial response.
  const step = sasl.start(cmd.mechanism, cmd.initialResponse === undefined ? undefined : cmd.initialResponse === '=' ? '' : cmd.initialResponse);
  return saslStep(s, cmd.tag, sasl, step);
}

async function saslStep(s: ImapSession, tag: string, sasl: SaslExchange, step: SaslStep): Promise<ImapResponse | undefined> {
  switch (step.kind) {
    case 'challenge':
      // RFC 9051 §6.2.2: the client answers each "+ challenge" with one line of base64 ("*" cancels).
      s.lineHandler = async (line) => {
        s.lineHandler = undefined;
        let response: ImapResponse | undefined;
        if (line.kind === 'too-long') response = bad(tag, 'authentication line too long', { name: 'TOOBIG' });
        else if (line.line.length > imapServerLimits.authLineOctets) response = bad(tag, 'authentication line too long', { name: 'TOOBIG' });
        else {
          try {
            response = await saslStep(s, tag, sasl, sasl.respond(line.line));
          } catch (e) {
            s.ctx.log.error({ err: e }, 'imap.authenticate.failed');
            response = no(tag, 'internal server error', { name: 'SERVERBUG' });
          }
        }
        if (response !== undefined && !s.closed) await s.write(response);
      };
      await s.write({ kind: 'continuation', base64: step.challenge });
      return undefined;
    case 'failure':
      // RFC 9051 §6.2.2: a cancelled exchange is answered with BAD.
      if (step.reason === 'unsupported-mechanism') return no(tag, 'unsupported authentication mechanism (PLAIN and LOGIN are offered)', { name: 'CANNOT' });
      return bad(tag, step.reason === 'cancelled' ? 'authentication cancelled' : step.message);
    case 'success': {
      const c = step.credentials;
      if (c.authzid && c.authzid.toLowerCase() !== c.username.toLowerCase()) return no(tag, 'signing in as another user is not allowed', { name: 'AUTHORIZATIONFAILED' });
      return signIn(s, tag, c.username, c.password);
    }
  }
}

async function signIn(s: ImapSession, tag: string, username: string, password: string): Promise<ImapResponse | undefined> {
  const { ctx, conn } = s;
  const r = await ctx.auth.authenticate({ username, password, protocol: 'imap', port: conn.localPort, clientIp: conn.clientIp, tls: conn.tls, clientName: s.clientName });
  if (!r.ok) {
    const response =
      r.failure === 'locked-out'
        ? no(tag, `too many failed sign-ins; try again in ${Math.ceil((r.retryAfterMs ?? 60_000) / 60_000)} minutes`, { name: 'UNAVAILABLE' })
        : r.failure === 'disabled'
          ? no(tag, 'this mailbox is disabled; contact your provider', { name: 'CONTACTADMIN' })
          : no(tag, 'authentication failed', { name: 'AUTHENTICATIONFAILED' });
    if (++s.authFailures >= imapServerLimits.authFailuresPerConnection) {
      await s.write(response, { kind: 'untagged', status: 'BYE', text: 'too many failed sign-ins' });
      s.close();
      return undefined;
    }
    return response;
  }
  const release = ctx.connections.acquire(r.mailbox.id, conn.clientIp);
  if (release === undefined) {
    ctx.log.info({ mailbox: r.mailbox.address, clientIp: conn.clientIp }, 'imap.connections.limited');
    return no(tag, `too many connections for ${r.mailbox.address} from your address; close one and try again`, { name: 'LIMIT' });
  }
  s.releaseConnection = release;
  s.state = { kind: 'authenticated', mailbox: r.mailbox };
  // RFC 5530 EXPIRED: what signed in is checked again while the session lasts (src/imap/credential.ts).
  s.credential = new CredentialWatch(signedInCredential(r.mailbox, r.via, password, r.appPasswordName), ctx.now(), imapServerLimits.credentialRecheckMs);
  s.transport.setIdleTimeout(imapServerLimits.idleTimeoutMs);
  ctx.log.info({ mailbox: r.mailbox.address, via: r.via, client: s.clientName }, 'imap.signed-in');
  // RFC 9051 §6.2.3: the capabilities may change after sign-in; send them to save a round trip.
  return ok(tag, `${r.mailbox.address} signed in`, { name: 'CAPABILITY', args: s.capabilities().map(atom) });
}
