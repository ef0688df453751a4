/**
 * Commands valid in any state and the small session commands: CAPABILITY, NOOP, LOGOUT (RFC 9051 §6.1), ID
 * (RFC 2971), ENABLE (RFC 5161), NAMESPACE (RFC 2342), IDLE (RFC 2177).
 */
import { eventLogLimits, imapServerLimits } from '../../lib/limits.js';
import {
  bad,
  capabilityResponse,
  enabledResponse,
  idResponse,
  namespaceResponse,
  ok,
  untagged,
  type ImapResponse,
} from '../../protocol/imap/index.js';
import type { EnableName, ImapSession } from '../session.js';
import { DELIMITER } from '../folders.js';
import type { CommandOf } from './spec.js';

export async function capability(s: ImapSession, cmd: CommandOf<'CAPABILITY'>): Promise<ImapResponse> {
  await s.write(capabilityResponse(s.capabilities()));
  return ok(cmd.tag, 'capabilities listed');
}

/** RFC 9051 §6.1.2: NOOP does nothing but lets pending updates through (the session sends them after every command). */
export async function noop(_s: ImapSession, cmd: CommandOf<'NOOP' | 'CHECK'>): Promise<ImapResponse> {
  return ok(cmd.tag, `${cmd.name} completed`);
}

export async function logout(s: ImapSession, cmd: CommandOf<'LOGOUT'>): Promise<ImapResponse | undefined> {
  await s.write(untagged('BYE', 'logging out'), ok(cmd.tag, 'LOGOUT completed'));
  s.close();
  return undefined;
}

/** RFC 2971 §3.1: the client says who it is (kept for the sign-in event log); we answer with our name. */
export async function id(s: ImapSession, cmd: CommandOf<'ID'>): Promise<ImapResponse> {
  if (cmd.parameters !== null) {
    const get = (field: string) => cmd.parameters?.find(([k]) => k.toLowerCase() === field)?.[1] ?? null;
    const name = [get('name'), get('version')].filter((x) => x !== null).join(' ');
    if (name !== '') s.clientName = name.slice(0, eventLogLimits.clientNameMaxChars);
  }
  await s.write(idResponse([['name', 'Outpost'], ['vendor', 'Outpost']]));
  return ok(cmd.tag, 'ID completed');
}

/**
 * RFC 5161 §3.1: CONDSTORE and QRESYNC (RFC 7162 §3.2.3: QRESYNC implies CONDSTORE), UTF8=ACCEPT (RFC 6855 §3).
 * Unknown names are ignored; ENABLED lists only what this command newly enabled.
 */
export async function enable(s: ImapSession, cmd: CommandOf<'ENABLE'>): Promise<ImapResponse> {
  const now: EnableName[] = [];
  for (const c of cmd.capabilities) {
    const wanted: readonly EnableName[] = c === 'QRESYNC' ? ['CONDSTORE', 'QRESYNC'] : c === 'CONDSTORE' || c === 'UTF8=ACCEPT' ? [c] : [];
    for (const w of wanted)
      if (!s.enabled.has(w)) {
        s.enabled.add(w);
        if (cmd.capabilities.includes(w)) now.push(w);
      }
  }
  await s.write(enabledResponse(now));
  return ok(cmd.tag, 'ENABLE completed');
}

/** RFC 2342 §5: one personal namespace with no prefix and "/" as the delimiter; no shared folders. */
export async function namespace(s: ImapSession, cmd: CommandOf<'NAMESPACE'>): Promise<ImapResponse> {
  await s.write(namespaceResponse([{ prefix: '', delimiter: DELIMITER }], null, null, { utf8: s.utf8 }));
  return ok(cmd.tag, 'NAMESPACE completed');
}

/**
 * RFC 2177: "+ idling", then updates as they happen (EXPUNGE included: no command is using sequence numbers)
 * until the client sends DONE. Woken by the ChangeFeed, never by polling.
 */
export async function idle(s: ImapSession, cmd: CommandOf<'IDLE'>): Promise<ImapResponse | undefined> {
  let chain: Promise<void> = Promise.resolve();
  const flush = () => {
    // RFC 5530 EXPIRED: a session idling for hours with a revoked credential ends at the next update (src/imap/credential.ts).
    chain = chain
      .then(async () => ((await s.credentialHolds()) ? s.flushUpdates(true) : undefined))
      .catch((e: unknown) => s.ctx.log.error({ err: e }, 'imap.idle.update-failed'));
  };
  const view = s.state.kind === 'selected' ? s.state.view : undefined;
  await s.write({ kind: 'continuation', text: 'idling' });
  s.transport.setIdleTimeout(imapServerLimits.idleCommandMaxMs);
  if (view) {
    view.onChange = flush;
    flush();
  }
  s.lineHandler = async (line) => {
    s.lineHandler = undefined;
    if (view) view.onChange = undefined;
    await chain;
    s.transport.setIdleTimeout(imapServerLimits.idleTimeoutMs);
    if (s.closed) return;
    await s.flushUpdates(true);
    if (s.closed) return;
    const done = line.kind === 'line' && line.line.toString('latin1').toUpperCase() === 'DONE';
    await s.write(done ? ok(cmd.tag, 'IDLE terminated') : bad(cmd.tag, 'expected DONE'));
  };
  return undefined;
}
