import type { FastifyInstance } from 'fastify';
import type { WebContext } from '../context.js';

export function accountRoutes(_app: FastifyInstance, _ctx: WebContext): void {}
