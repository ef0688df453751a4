/**
 * MTA-STS (RFC 8461): a recipient domain's published promise that its MX hosts offer STARTTLS with a valid
 * certificate, and the list of the MX names allowed.
 *
 * - §3.1: the TXT record `_mta-sts.<domain>` (`v=STSv1; id=…;`) says a policy exists and names its version; exactly
 *   one record starting with `v=STSv1;` must be there, or the domain has no (new) policy.
 * - §3.2: the policy (version, mode, mx, max_age), parsed strictly: anything malformed is no policy.
 * - §3.3: fetched from `https://mta-sts.<domain>/.well-known/mta-sts.txt` with a valid certificate for that name, no
 *   redirects, status 200, `text/plain`. The host is looked up through our {@link Resolver}, like every other name.
 * - §4.1: MX patterns, a leading `*.` matching exactly one label.
 * - §5.1: policies are cached until max_age runs out; a fetch is attempted only when the TXT id differs from the
 *   cached one (or the cache expired). A failed TXT lookup or fetch keeps using an unexpired cached policy — a
 *   downgrade attacker who removes the TXT record gains nothing.
 * - §5.2 / §4.2: in `enforce` mode an MX not matching the policy is not used, and the others need STARTTLS with a
 *   certificate valid (PKIX) for the MX name; failures defer the mail (4.7.5). `testing` mode only logs.
 */
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import type { Logger } from '../app/logger.js';
import type { Resolver } from '../dns/resolver.js';
import type { MtaStsCacheEntry, QueueStore } from '../store/types.js';
import type { RoutePlan } from './routing.js';

export type MtaStsMode = 'enforce' | 'testing' | 'none';

export interface MtaStsPolicy {
  mode: MtaStsMode;
  /** Patterns as published, lower-case: `mx.example.com` or `*.example.com`. */
  mx: string[];
  /** Seconds (RFC 8461 §3.2: at most 31557600). */
  maxAge: number;
}

/** RFC 8461 §3.2: the largest max_age (about a year). */
const MAX_AGE_LIMIT = 31_557_600;
/** RFC 8461 §3.3 suggests a 64 KiB limit on the policy body. */
const POLICY_MAX_OCTETS = 64 * 1024;
/** RFC 8461 §3.3 suggests a timeout around a minute for the fetch (the queue lease allows for it). */
export const MTA_STS_FETCH_TIMEOUT_CAP_MS = 60_000;

/** Thrown for a policy or TXT record that does not follow the grammar. */
export class MtaStsSyntaxError extends Error {
  override readonly name = 'MtaStsSyntaxError';
}

/** RFC 8461 §3.1: the `id` of a `v=STSv1` TXT record, or null when the record is not one. */
export function parseStsRecord(txt: string): string | null {
  if (!txt.startsWith('v=STSv1;')) return null;
  let id: string | null = null;
  for (const field of txt.split(';').slice(1)) {
    const f = field.trim();
    if (f === '') continue;
    const m = /^([A-Za-z0-9_.-]+)=([\x21-\x3a\x3c\x3e-\x7e]{1,})$/.exec(f);
    if (!m) return null;
    if (m[1] === 'id') {
      if (id !== null || !/^[A-Za-z0-9]{1,32}$/.test(m[2]!)) return null;
      id = m[2]!;
    }
  }
  return id;
}

