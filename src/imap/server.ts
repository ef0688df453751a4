/**
 * The IMAP socket adaptor: the sans-I/O command reader feeding one {@link ImapSession} command at a time
 * (pipelined commands are answered in order, RFC 9051 §5.5), synchronising literals answered with "+" or refused
 * before the client sends them (RFC 9051 §7.5, RFC 7888 §4), raw-line modes for IDLE's DONE and AUTHENTICATE,
 * STARTTLS with everything pipelined in clear text discarded (RFC 9051 §6.2.1, the CVE-2011-0411 class), the
 * autologout timer (RFC 9051 §5.4: at least 30 minutes once signed in), a total session deadline, and
 * backpressure both ways: reading stops while too much input waits, FETCH waits while the client is slow;
 * COMPRESS=DEFLATE (RFC 4978) as a raw inflate/deflate pair between the socket and the reader/writer.
 */
import type { Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { constants as zlibConstants, createDeflateRaw, createInflateRaw, type DeflateRaw, type InflateRaw } from 'node:zlib';
import { TLSSocket } from 'node:tls';
import type { ConnectionHandler, ConnectionInfo } from '../net/listeners.js';
import type { TlsProvider } from '../tls/certs.js';
import { imapLimits, imapServerLimits } from '../lib/limits.js';
import { ImapCommandReader, continuation, type Chunk, type StreamedLiteral, untagged, encodeResponse } from '../protocol/imap/index.js';
import { ImapSession } from './session.js';
import type { ImapContext, ImapTransport } from './types.js';

/** `ctx.connections` is one counter shared by the imap and imaps listeners (the composition root makes it). */
export function imapHandler(ctx: Omit<ImapContext, 'log'>, tls: TlsProvider): ConnectionHandler {
  return (socket, info) => serve({ ...ctx, log: info.log }, tls, socket, info);
}

/** The octets of a streamed literal: a Buffer, or a function or async iterable producing them. */
async function* literalOctets(literal: StreamedLiteral): AsyncGenerator<Buffer> {
  const source = literal.source;
  if (Buffer.isBuffer(source)) yield source;
  else if (typeof source === 'function') yield* toChunks(await (source as () => Promise<unknown>)());
  else yield* toChunks(source);
}

async function* toChunks(value: unknown): AsyncGenerator<Buffer> {
  if (Buffer.isBuffer(value)) yield value;
  else if (value !== null && typeof value === 'object' && Symbol.asyncIterator in value) for await (const c of value as AsyncIterable<Buffer>) yield c;
  else throw new Error('unsupported streamed literal source');
}

function serve(ctx: ImapContext, tls: TlsProvider, socket: Socket, info: ConnectionInfo): void {
  const reader = new ImapCommandReader({ nonSyncLiterals: 'LITERAL+' });
  let current: Socket = socket;
  let busy = false;
  let idleMs: number = imapServerLimits.preAuthTimeoutMs;
  /** RFC 4978: set once COMPRESS DEFLATE succeeded. */
  let deflate: DeflateRaw | undefined;
  let inflate: InflateRaw | undefined;

  const waitDrain = (s: Writable): Promise<void> =>
    new Promise((resolve) => {
      const done = () => {
        s.off('drain', done);
        s.off('close', done);
        resolve();
      };
      s.once('drain', done);
      s.once('close', done);
    });

  /** Where response octets go: the socket, or the deflate stream piped into it. */
  const sink = (): Writable => deflate ?? current;
  /** After a batch: a compressed stream is flushed so the client can decode all of it now (RFC 4978 §4). */
  const flush = (): Promise<void> => new Promise((resolve) => (deflate && !deflate.destroyed ? deflate.flush(zlibConstants.Z_SYNC_FLUSH, () => resolve()) : resolve()));
  /** Writes outside a command (BYE on timeout or crash). */
  const writeNow = (octets: Buffer): void => {
    if (current.destroyed) return;
    sink().write(octets);
    void flush();
  };

  const transport: ImapTransport = {
    async write(chunks: readonly Chunk[]) {
      // Consecutive encoded octets go out as one write (a batch of FETCH responses is one syscall, not hundreds).
      let pending: Buffer[] = [];
      const push = (): void => {
        if (pending.length > 0 && !current.destroyed) sink().write(pending.length === 1 ? pending[0]! : Buffer.concat(pending));
        pending = [];
      };
      for (const chunk of chunks) {
        if (current.destroyed) return;
        if (Buffer.isBuffer(chunk)) pending.push(chunk);
        else {
          push();
          try {
            for await (const part of literalOctets(chunk)) {
              if (current.destroyed) return;
              const out = sink();
              if (!out.write(part)) await waitDrain(out);
            }
          } catch (e) {
            // The literal's length is promised: when its source fails half-way (a damaged body), nothing can follow
            // but the end of the connection; the command's error is still logged and answered to nobody.
            current.destroy();
            throw e;
          }
        }
      }
      push();
      await flush();
      if (!current.destroyed && current.writableLength > imapServerLimits.writeHighWaterOctets) await waitDrain(current);
    },
    close: () => {
      // Ending the deflate stream ends the socket after the compressed tail (pipe).
      if (deflate) deflate.end();
      else current.end();
      setTimeout(() => current.destroy(), 2000).unref();
    },
    startCompression: () => {
      const pipelined = reader.takeRemainder();
      const input = createInflateRaw();
      const output = createDeflateRaw();
      input.on('error', (e) => {
        ctx.log.info({ err: e.message }, 'imap.compress.bad-input');
        session.dropped();
        current.destroy();
      });
      output.on('error', () => current.destroy());
      output.pipe(current);
      current.off('data', onData);
      current.on('data', (d: Buffer) => input.write(d));
      input.on('data', onData);
      inflate = input;
      deflate = output;
      if (pipelined.length > 0) input.write(pipelined);
    },
    startTls: () =>
      new Promise<void>((resolve, reject) => {
        // RFC 9051 §6.2.1 / RFC 3207 §4.2-style injection: nothing sent before the handshake may be executed.
        const dropped = reader.discard();
        if (dropped > 0) ctx.log.info({ octets: dropped }, 'imap.starttls.discarded');
        socket.off('data', onData);
        socket.off('timeout', onIdle);
        socket.setTimeout(0);
        const secure = new TLSSocket(socket, { isServer: true, secureContext: tls.context, SNICallback: tls.sniCallback() });
        current = secure;
        secure.setTimeout(idleMs);
        secure.on('timeout', onIdle);
        secure.on('error', (e) => {
          reject(e);
          socket.destroy();
        });
        secure.once('secure', () => {
          secure.on('data', onData);
          resolve();
        });
      }),
    setIdleTimeout: (ms) => {
      idleMs = ms;
      current.setTimeout(ms);
    },
  };

  const session = new ImapSession(ctx, { clientIp: info.remoteAddress, localPort: info.localPort, tls: info.tls, canStartTls: !info.tls }, transport);

  const pump = async (): Promise<void> => {
    if (busy) return;
    busy = true;
    try {
      for (;;) {
        if (session.closed) return;
        if (session.lineHandler) {
          const line = reader.nextLine();
          if (line === undefined) break;
          await session.onLine(line);
          continue;
        }
        const ev = reader.next();
        if (ev === undefined) break;
        if (ev.kind === 'literal-request') {
          if (await session.onLiteralRequest(ev)) {
            reader.acceptLiteral();
            await session.write(continuation('Ready'));
          } else reader.rejectLiteral();
          continue;
        }
        if (ev.kind === 'command') ctx.log.trace({ tag: ev.command.tag, octets: ev.command.octets }, 'imap.command');
        await session.onReaderEvent(ev);
      }
      if (reader.bufferedOctets < imapLimits.bufferedMaxOctets) resumeInput();
    } catch (e) {
      ctx.log.error({ err: e }, 'imap.session.crashed');
      writeNow(encodeResponse(untagged('BYE', 'internal server error')));
      session.dropped();
    } finally {
      busy = false;
    }
  };

  // Input stops at the socket and, with COMPRESS, at the inflater too: a small deflated burst can expand a lot.
  const inputs = (): Readable[] => (inflate ? [current, inflate] : [current]);
  function resumeInput(): void {
    for (const i of inputs()) if (i.isPaused()) i.resume();
  }
  function onData(chunk: Buffer): void {
    reader.push(chunk);
    if (reader.bufferedOctets >= imapLimits.bufferedMaxOctets) for (const i of inputs()) i.pause();
    void pump();
  }
  function onIdle(): void {
    writeNow(encodeResponse(untagged('BYE', 'autologout: idle for too long')));
    session.dropped();
  }
  const deadline = setTimeout(() => {
    writeNow(encodeResponse(untagged('BYE', 'session time limit reached; please reconnect')));
    session.dropped();
  }, imapServerLimits.sessionMaxMs);
  deadline.unref();
  socket.on('data', onData);
  socket.on('timeout', onIdle);
  socket.setTimeout(idleMs);
  socket.once('close', () => {
    clearTimeout(deadline);
    inflate?.destroy();
    deflate?.destroy();
    session.dropped();
  });
  void session.greet();
}
