/** Certificates served by SNI, ACME accounts, pending challenges and renewal bookkeeping in SQLite (issue 10). */
import type { AcmeAccount, AcmeChallenge, CertRenewalState, CertStore, StoredCertificate } from '../types.js';
import { type Db, writeTx } from './db.js';

interface CertRow {
  key: string;
  names: string;
  cert_pem: string;
  key_pem: string;
  source: StoredCertificate['source'];
  issuer: string;
  not_before: number;
  not_after: number;
  updated_at: number;
}

interface RenewalRow {
  key: string;
  failures: number;
  next_attempt_at: number;
  last_attempt_at: number | null;
  last_success_at: number | null;
  last_error: string | null;
}

const renewal = (r: RenewalRow): CertRenewalState => ({
  key: r.key,
  failures: r.failures,
  nextAttemptAt: r.next_attempt_at,
  lastAttemptAt: r.last_attempt_at,
  lastSuccessAt: r.last_success_at,
  lastError: r.last_error,
});

export class SqliteCerts implements CertStore {
  constructor(private readonly db: Db) {}

  async putCertificate(c: StoredCertificate): Promise<void> {
    await writeTx(this.db, () =>
      this.db
        .prepare(
          `INSERT INTO tls_certificates (key, names, cert_pem, key_pem, source, issuer, not_before, not_after, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (key) DO UPDATE SET names = excluded.names, cert_pem = excluded.cert_pem, key_pem = excluded.key_pem,
             source = excluded.source, issuer = excluded.issuer, not_before = excluded.not_before,
             not_after = excluded.not_after, updated_at = excluded.updated_at`,
        )
        .run(c.key, JSON.stringify(c.names), c.certPem, c.keyPem, c.source, c.issuer, c.notBefore, c.notAfter, c.updatedAt),
    );
  }

  async listCertificates(): Promise<StoredCertificate[]> {
    const rows = this.db.prepare('SELECT * FROM tls_certificates ORDER BY key').all() as CertRow[];
    return rows.map((r) => ({
      key: r.key,
      names: JSON.parse(r.names) as string[],
      certPem: r.cert_pem,
      keyPem: r.key_pem,
      source: r.source,
      issuer: r.issuer,
      notBefore: r.not_before,
      notAfter: r.not_after,
      updatedAt: r.updated_at,
    }));
  }

  async certificatesVersion(): Promise<number> {
    const r = this.db.prepare('SELECT MAX(updated_at) AS v FROM tls_certificates').get() as { v: number | null };
    return r.v ?? 0;
  }

  async getAcmeAccount(directoryUrl: string): Promise<AcmeAccount | null> {
    const r = this.db.prepare('SELECT * FROM acme_accounts WHERE directory_url = ?').get(directoryUrl) as
      | { directory_url: string; key_pem: string; account_url: string | null; created_at: number }
      | undefined;
    return r ? { directoryUrl: r.directory_url, keyPem: r.key_pem, accountUrl: r.account_url, createdAt: r.created_at } : null;
  }

  async putAcmeAccount(a: AcmeAccount): Promise<void> {
    await writeTx(this.db, () =>
      this.db
        .prepare(
          `INSERT INTO acme_accounts (directory_url, key_pem, account_url, created_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (directory_url) DO UPDATE SET key_pem = excluded.key_pem, account_url = excluded.account_url`,
        )
        .run(a.directoryUrl, a.keyPem, a.accountUrl, a.createdAt),
    );
  }

  async putAcmeChallenge(c: AcmeChallenge): Promise<void> {
    await writeTx(this.db, () =>
      this.db
        .prepare(
          `INSERT INTO acme_challenges (kind, key, value, expires_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (kind, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
        )
        .run(c.kind, c.key, c.value, c.expiresAt),
    );
  }

  async getAcmeChallenge(kind: AcmeChallenge['kind'], key: string, now: number): Promise<AcmeChallenge | null> {
    const r = this.db.prepare('SELECT value, expires_at FROM acme_challenges WHERE kind = ? AND key = ? AND expires_at > ?').get(kind, key, now) as
      | { value: string; expires_at: number }
      | undefined;
    return r ? { kind, key, value: r.value, expiresAt: r.expires_at } : null;
  }

  async deleteAcmeChallenge(kind: AcmeChallenge['kind'], key: string): Promise<void> {
    await writeTx(this.db, () => this.db.prepare('DELETE FROM acme_challenges WHERE kind = ? AND key = ?').run(kind, key));
  }

  async getRenewalState(key: string): Promise<CertRenewalState | null> {
    const r = this.db.prepare('SELECT * FROM cert_renewals WHERE key = ?').get(key) as RenewalRow | undefined;
    return r ? renewal(r) : null;
  }

  async putRenewalState(s: CertRenewalState): Promise<void> {
    await writeTx(this.db, () =>
      this.db
        .prepare(
          `INSERT INTO cert_renewals (key, failures, next_attempt_at, last_attempt_at, last_success_at, last_error) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, next_attempt_at = excluded.next_attempt_at,
             last_attempt_at = excluded.last_attempt_at, last_success_at = excluded.last_success_at, last_error = excluded.last_error`,
        )
        .run(s.key, s.failures, s.nextAttemptAt, s.lastAttemptAt, s.lastSuccessAt, s.lastError),
    );
  }

  async listRenewalStates(): Promise<CertRenewalState[]> {
    return (this.db.prepare('SELECT * FROM cert_renewals ORDER BY key').all() as RenewalRow[]).map(renewal);
  }
}
