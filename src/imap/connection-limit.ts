/**
 * Signed-in IMAP connections per (mailbox, client IP), shared by the imap and imaps listeners (Dovecot's
 * mail_max_userip_connections). The connection past the limit is refused at LOGIN/AUTHENTICATE with
 * NO [LIMIT] (RFC 5530 §3) and may try again once another one closes.
 */
export class UserIpConnections {
  readonly #open = new Map<string, number>();

  constructor(readonly perUserIp: number) {}

  /** Counts one more connection; returns its release (idempotent), or undefined when the limit is reached. */
  acquire(mailboxId: number, clientIp: string): (() => void) | undefined {
    const key = `${mailboxId} ${clientIp}`;
    const n = this.#open.get(key) ?? 0;
    if (n >= this.perUserIp) return undefined;
    this.#open.set(key, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.#open.get(key) ?? 1) - 1;
      if (left <= 0) this.#open.delete(key);
      else this.#open.set(key, left);
    };
  }

  /** Connections counted for a mailbox and address (for tests and diagnostics). */
  count(mailboxId: number, clientIp: string): number {
    return this.#open.get(`${mailboxId} ${clientIp}`) ?? 0;
  }
}
