import type { FastifyInstance } from 'fastify';
import type { WebContext } from '../context.js';

export function guideRoutes(_app: FastifyInstance, _ctx: WebContext): void {}
