/**
 * The one IMAP client both servers are measured with: raw IMAP over implicit TLS (RFC 8314), commands pipelined
 * (RFC 9051 §5.5), responses read as lines plus the literals they announce. It keeps only what a benchmark needs:
 * untagged responses are counted (or handed to a listener), never parsed into values, so the client costs the
 * same whoever answers.
 */
import { connect as tlsConnect, type TLSSocket } from 'node:tls';

export interface Endpoint {
  name: string;
  host: string;
  port: number;
}

export interface Reply {
  /** The tagged status line without the tag: `OK ...`, `NO ...`, `BAD ...`. */
  status: string;
  /** Untagged responses that arrived while this command was the oldest one in flight. */
  untagged: number;
  /** The untagged lines themselves, only when the command asked for them (`keep`). */
  lines?: string[];
}

interface Pending {
  tag: string;
  keep: boolean;
  untagged: number;
  lines: string[];
  resolve: (r: Reply) => void;
  reject: (e: Error) => void;
}

export class ImapConnection {
  #buf: Buffer = Buffer.alloc(0);
  #pending: Pending[] = [];
  #n = 0;
  #literal = 0; // bytes of a literal still to skip inside the current response
  #line: Buffer[] = [];
  #continuation: ((text: string) => void) | null = null;
  #closed: Error | null = null;
  /** Called for every untagged line (text before any literal) when set: IDLE watches EXISTS with it. */
  onUntagged: ((line: string) => void) | null = null;

  private constructor(readonly socket: TLSSocket) {
    socket.on('data', (d: Buffer) => this.#feed(d));
    const fail = (e: Error) => {
      this.#closed = e;
      for (const p of this.#pending.splice(0)) p.reject(e);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed')));
  }

  static async open(ep: Endpoint): Promise<ImapConnection> {
    const socket = tlsConnect({ host: ep.host, port: ep.port, rejectUnauthorized: false });
    socket.setNoDelay(true);
    const c = new ImapConnection(socket);
    await new Promise<void>((resolve, reject) => {
      c.#pending.push({ tag: '*greeting*', keep: false, untagged: 0, lines: [], resolve: () => resolve(), reject });
    });
    return c;
  }

  #feed(d: Buffer): void {
    this.#buf = this.#buf.length === 0 ? d : Buffer.concat([this.#buf, d]);
    let at = 0;
    const buf = this.#buf;
    while (at < buf.length) {
      if (this.#literal > 0) {
        const take = Math.min(this.#literal, buf.length - at);
        this.#literal -= take;
        at += take;
        continue;
      }
      const nl = buf.indexOf(10, at);
      if (nl < 0) break;
      const piece = buf.subarray(at, nl - 1 >= at && buf[nl - 1] === 13 ? nl - 1 : nl);
      at = nl + 1;
      const m = /\{(\d+)\+?\}$/.exec(piece.subarray(Math.max(0, piece.length - 24)).toString('latin1'));
      this.#line.push(piece);
      if (m) {
        this.#literal = Number(m[1]);
        continue;
      }
      const first = this.#line[0]!;
      this.#line = [];
      this.#response(first);
    }
    this.#buf = at >= buf.length ? Buffer.alloc(0) : buf.subarray(at);
  }

  /** One complete response; `first` is its text up to the first literal. */
  #response(first: Buffer): void {
    const head = this.#pending[0];
    if (head?.tag === '*greeting*') {
      this.#pending.shift();
      head.resolve({ status: first.toString('latin1'), untagged: 0 });
      return;
    }
    if (first[0] === 0x2a) {
      if (this.onUntagged) this.onUntagged(first.toString('latin1'));
      if (head) {
        head.untagged++;
        if (head.keep) head.lines.push(first.toString('latin1'));
      }
      return;
    }
    if (first[0] === 0x2b) {
      const c = this.#continuation;
      this.#continuation = null;
      c?.(first.toString('latin1'));
      return;
    }
    const sp = first.indexOf(0x20);
    const tag = first.subarray(0, sp).toString('latin1');
    const i = this.#pending.findIndex((p) => p.tag === tag);
    if (i < 0) return;
    const [p] = this.#pending.splice(i, 1);
    p!.resolve({ status: first.subarray(sp + 1).toString('latin1'), untagged: p!.untagged, ...(p!.keep ? { lines: p!.lines } : {}) });
  }

  /** Sends one command (text without tag and CRLF, or bytes for literals); resolves with its tagged reply. */
  send(command: string | Buffer, keep = false): Promise<Reply> {
    if (this.#closed) return Promise.reject(this.#closed);
    const tag = `b${++this.#n}`;
    const promise = new Promise<Reply>((resolve, reject) => this.#pending.push({ tag, keep, untagged: 0, lines: [], resolve, reject }));
    if (typeof command === 'string') this.socket.write(`${tag} ${command}\r\n`);
    else this.socket.write(Buffer.concat([Buffer.from(`${tag} `), command, Buffer.from('\r\n')]));
    return promise;
  }

  /** Sends a command and fails unless the server answers OK. */
  async ok(command: string | Buffer, keep = false): Promise<Reply> {
    const r = await this.send(command, keep);
    if (!r.status.startsWith('OK')) throw new Error(`${typeof command === 'string' ? command.slice(0, 60) : 'APPEND'}: ${r.status}`);
    return r;
  }

  /** `APPEND folder (flags) {n+}` with the message as a non-synchronising literal (RFC 7888). */
  append(folder: string, message: Buffer, flags = ''): Promise<Reply> {
    return this.ok(Buffer.concat([Buffer.from(`APPEND ${folder} (${flags}) {${message.length}+}\r\n`), message]));
  }

  /** Starts IDLE (RFC 2177) and resolves once the server's continuation arrives; returns the DONE sender. */
  async idle(): Promise<() => Promise<Reply>> {
    const tag = `b${++this.#n}`;
    const done = new Promise<Reply>((resolve, reject) => this.#pending.push({ tag, keep: false, untagged: 0, lines: [], resolve, reject }));
    const continued = new Promise<string>((resolve) => (this.#continuation = resolve));
    this.socket.write(`${tag} IDLE\r\n`);
    await Promise.race([continued, done.then((r) => Promise.reject(new Error(`IDLE refused: ${r.status}`)))]);
    return () => {
      this.socket.write('DONE\r\n');
      return done;
    };
  }

  close(): void {
    this.socket.destroy();
  }

  async logout(): Promise<void> {
    await this.send('LOGOUT').catch(() => undefined);
    this.socket.destroy();
  }
}

/** IMAP quoted string (RFC 9051 §4.3) for the ASCII user names and passwords the benchmark uses. */
export const quote = (s: string) => `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;

export async function login(ep: Endpoint, user: string, password: string): Promise<ImapConnection> {
  const c = await ImapConnection.open(ep);
  await c.ok(`LOGIN ${quote(user)} ${quote(password)}`);
  return c;
}
