import { Type } from 'typebox';
import { HealthBody, MetaBody } from '@optibid/contracts';
import type { App } from '../../http/types.js';
import type { SystemService } from './system-service.js';

export function systemRoutes(app: App, system: SystemService): void {
  app.get('/health', {
    config: { access: 'public' },
    schema: { tags: ['system'], summary: 'Health of every service, each really probed', response: { 200: HealthBody, 503: HealthBody } },
    handler: async (_req, reply) => {
      const body = await system.check();
      return reply.code(body.status === 'down' ? 503 : 200).send(body);
    },
  });

  app.get('/health/live', {
    config: { access: 'public' },
    schema: { tags: ['system'], summary: 'Liveness: the process answers', response: { 200: Type.Object({ status: Type.Literal('ok') }) } },
    handler: async () => ({ status: 'ok' as const }),
  });

  app.get('/health/ready', {
    config: { access: 'public' },
    schema: {
      tags: ['system'],
      summary: 'Readiness: the database answers and the instance is not draining after SIGTERM (503 then; a configured analytics store that cannot serve is listed in degraded; PostgreSQL answers for it)',
      response: {
        200: Type.Object({ status: Type.String(), degraded: Type.Optional(Type.Array(Type.String())) }),
        503: Type.Object({ status: Type.String(), message: Type.String() }),
      },
    },
    handler: async (_req, reply) => {
      const r = await system.readiness();
      if (!r.ready) return reply.code(503).send({ status: 'not_ready', message: r.message });
      return r.degraded ? { status: 'ready', degraded: r.degraded } : { status: 'ready' };
    },
  });

  app.get('/api/meta', {
    config: { access: 'public' },
    schema: { tags: ['system'], summary: 'Public facts for the web app (demo mode, version)', response: { 200: MetaBody } },
    handler: async () => system.meta(),
  });
}
