/** Certificates served by SNI, ACME accounts, pending challenges and renewal bookkeeping in PostgreSQL: every node sees them. */
import type { AcmeAccount, AcmeChallenge, CertRenewalState, CertStore, StoredCertificate } from '../types.js';
import type { PgDb } from './db.js';

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

export class PgCerts implements CertStore {
  constructor(private readonly db: PgDb) {}

  async putCertificate(c: StoredCertificate): Promise<void> {
    await this.db.query(
      `INSERT INTO tls_certificates (key, names, cert_pem, key_pem, source, issuer, not_before, not_after, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (key) DO UPDATE SET names = excluded.names, cert_pem = excluded.cert_pem, key_pem = excluded.key_pem,
         source = excluded.source, issuer = excluded.issuer, not_before = excluded.not_before,
         not_after = excluded.not_after, updated_at = excluded.updated_at`,
      [c.key, JSON.stringify(c.names), c.certPem, c.keyPem, c.source, c.issuer, c.notBefore, c.notAfter, c.updatedAt],
    );
  }

  async listCertificates(): Promise<StoredCertificate[]> {
    const rows = await this.db.rows<CertRow>('SELECT * FROM tls_certificates ORDER BY key COLLATE "C"');
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
    return (await this.db.row<{ v: number | null }>('SELECT MAX(updated_at) AS v FROM tls_certificates'))!.v ?? 0;
  }

  async getAcmeAccount(directoryUrl: string): Promise<AcmeAccount | null> {
    const r = await this.db.row<{ directory_url: string; key_pem: string; account_url: string | null; created_at: number }>(
      'SELECT * FROM acme_accounts WHERE directory_url = $1',
      [directoryUrl],
    );
    return r ? { directoryUrl: r.directory_url, keyPem: r.key_pem, accountUrl: r.account_url, createdAt: r.created_at } : null;
  }

  async putAcmeAccount(a: AcmeAccount): Promise<void> {
    await this.db.query(
      `INSERT INTO acme_accounts (directory_url, key_pem, account_url, created_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (directory_url) DO UPDATE SET key_pem = excluded.key_pem, account_url = excluded.account_url`,
      [a.directoryUrl, a.keyPem, a.accountUrl, a.createdAt],
    );
  }

  async putAcmeChallenge(c: AcmeChallenge): Promise<void> {
    await this.db.query(
      `INSERT INTO acme_challenges (kind, key, value, expires_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (kind, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
      [c.kind, c.key, c.value, c.expiresAt],
    );
  }

  async getAcmeChallenge(kind: AcmeChallenge['kind'], key: string, now: number): Promise<AcmeChallenge | null> {
    const r = await this.db.row<{ value: string; expires_at: number }>(
      'SELECT value, expires_at FROM acme_challenges WHERE kind = $1 AND key = $2 AND expires_at > $3',
      [kind, key, now],
    );
    return r ? { kind, key, value: r.value, expiresAt: r.expires_at } : null;
  }

  async deleteAcmeChallenge(kind: AcmeChallenge['kind'], key: string): Promise<void> {
    await this.db.query('DELETE FROM acme_challenges WHERE kind = $1 AND key = $2', [kind, key]);
  }

  async getRenewalState(key: string): Promise<CertRenewalState | null> {
    const r = await this.db.row<RenewalRow>('SELECT * FROM cert_renewals WHERE key = $1', [key]);
    return r ? renewal(r) : null;
  }

  async putRenewalState(s: CertRenewalState): Promise<void> {
    await this.db.query(
      `INSERT INTO cert_renewals (key, failures, next_attempt_at, last_attempt_at, last_success_at, last_error) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, next_attempt_at = excluded.next_attempt_at,
         last_attempt_at = excluded.last_attempt_at, last_success_at = excluded.last_success_at, last_error = excluded.last_error`,
      [s.key, s.failures, s.nextAttemptAt, s.lastAttemptAt, s.lastSuccessAt, s.lastError],
    );
  }

  async listRenewalStates(): Promise<CertRenewalState[]> {
    return (await this.db.rows<RenewalRow>('SELECT * FROM cert_renewals ORDER BY key COLLATE "C"')).map(renewal);
  }
}
