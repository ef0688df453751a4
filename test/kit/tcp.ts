/** A raw line-oriented client for transcript tests over plain TCP or TLS (loopback only). */
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';

export class LineClient {
  #buf = '';
  #waiters: Array<() => void> = [];
  closed = false;

  constructor(public socket: Socket | TLSSocket) {
    this.attach(socket);
  }

  private attach(socket: Socket | TLSSocket) {
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      this.#buf += d;
      for (const w of this.#waiters.splice(0)) w();
    });
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.#waiters.splice(0)) w();
    });
    socket.on('error', () => undefined);
  }

  static async open(port: number, tls = false): Promise<LineClient> {
    const socket = await new Promise<Socket | TLSSocket>((resolve, reject) => {
      const s = tls ? tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => resolve(s)) : tcpConnect({ host: '127.0.0.1', port }, () => resolve(s));
      s.once('error', reject);
    });
    return new LineClient(socket);
  }

  write(text: string): void {
    this.socket.write(text);
  }

  /** Waits until the received text matches, returns everything received so far and clears it. */
  async read(pattern: RegExp, timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.#buf)) {
      if (this.closed) throw new Error(`connection closed before ${pattern}; got ${JSON.stringify(this.#buf)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timeout waiting for ${pattern}; got ${JSON.stringify(this.#buf)}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
    const out = this.#buf;
    this.#buf = '';
    return out;
  }

  /** Sends a line and waits for a reply matching `until`. */
  async cmd(line: string, until: RegExp = /\r\n$/): Promise<string> {
    this.write(`${line}\r\n`);
    return this.read(until);
  }

  /** Upgrades the connection to TLS (after the server agreed to STARTTLS/STLS). */
  async upgrade(): Promise<void> {
    this.socket.removeAllListeners('data');
    this.socket.removeAllListeners('close');
    const secure = await new Promise<TLSSocket>((resolve, reject) => {
      const s = tlsConnect({ socket: this.socket, rejectUnauthorized: false }, () => resolve(s));
      s.once('error', reject);
    });
    this.socket = secure;
    this.attach(secure);
  }

  close(): void {
    this.socket.destroy();
  }
}
