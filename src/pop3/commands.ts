/**
 * The POP3 command table: which state each command is allowed in and what it does (RFC 1939 §5-§7, RFC 2449,
 * RFC 2595, RFC 5034). The session checks the state generically before calling `run`.
 */
import type { Pop3Command, Pop3Verb } from '../protocol/pop3/command.js';
import { err, multiline, ok, Pop3Code, stuffMessage } from '../protocol/pop3/response.js';
import type { Pop3StateKind, MaildropMessage } from './types.js';
import type { Pop3Session } from './session.js';
import { auth, pass, user } from './auth.js';

type CommandOf<V extends Pop3Verb> = Extract<Pop3Command, { verb: V }>;

interface CommandSpec<V extends Pop3Verb> {
  states: readonly Pop3StateKind[];
  run(s: Pop3Session, cmd: CommandOf<V>): void | Promise<void>;
}

const AUTHORIZATION = ['authorization'] as const;
const TRANSACTION = ['transaction'] as const;
const ANY = ['authorization', 'transaction'] as const;

/** The message a number refers to in this session, or undefined (after writing the -ERR) when there is none. */
function message(s: Pop3Session, n: number): MaildropMessage | undefined {
  if (s.state.kind !== 'transaction') return undefined;
  const m = s.state.messages[n - 1];
  if (!m) s.transport.write(err(`no such message: ${n} (there are ${s.state.messages.length})`));
  else if (s.state.deleted.has(n)) s.transport.write(err(`message ${n} is already deleted`));
  else return m;
  return undefined;
}

const uidl = (s: Pop3Session, m: MaildropMessage) => (s.state.kind === 'transaction' ? `${s.state.uidValidity}.${m.uid}` : '');

async function body(s: Pop3Session, m: MaildropMessage): Promise<Buffer> {
  const raw = await s.ctx.store.blobs.get(m.blobId);
  if (!raw) throw new Error(`blob ${m.blobId} missing`);
  return raw;
}

function capabilities(s: Pop3Session): string[] {
  const caps = ['TOP', 'UIDL', 'RESP-CODES', 'AUTH-RESP-CODE', 'PIPELINING'];
  const o = s.ctx.options;
  caps.push(`EXPIRE ${o.expire}`);
  if (o.loginDelaySeconds > 0) caps.push(`LOGIN-DELAY ${o.loginDelaySeconds}`);
  // RFC 2595 §4 / RFC 8314: sign-in is offered only once the connection is encrypted.
  if (s.conn.tls) caps.push('USER', 'SASL PLAIN LOGIN');
  else if (s.conn.canStartTls) caps.push('STLS');
  caps.push('IMPLEMENTATION Outpost');
  return caps;
}

export const COMMANDS: { [V in Pop3Verb]: CommandSpec<V> } = {
  CAPA: { states: ANY, run: (s) => s.transport.write(multiline(ok('capability list follows'), capabilities(s))) },
  NOOP: { states: ANY, run: (s) => s.transport.write(ok()) },
  STLS: {
    states: AUTHORIZATION,
    async run(s) {
      if (s.conn.tls) return s.transport.write(err('already using TLS'));
      if (!s.conn.canStartTls) return s.transport.write(err('TLS is not available', Pop3Code.SysPerm));
      s.transport.write(ok('begin TLS negotiation'));
      await s.transport.startTls();
      s.conn.tls = true;
    },
  },
  USER: { states: AUTHORIZATION, run: (s, c) => user(s, c.name) },
  PASS: { states: AUTHORIZATION, run: (s, c) => pass(s, c.password) },
  AUTH: { states: AUTHORIZATION, run: (s, c) => auth(s, c.mechanism, c.initialResponse) },
  STAT: {
    states: TRANSACTION,
    run(s) {
      if (s.state.kind !== 'transaction') return;
      const { messages, deleted } = s.state;
      const live = messages.filter((_, i) => !deleted.has(i + 1));
      s.transport.write(ok(`${live.length} ${live.reduce((n, m) => n + m.size, 0)}`));
    },
  },
  LIST: {
    states: TRANSACTION,
    run(s, c) {
      if (s.state.kind !== 'transaction') return;
      if (c.msg !== null) {
        const m = message(s, c.msg);
        if (m) s.transport.write(ok(`${c.msg} ${m.size}`));
        return;
      }
      const { messages, deleted } = s.state;
      const lines = messages.flatMap((m, i) => (deleted.has(i + 1) ? [] : [`${i + 1} ${m.size}`]));
      s.transport.write(multiline(ok(`${lines.length} messages`), lines));
    },
  },
  UIDL: {
    states: TRANSACTION,
    run(s, c) {
      if (s.state.kind !== 'transaction') return;
      if (c.msg !== null) {
        const m = message(s, c.msg);
        if (m) s.transport.write(ok(`${c.msg} ${uidl(s, m)}`));
        return;
      }
      const { messages, deleted } = s.state;
      const lines = messages.flatMap((m, i) => (deleted.has(i + 1) ? [] : [`${i + 1} ${uidl(s, m)}`]));
      s.transport.write(multiline(ok(), lines));
    },
  },
  RETR: {
    states: TRANSACTION,
    async run(s, c) {
      const m = message(s, c.msg);
      if (!m) return;
      const raw = await body(s, m);
      s.transport.write(ok(`${m.size} octets`));
      s.transport.write(stuffMessage(raw));
    },
  },
  TOP: {
    states: TRANSACTION,
    async run(s, c) {
      const m = message(s, c.msg);
      if (!m) return;
      const raw = await body(s, m);
      s.transport.write(ok());
      s.transport.write(stuffMessage(raw, c.lines));
    },
  },
  DELE: {
    states: TRANSACTION,
    run(s, c) {
      if (s.state.kind !== 'transaction' || !message(s, c.msg)) return;
      s.state.deleted.add(c.msg);
      s.transport.write(ok(`message ${c.msg} deleted`));
    },
  },
  RSET: {
    states: TRANSACTION,
    run(s) {
      if (s.state.kind !== 'transaction') return;
      s.state.deleted.clear();
      s.transport.write(ok(`maildrop has ${s.state.messages.length} messages`));
    },
  },
  QUIT: {
    states: ANY,
    async run(s) {
      const st = s.state;
      if (st.kind !== 'transaction') {
        s.transport.write(ok(`${s.ctx.options.hostname} closing connection`));
        return s.close();
      }
      // RFC 1939 §6: the UPDATE state. Deletions happen here, all at once, visible to IMAP immediately.
      const uids = [...st.deleted].map((n) => st.messages[n - 1]!.uid);
      try {
        if (uids.length) await s.ctx.store.deleteEntries(st.folderId, uids);
      } catch (e) {
        s.ctx.log.error({ err: e }, 'pop3.update.failed');
        s.transport.write(err('some deleted messages were not removed; try again later', Pop3Code.SysTemp));
        return s.close();
      }
      s.transport.write(ok(`${s.ctx.options.hostname} closing connection (${uids.length} message(s) deleted)`));
      s.close();
    },
  },
};
