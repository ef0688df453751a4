/**
 * Discovery endpoints: Thunderbird autoconfig at both URLs, Outlook Autodiscover (POX, path matched without regard
 * to case, and the v2 JSON redirect), the Apple profile, and the ACME challenge path. None of them looks an address
 * up: a known and an unknown address get byte-identical answers.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseAddress } from '../../mail/address.js';
import type { WebContext } from '../context.js';
import { autoconfigXml, autodiscoverErrorXml, autodiscoverXml, discoveryDomain, mobileconfig, parseAutodiscoverRequest } from '../discovery.js';
import { clientSettings, httpsOrigin } from '../settings.js';

const AUTOCONFIG_PATHS = ['/mail/config-v1.1.xml', '/.well-known/autoconfig/mail/config-v1.1.xml'];

/** Paths the plain-HTTP listener answers itself (Thunderbird's http autoconfig lookups, RFC 8555 §8.3). */
export function isPlainHttpPath(url: string): boolean {
  const path = url.split('?')[0]!.toLowerCase();
  return AUTOCONFIG_PATHS.includes(path) || path.startsWith('/.well-known/acme-challenge/');
}

export function providerName(ctx: WebContext): string {
  return ctx.services.config.server.domain;
}

export function discoveryRoutes(app: FastifyInstance, ctx: WebContext, role: 'http' | 'https'): void {
  const config = ctx.services.config;

  for (const path of AUTOCONFIG_PATHS)
    app.get(path, async (req: FastifyRequest<{ Querystring: { emailaddress?: string } }>, reply) => {
      const { domain } = discoveryDomain(req.query.emailaddress, req.headers.host, config.server.domain);
      const s = clientSettings(config, '%EMAILADDRESS%', domain);
      return reply
        .header('content-type', 'application/xml; charset=utf-8')
        .header('cache-control', 'public, max-age=3600')
        .send(autoconfigXml(s, providerName(ctx), `${httpsOrigin(config)}/help`));
    });

  // RFC 8555 §8.3: the key authorization for a pending HTTP-01 token, read from the store so any node answers.
  app.get('/.well-known/acme-challenge/:token', async (req: FastifyRequest<{ Params: { token: string } }>, reply) => {
    const challenge = await ctx.services.store.getAcmeChallenge('http-01', req.params.token, ctx.services.now());
    if (!challenge) return reply.code(404).header('content-type', 'text/plain').send('no such challenge');
    return reply.header('content-type', 'application/octet-stream').header('cache-control', 'no-store').send(challenge.value);
  });

  if (role !== 'https') return;

  const autodiscover = async (req: FastifyRequest, reply: FastifyReply) => {
    reply.header('content-type', 'text/xml; charset=utf-8').header('cache-control', 'no-store');
    const parsed = parseAutodiscoverRequest(typeof req.body === 'string' ? req.body : '');
    if (!parsed.ok || !parsed.emailAddress) return reply.send(autodiscoverErrorXml(ctx.services.now()));
    let address: string;
    try {
      address = parseAddress(parsed.emailAddress).address;
    } catch {
      return reply.send(autodiscoverErrorXml(ctx.services.now()));
    }
    const s = clientSettings(config, address, address.split('@')[1]!);
    return reply.send(autodiscoverXml(s, address));
  };
  app.post('/autodiscover/autodiscover.xml', autodiscover);
  // Outlook probes with GET first on some versions: answer with the error form, never a 404 page.
  app.get('/autodiscover/autodiscover.xml', async (_req, reply) =>
    reply.header('content-type', 'text/xml; charset=utf-8').send(autodiscoverErrorXml(ctx.services.now())));

  const json = async (req: FastifyRequest<{ Querystring: { Protocol?: string; protocol?: string } }>, reply: FastifyReply) => {
    const protocol = req.query.Protocol ?? req.query.protocol ?? '';
    if (protocol.toLowerCase() !== 'autodiscoverv1')
      return reply.code(400).send({ ErrorCode: 'InvalidProtocol', ErrorMessage: `The given protocol value '${protocol.slice(0, 40)}' is invalid. Supported values are 'AutodiscoverV1'.` });
    return reply.send({ Protocol: 'AutodiscoverV1', Url: `${httpsOrigin(config)}/Autodiscover/Autodiscover.xml` });
  };
  app.get('/autodiscover/autodiscover.json', json);
  app.get('/autodiscover/autodiscover.json/v1.0/:address', json);

  app.get('/apple/mail.mobileconfig', async (req: FastifyRequest<{ Querystring: { emailaddress?: string } }>, reply) => {
    let address: string;
    try {
      address = parseAddress(req.query.emailaddress ?? '').address;
    } catch {
      return reply.code(400).header('content-type', 'text/plain; charset=utf-8').send('Add ?emailaddress=you@example.com to the link.');
    }
    const s = clientSettings(config, address, address.split('@')[1]!);
    return sendProfile(reply, address, mobileconfig(s, address, { secret: await ctx.secret(), organisation: providerName(ctx) }));
  });
}

export function sendProfile(reply: FastifyReply, address: string, body: string): FastifyReply {
  return reply
    .header('content-type', 'application/x-apple-aspen-config')
    .header('content-disposition', `attachment; filename="${address.replace(/[^A-Za-z0-9.@_-]/g, '_')}.mobileconfig"`)
    .header('cache-control', 'no-store')
    .send(body);
}
