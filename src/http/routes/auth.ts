import type { FastifyInstance } from 'fastify';
import type { WebContext } from '../context.js';

export function authRoutes(_app: FastifyInstance, _ctx: WebContext): void {}