/** RFC 8461 §3.2, strictly: throws {@link MtaStsSyntaxError} for anything that is not a valid policy. */
export function parseStsPolicy(text: string): MtaStsPolicy {
  let version: string | null = null;
  let mode: string | null = null;
  let maxAge: string | null = null;
  const mx: string[] = [];
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  for (const line of lines) {
    const m = /^([A-Za-z0-9_-]{1,32}):[ \t]*(.*?)[ \t]*$/.exec(line);
    if (!m) throw new MtaStsSyntaxError(`not a policy field: ${JSON.stringify(line.slice(0, 80))}`);
    const [, key, value] = m as unknown as [string, string, string];
    // §3.2: a field repeated (other than mx) counts once, the first time.
    if (key === 'version') version ??= value;
    else if (key === 'mode') mode ??= value;
    else if (key === 'max_age') maxAge ??= value;
    else if (key === 'mx') {
      if (!/^(\*\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9-]{1,63}\.?$/.test(value)) throw new MtaStsSyntaxError(`bad mx pattern: ${value}`);
      mx.push(value.toLowerCase().replace(/\.$/, ''));
    }
    // Other keys are extensions: ignored.
  }
  if (version !== 'STSv1') throw new MtaStsSyntaxError(`version must be STSv1, not ${version ?? 'missing'}`);
  if (mode !== 'enforce' && mode !== 'testing' && mode !== 'none') throw new MtaStsSyntaxError(`bad mode: ${mode ?? 'missing'}`);
  if (maxAge === null || !/^\d{1,10}$/.test(maxAge) || Number(maxAge) > MAX_AGE_LIMIT) throw new MtaStsSyntaxError(`bad max_age: ${maxAge ?? 'missing'}`);
  if (mode !== 'none' && mx.length === 0) throw new MtaStsSyntaxError('a policy in enforce or testing mode needs at least one mx');
  return { mode, mx, maxAge: Number(maxAge) };
}

/** RFC 8461 §4.1: whether an MX host name matches one of the policy's patterns. */
export function mxMatches(policy: Pick<MtaStsPolicy, 'mx'>, host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  return policy.mx.some((p) => {
    if (!p.startsWith('*.')) return p === name;
    const dot = name.indexOf('.');
    return dot > 0 && name.slice(dot + 1) === p.slice(2);
  });
}

/** Fetches the policy text for a domain (RFC 8461 §3.3); rejects on any failure. */
export type PolicyFetcher = (domain: string) => Promise<string>;

export interface HttpsFetcherOptions {
  resolver: Resolver;
  /** 443 except on test networks (`[queue] mta_sts_port`). */
  port: number;
  /** Extra trusted CA certificates (PEM) besides the system store (`[queue] tls_ca_file`). */
  extraCa?: string[];
  timeoutMs: number;
}

/**
 * The real fetcher: `mta-sts.<domain>` looked up through our resolver, HTTPS with the certificate checked for that
 * name against the system CAs (plus `extraCa`), no redirects, 200 and `text/plain` only, at most 64 KiB.
 */
export function httpsPolicyFetcher(o: HttpsFetcherOptions): PolicyFetcher {
  const ca = o.extraCa?.length ? [...rootCertificates, ...o.extraCa] : undefined;
  const timeoutMs = Math.min(o.timeoutMs, MTA_STS_FETCH_TIMEOUT_CAP_MS);
  return async (domain) => {
    const host = `mta-sts.${domain}`;
    const v4 = await o.resolver.resolve4(host).catch(() => [] as string[]);
    const addresses = v4.length ? v4 : await o.resolver.resolve6(host).catch(() => [] as string[]);
    if (addresses.length === 0) throw new Error(`${host} has no address`);
    let last: unknown = null;
    for (const address of addresses)
      try {
        return await getPolicy(address, host, o.port, ca, timeoutMs);
      } catch (e) {
        last = e;
      }
    throw last instanceof Error ? last : new Error(String(last));
  };
}

