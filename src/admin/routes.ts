/** The admin console (issue 14): every page for the admin role only, every action a CSRF-checked POST. */
import type { FastifyInstance } from 'fastify';
import type { WebContext } from '../http/context.js';
import { statusDomainRoutes } from './status-domains.js';
import { mailboxRoutes } from './mailboxes.js';
import { queueRoutes } from './queue.js';

export function adminRoutes(app: FastifyInstance, ctx: WebContext): void {
  statusDomainRoutes(app, ctx);
  mailboxRoutes(app, ctx);
  queueRoutes(app, ctx);
}
