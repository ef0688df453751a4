/**
 * A line conversation over one socket for the doctor's probes: read CRLF lines with a deadline, write commands,
 * and upgrade to TLS in the middle (RFC 3207 STARTTLS, RFC 2595 STLS, RFC 9051 STARTTLS).
 */
import net from 'node:net';
import tls from 'node:tls';
import { TemporaryError } from '../lib/errors.js';

export class Conversation {
  #socket: net.Socket;
  #buffer = '';
  #waiter: (() => void) | null = null;
  #ended: Error | null = null;

  constructor(socket: net.Socket) {
    this.#socket = socket;
    this.#attach(socket);
  }

  get socket(): net.Socket {
    return this.#socket;
  }

  #attach(socket: net.Socket): void {
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      this.#buffer += d;
      this.#wake();
    });
    const end = (e?: Error) => {
      this.#ended ??= e ?? new Error('the server closed the connection');
      this.#wake();
    };
    socket.on('error', end);
    socket.on('close', () => end());
  }

  #wake(): void {
    const w = this.#waiter;
    this.#waiter = null;
    w?.();
  }

  /** The next line without its CRLF; rejects after `timeoutMs` or when the connection ends. */
  async readLine(timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.#buffer.indexOf('\n');
      if (i >= 0) {
        const line = this.#buffer.slice(0, i).replace(/\r$/, '');
        this.#buffer = this.#buffer.slice(i + 1);
        return line;
      }
      if (this.#ended) throw new TemporaryError('closed', this.#ended.message);
      const left = deadline - Date.now();
      if (left <= 0) throw new TemporaryError('timeout', `no answer within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiter = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }

  /** An SMTP reply (RFC 5321 §4.2.1: `250-` continues, `250 ` ends): its code and lines' text. */
  async readSmtpReply(timeoutMs: number): Promise<{ code: number; lines: string[] }> {
    const lines: string[] = [];
    for (;;) {
      const line = await this.readLine(timeoutMs);
      const m = /^(\d{3})([- ]?)(.*)$/.exec(line);
      if (!m) throw new TemporaryError('not-smtp', `not an SMTP reply: ${JSON.stringify(line.slice(0, 80))}`);
      lines.push(m[3]!);
      if (m[2] !== '-') return { code: Number(m[1]), lines };
    }
  }

  write(line: string): void {
    this.#socket.write(`${line}\r\n`);
  }

  /** Starts TLS on the connection; lines after this are read decrypted. */
  async upgrade(options: tls.ConnectionOptions, timeoutMs: number): Promise<tls.TLSSocket> {
    this.#socket.removeAllListeners('data');
    this.#buffer = '';
    const secure = await handshake({ ...options, socket: this.#socket }, timeoutMs);
    this.#socket = secure;
    this.#ended = null;
    this.#attach(secure);
    return secure;
  }

  close(): void {
    this.#socket.destroy();
  }
}

/** A TCP connection within `timeoutMs`; rejects with the socket error (its `code`: ECONNREFUSED…) or a timeout. */
export function connect(host: string, port: number, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' }));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** A TLS handshake that completes even when the certificate does not verify (the doctor reports, never trusts). */
export function handshake(options: tls.ConnectionOptions, timeoutMs: number): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ ...options, rejectUnauthorized: false });
    const timer = setTimeout(() => {
      s.destroy();
      reject(Object.assign(new Error(`TLS handshake not done within ${timeoutMs} ms`), { code: 'ETIMEDOUT' }));
    }, timeoutMs);
    s.once('secureConnect', () => {
      clearTimeout(timer);
      s.removeAllListeners('error');
      resolve(s);
    });
    s.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}