function getPolicy(address: string, host: string, port: number, ca: string[] | undefined, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: address,
        port,
        servername: host,
        path: '/.well-known/mta-sts.txt',
        method: 'GET',
        headers: { host: port === 443 ? host : `${host}:${port}` },
        agent: false,
        rejectUnauthorized: true,
        minVersion: 'TLSv1.2',
        ...(ca ? { ca } : {}),
        timeout: timeoutMs,
      },
      (res) => {
        // §3.3: redirects are not followed; only a 200 is a policy.
        if (res.statusCode !== 200) {
          res.resume();
          return reject(new Error(`https://${host}/.well-known/mta-sts.txt answered HTTP ${res.statusCode}`));
        }
        const type = (res.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        if (type !== 'text/plain') {
          res.resume();
          return reject(new Error(`the policy's media type is ${type || 'missing'}, not text/plain`));
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > POLICY_MAX_OCTETS) {
            req.destroy(new Error(`the policy is larger than ${POLICY_MAX_OCTETS} octets`));
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no policy from ${host} in ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

export interface MtaStsOptions {
  resolver: Pick<Resolver, 'resolveTxt'>;
  store: Pick<QueueStore, 'getMtaStsPolicy' | 'putMtaStsPolicy'>;
  fetch: PolicyFetcher;
  now: () => number;
  log: Logger;
}

/** Policy discovery with the store as the cache (shared by every node), and its application to a route plan. */
export class MtaSts {
  readonly #o: MtaStsOptions;

  constructor(o: MtaStsOptions) {
    this.#o = o;
  }

  /** RFC 8461 §5.1: the policy that applies to `domain` now, or null when it has none. Never throws. */
  async policyFor(domain: string): Promise<MtaStsPolicy | null> {
    const { store, log } = this.#o;
    const now = this.#o.now();
    const cached = await store.getMtaStsPolicy(domain);
    const live = cached && cached.expiresAt > now ? cached : null;
    const id = await this.#txtId(domain);
    if (id === null || (live && live.policyId === id)) return live ? this.#parsed(live) : null;
    let text: string;
    let policy: MtaStsPolicy;
    try {
      text = await this.#o.fetch(domain);
      policy = parseStsPolicy(text);
    } catch (err) {
      log.info({ domain, err: (err as Error).message, cached: !!live }, 'queue.mta-sts.fetch.failed');
      return live ? this.#parsed(live) : null;
    }
    const entry: MtaStsCacheEntry = { domain, policyId: id, policy: text, fetchedAt: now, expiresAt: now + policy.maxAge * 1000 };
    await store.putMtaStsPolicy(entry);
    log.info({ domain, id, mode: policy.mode, mx: policy.mx, maxAge: policy.maxAge }, 'queue.mta-sts.fetched');
    return policy;
  }

  /**
   * The plan as the policy allows it (RFC 8461 §5.2): in `enforce` mode only matching MX hosts, each requiring
   * STARTTLS with a valid certificate; a fail plan (4.7.5, temporary) when none matches. `testing` and `none` leave
   * the plan as it is (`testing` logs what enforcement would have refused).
   */
  apply(domain: string, plan: RoutePlan & { kind: 'hops' }, policy: MtaStsPolicy): RoutePlan {
    if (policy.mode === 'none') return plan;
    const bad = plan.hops.filter((h) => !mxMatches(policy, h.name)).map((h) => h.name);
    if (policy.mode === 'testing') {
      if (bad.length) this.#o.log.warn({ domain, mx: bad, policy: policy.mx }, 'queue.mta-sts.testing.mismatch');
      return plan;
    }
    const hops = plan.hops.filter((h) => mxMatches(policy, h.name));
    if (bad.length) this.#o.log.warn({ domain, mx: bad, policy: policy.mx }, 'queue.mta-sts.mx.skipped');
    if (hops.length === 0)
      return {
        kind: 'fail',
        permanent: false,
        status: '4.7.5',
        reason: `none of the MX hosts of ${domain} (${bad.join(', ')}) is allowed by its MTA-STS policy (mx: ${policy.mx.join(', ')}); the mail waits in case the domain fixes its DNS or policy`,
      };
    return { ...plan, hops: hops.map((h) => ({ ...h, security: 'require-valid' as const, requiredBy: `the MTA-STS policy of ${domain}` })) };
  }

  async #txtId(domain: string): Promise<string | null> {
    try {
      const records = (await this.#o.resolver.resolveTxt(`_mta-sts.${domain}`)).map((r) => r.join(''));
      const sts = records.filter((r) => r.startsWith('v=STSv1;'));
      return sts.length === 1 ? parseStsRecord(sts[0]!) : null;
    } catch {
      return null; // NXDOMAIN, NODATA or a failed lookup: whatever is cached still applies
    }
  }

  #parsed(e: MtaStsCacheEntry): MtaStsPolicy | null {
    try {
      return parseStsPolicy(e.policy);
    } catch {
      return null;
    }
  }
}
