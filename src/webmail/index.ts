/**
 * The webmail: a single-page app (web/, Preact, built by Vite into dist/web) under /webmail, and its JSON API under
 * /webmail/api. Registered as an encapsulated Fastify plugin so its body parsers (JSON up to a message's size, raw
 * uploads) and its CSP apply to its own routes only.
 */
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { extname, join, normalize } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { webmailLimits } from '../lib/limits.js';
import type { WebContext } from '../http/context.js';
import { Prefs } from './prefs.js';
import { makeGuard } from './routes/guard.js';
import { readRoutes } from './routes/read.js';
import { writeRoutes } from './routes/write.js';
import { organiseRoutes } from './routes/organise.js';
import { liveRoutes } from './routes/live.js';
import { settingsRoutes } from './routes/settings.js';
import { startUploadSweeper } from './uploads.js';

/** The SPA's own policy: scripts and styles only from our files, frames only our sandboxed message bodies. */
export const WEBMAIL_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

/** Where `vite build` put the app: dist/web beside the compiled server, or the repository's dist/web under tsx. */
function assetDir(): string | null {
  for (const rel of ['../web/', '../../dist/web/']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(join(dir, 'index.html'))) return dir;
  }
  return null;
}

export function webmailRoutes(app: FastifyInstance, ctx: WebContext): void {
  void app.register(
    async (sub) => {
      sub.removeAllContentTypeParsers();
      sub.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: webmailLimits.jsonBodyBytes }, (_req, body, done) => {
        try {
          done(null, body === '' ? {} : JSON.parse(String(body)));
        } catch {
          done(Object.assign(new Error('bad JSON'), { statusCode: 400 }), undefined);
        }
      });
      sub.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: webmailLimits.uploadBytes }, (_req, body, done) => done(null, body));
      const guard = makeGuard(ctx);
      const prefs = new Prefs(ctx.services.store);
      readRoutes(sub, ctx, guard, prefs);
      writeRoutes(sub, ctx, guard, prefs);
      organiseRoutes(sub, ctx, guard, prefs);
      liveRoutes(sub, ctx, guard);
      settingsRoutes(sub, ctx, guard, prefs);
      assetRoutes(sub, ctx);
      // Unsent uploads expire (src/webmail/uploads.ts); every node sweeps, the sweep is idempotent.
      const stop = startUploadSweeper(ctx.services.store, ctx.services.now, (e) => sub.log.warn({ err: e }, 'webmail upload sweep failed'));
      sub.addHook('onClose', async () => stop());
    },
    { prefix: '/webmail' },
  );
}

function assetRoutes(app: FastifyInstance, ctx: WebContext): void {
  const dir = assetDir();
  const cache = new Map<string, Buffer>();
  const file = async (rel: string): Promise<Buffer | null> => {
    if (!dir) return null;
    const path = normalize(join(dir, rel));
    if (!path.startsWith(dir)) return null;
    const hit = cache.get(path);
    if (hit) return hit;
    try {
      const data = await readFile(path);
      cache.set(path, data);
      return data;
    } catch {
      return null;
    }
  };

  const shell = async (req: import('fastify').FastifyRequest, reply: import('fastify').FastifyReply) => {
    if (!(await ctx.sessions.current(req))) return reply.code(303).header('location', '/signin?next=%2Fwebmail').send();
    const html = await file('index.html');
    if (!html) return reply.code(503).header('content-type', 'text/plain; charset=utf-8').send('The webmail is not built: run npm run build.');
    return reply.header('content-type', 'text/html; charset=utf-8').header('content-security-policy', WEBMAIL_CSP).header('cache-control', 'no-store').send(html);
  };
  app.get('/', shell);

  app.get('/assets/*', async (req, reply) => {
    const rel = (req.params as { '*': string })['*'];
    if (!/^[A-Za-z0-9._-]+$/.test(rel)) return reply.code(404).send();
    const data = await file(join('assets', rel));
    if (!data) return reply.code(404).header('content-type', 'text/plain; charset=utf-8').send('not found');
    return reply
      .header('content-type', TYPES[extname(rel)] ?? 'application/octet-stream')
      .header('content-security-policy', WEBMAIL_CSP)
      .header('cache-control', 'public, max-age=31536000, immutable')
      .send(data);
  });
}
