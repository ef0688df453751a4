/** Server status for the admin console: listeners, certificate expiry, queue size and age, store size, version. */
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { Services } from '../app/services.js';

export interface ServerStatus {
  version: string;
  hostname: string;
  listeners: Array<{ role: string; addresses: string[] }>;
  certificate: { subject: string; validTo: number; daysLeft: number; selfSigned: boolean } | { error: string };
  queue: { size: number; oldestAgeMs: number; retrying: number };
  store: { description: string; bytes: number | null };
  ready: { ready: boolean; problems: string[] };
}

const PACKAGE_JSON = new URL('../../package.json', import.meta.url);

export function version(): string {
  try {
    return (JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export async function serverStatus(s: Services): Promise<ServerStatus> {
  const now = s.now();
  const listeners = Object.entries(s.config.listen)
    .filter(([, a]) => a && a.length > 0)
    .map(([role, a]) => ({ role, addresses: a!.map((x) => `${x.host}:${x.port}`) }));
  let certificate: ServerStatus['certificate'];
  try {
    const cert = new X509Certificate(readFileSync(s.config.tls.cert));
    const validTo = Date.parse(cert.validTo);
    certificate = { subject: cert.subject.replace(/\n/g, ', '), validTo, daysLeft: Math.floor((validTo - now) / 86_400_000), selfSigned: cert.issuer === cert.subject };
  } catch (e) {
    certificate = { error: (e as Error).message };
  }
  const queued = await s.store.listQueue({ status: 'queued' });
  const path = s.config.store.kind === 'sqlite' ? s.config.store.path : null;
  const size = (p: string) => (existsSync(p) ? statSync(p).size : 0);
  const readiness = await s.readiness.check();
  return {
    version: version(),
    hostname: s.config.server.hostname,
    listeners,
    certificate,
    queue: { size: queued.length, oldestAgeMs: queued.reduce((m, e) => Math.max(m, now - e.createdAt), 0), retrying: queued.filter((e) => e.attempts > 0).length },
    store: { description: s.store.description, bytes: path ? size(path) + size(`${path}-wal`) : null },
    ready: { ready: readiness.ready, problems: readiness.problems },
  };
}
