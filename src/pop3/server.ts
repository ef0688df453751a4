/**
 * The POP3 socket adaptor: a line reader feeding one {@link Pop3Session} command at a time (RFC 2449 PIPELINING:
 * responses stay in order), the STLS upgrade with pipelined bytes discarded (RFC 2595 §4), the idle autologout
 * (RFC 1939 §3) and a total session deadline.
 */
import type { Socket } from 'node:net';
import type { ConnectionHandler, ConnectionInfo } from '../net/listeners.js';
import type { TlsProvider } from '../tls/certs.js';
import { LineReader } from '../lib/line-reader.js';
import { upgradeToTls } from '../net/starttls.js';
import { pop3Limits } from '../lib/limits.js';
import { err } from '../protocol/pop3/response.js';
import { Pop3Session } from './session.js';
import type { Pop3Context } from './types.js';

/** Bytes of unprocessed pipelined input after which we stop reading until the session catches up. */
const BACKPRESSURE_OCTETS = 64 * 1024;

export function pop3Handler(ctx: Omit<Pop3Context, 'log'>, tls: TlsProvider): ConnectionHandler {
  return (socket, info) => serve({ ...ctx, log: info.log }, tls, socket, info);
}

function serve(ctx: Pop3Context, tls: TlsProvider, socket: Socket, info: ConnectionInfo): void {
  const reader = new LineReader({ maxLineOctets: pop3Limits.authLineOctets });
  let current: Socket = socket;
  let busy = false;
  const session = new Pop3Session(ctx, { clientIp: info.remoteAddress, localPort: info.localPort, tls: info.tls, canStartTls: !info.tls }, {
    write: (data) => {
      if (!current.destroyed) current.write(data);
    },
    close: () => {
      current.end();
      setTimeout(() => current.destroy(), 2000).unref();
    },
    startTls: async () => {
      const dropped = reader.discard(); // RFC 2595 §4 / CVE-2011-0411: nothing sent before TLS may be acted on
      if (dropped > 0) ctx.log.info({ octets: dropped }, 'pop3.stls.discarded');
      socket.off('data', onData);
      current = await upgradeToTls(socket, { ...tls.starttlsOptions(), idleMs: pop3Limits.idleTimeoutMs, onIdle, onData });
    },
  });

  const pump = async () => {
    if (busy) return;
    busy = true;
    try {
      for (let ev = reader.next(); ev; ev = reader.next()) {
        if (ev.kind === 'too-long') session.transport.write(err('line too long'));
        else {
          const line = ev.line.toString('utf8');
          ctx.log.trace({ line: /^(PASS|AUTH)\b/i.test(line) || session.state.kind === 'authorization' && session.state.sasl ? '[redacted]' : line }, 'pop3.in');
          await session.onLine(line);
        }
        if (session.state.kind === 'closed') return;
        if (current.isPaused() && reader.bufferedOctets < BACKPRESSURE_OCTETS) current.resume();
      }
    } catch (e) {
      ctx.log.error({ err: e }, 'pop3.session.crashed');
      session.dropped();
    } finally {
      busy = false;
    }
  };
  const onData = (chunk: Buffer) => {
    reader.push(chunk);
    if (reader.bufferedOctets >= BACKPRESSURE_OCTETS) current.pause();
    void pump();
  };
  const onIdle = () => {
    session.transport.write(err('autologout: idle for too long'));
    session.dropped();
  };
  const deadline = setTimeout(() => {
    session.transport.write(err('session time limit reached'));
    session.dropped();
  }, pop3Limits.sessionMaxMs);
  deadline.unref();
  socket.on('data', onData);
  socket.setTimeout(pop3Limits.idleTimeoutMs, onIdle);
  socket.once('close', () => {
    clearTimeout(deadline);
    session.dropped();
  });
  session.greet();
}
