/**
 * Delivering one message to many local users the way each server takes mail from outside: SMTP to Outpost's MX
 * (RFC 5321) or LMTP to Dovecot (RFC 2033: one reply per recipient after the data). One transaction carries up to
 * 100 recipients (RFC 5321 §4.5.3.1.8's minimum, Outpost's default limit); transactions run on parallel connections.
 */
import { connect, type Socket } from 'node:net';

class LineSession {
  #buf = '';
  #waiters: Array<() => void> = [];
  private constructor(readonly socket: Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      this.#buf += d;
      for (const w of this.#waiters.splice(0)) w();
    });
  }

  static async open(port: number): Promise<LineSession> {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.setNoDelay(true);
    return new LineSession(socket);
  }

  /** One reply, multi-line replies joined (`250-...` continues, `250 ...` ends). */
  async reply(): Promise<string> {
    const lines: string[] = [];
    for (;;) {
      const nl = this.#buf.indexOf('\r\n');
      if (nl < 0) {
        await new Promise<void>((r) => this.#waiters.push(r));
        continue;
      }
      const line = this.#buf.slice(0, nl);
      this.#buf = this.#buf.slice(nl + 2);
      lines.push(line);
      if (line[3] !== '-') return lines.join('\n');
    }
  }

  async command(line: string, expect: string): Promise<string> {
    this.socket.write(`${line}\r\n`);
    const r = await this.reply();
    if (!r.startsWith(expect)) throw new Error(`${line.slice(0, 40)}: ${r}`);
    return r;
  }
}

export interface DeliveryPlan {
  port: number;
  protocol: 'smtp' | 'lmtp';
  /** Envelope recipients (full addresses). */
  recipients: string[];
  message: Buffer;
  connections: number;
  perTransaction: number;
}

/** Delivers; returns, for each recipient, the moment (performance.now()) the end of its transaction's data was sent. */
export async function deliver(plan: DeliveryPlan): Promise<Map<string, number>> {
  const batches: string[][] = [];
  for (let i = 0; i < plan.recipients.length; i += plan.perTransaction) batches.push(plan.recipients.slice(i, i + plan.perTransaction));
  const sentAt = new Map<string, number>();
  const body = Buffer.concat([plan.message, Buffer.from('\r\n.\r\n')]);
  const worker = async () => {
    const s = await LineSession.open(plan.port);
    await s.reply(); // greeting
    await s.command(`${plan.protocol === 'smtp' ? 'EHLO' : 'LHLO'} bench.test`, '250');
    for (let batch = batches.shift(); batch; batch = batches.shift()) {
      await s.command('MAIL FROM:<load@bench.test>', '250');
      for (const r of batch) await s.command(`RCPT TO:<${r}>`, '250');
      await s.command('DATA', '354');
      s.socket.write(body);
      const t = performance.now();
      for (const r of batch) sentAt.set(r, t);
      // SMTP answers once for the transaction; LMTP once per recipient (RFC 2033 §4.2).
      for (let i = 0; i < (plan.protocol === 'lmtp' ? batch.length : 1); i++) {
        const r = await s.reply();
        if (!r.startsWith('250')) throw new Error(`delivery refused: ${r}`);
      }
    }
    await s.command('QUIT', '221');
    s.socket.destroy();
  };
  await Promise.all(Array.from({ length: plan.connections }, worker));
  return sentAt;
}
