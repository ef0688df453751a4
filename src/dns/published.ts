/**
 * What a name publishes now, asked through the injected {@link Resolver}: the one lookup behind `outpost check`
 * (src/doctor/server-check.ts) and the admin console's live DNS check (src/admin/dns-live.ts).
 *
 * One rule for failures, from the difference between an answer and no answer:
 * - NXDOMAIN (RFC 1035 §4.1.1 "name error") and NODATA (RFC 2308 §2.2) are answers: nothing is published
 *   (`none`), and the record is reported missing.
 * - SERVFAIL, REFUSED, a timeout or any other failure is no answer (`unchecked`): the record could not be checked,
 *   which is never reported as missing: a resolver having a bad minute must not tell an operator to publish a
 *   record that is there.
 */
import { isDnsError, type Resolver } from './resolver.js';

/** The record types `outpost dns` recommends. */
export type PublishedType = 'MX' | 'TXT' | 'SRV' | 'CNAME';

export type Published =
  /** The records found, as text: MX exchanges, TXT strings joined (RFC 7208 §3.3), SRV `prio weight port target`. */
  | { kind: 'records'; values: string[] }
  /** NXDOMAIN or NODATA: nothing is published. */
  | { kind: 'none' }
  /** No answer (SERVFAIL, REFUSED, timeout…): cannot tell; `message` says why. */
  | { kind: 'unchecked'; message: string };

/** The records `name` publishes of `type`, or why there is no answer. Never throws. */
export async function lookupPublished(resolver: Resolver, name: string, type: PublishedType): Promise<Published> {
  try {
    switch (type) {
      case 'MX':
        return records((await resolver.resolveMx(name)).map((m) => m.exchange));
      case 'TXT':
        return records((await resolver.resolveTxt(name)).map((parts) => parts.join('')));
      case 'SRV':
        return records((await resolver.resolveSrv(name)).map((s) => `${s.priority} ${s.weight} ${s.port} ${s.name}`));
      case 'CNAME':
        return records(await resolver.resolveCname(name));
    }
  } catch (e) {
    return failure(e);
  }
}

/** The A and AAAA addresses of `name`: records when either has some, `none` when both are answered empty. */
export async function lookupAddresses(resolver: Resolver, name: string): Promise<Published> {
  const answers = await Promise.all([resolver.resolve4(name), resolver.resolve6(name)].map((p) => p.then(records, failure)));
  const found = answers.flatMap((a) => (a.kind === 'records' ? a.values : []));
  if (found.length > 0) return { kind: 'records', values: found };
  return answers.find((a) => a.kind === 'unchecked') ?? { kind: 'none' };
}

const records = (values: string[]): Published => (values.length > 0 ? { kind: 'records', values } : { kind: 'none' });

/** The rule above: only NXDOMAIN and NODATA (the DnsErrors that are not temporary) mean "not published". */
function failure(e: unknown): Published {
  if (isDnsError(e) && !e.temporary) return { kind: 'none' };
  return { kind: 'unchecked', message: e instanceof Error ? e.message : String(e) };
}
