/**
 * Sender authentication with mailauth: SPF (RFC 7208), DKIM (RFC 6376), DMARC (RFC 7489), ARC (RFC 8617), every
 * lookup through Outpost's own resolver. BIMI is off: it would fetch logos over HTTPS, which an MX must not do.
 */
import { authenticate } from 'mailauth';
import type { Resolver } from '../dns/resolver.js';
import { mailauthResolver } from '../dns/resolver.js';
import type { AuthResult, InboundContext, SenderAuth } from './types.js';

const normalise = (r: string | undefined): AuthResult => {
  switch (r) {
    case 'pass':
    case 'fail':
    case 'softfail':
    case 'neutral':
    case 'temperror':
    case 'permerror':
    case 'policy':
      return r;
    case 'temperr':
      return 'temperror';
    default:
      return 'none';
  }
};

export async function verifySender(ctx: InboundContext, resolver: Resolver, authservId: string): Promise<SenderAuth> {
  const r = await authenticate(ctx.raw, {
    ip: ctx.clientIp.replace(/^::ffff:(?=\d+\.)/, ''),
    helo: ctx.helo,
    sender: ctx.mailFrom,
    mta: authservId,
    resolver: mailauthResolver(resolver) as never,
    disableBimi: true,
  });
  const dmarc = r.dmarc
    ? {
        result: normalise(r.dmarc.status?.result),
        policy: (['none', 'quarantine', 'reject'].includes(r.dmarc.policy) ? r.dmarc.policy : null) as 'none' | 'quarantine' | 'reject' | null,
        domain: r.dmarc.domain,
      }
    : null;
  return {
    spf: r.spf ? normalise(r.spf.status?.result) : 'none',
    dkim: (r.dkim.results ?? []).map((d) => ({ domain: d.signingDomain, result: normalise(d.status.result), aligned: !!d.status.aligned })),
    dmarc,
    arc: r.arc ? normalise(r.arc.status?.result) : 'none',
    fromDomain: r.dkim.headerFrom?.[0]?.split('@').pop()?.toLowerCase() ?? null,
    header: r.headers.endsWith('\r\n') ? r.headers : `${r.headers}\r\n`,
  };
}
