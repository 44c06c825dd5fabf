import { Type } from 'typebox';
import { HealthBody, MetaBody } from '@optibid/contracts';
import type { App } from '../../http/types.js';
import type { SystemService } from './system-service.js';

/** Each dependency readiness looks at: `database` always, `nats` when BUS_URL is set. */
const ReadinessChecks = Type.Record(Type.String(), Type.Union([Type.Literal('ok'), Type.Literal('down')]));

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
      summary: 'Readiness: the instance is not draining after SIGTERM, the database answers, and NATS with its streams when the bus is NATS (BUS_URL); a configured analytics store that cannot serve is listed in degraded (PostgreSQL answers for it)',
      response: {
        200: Type.Object({ status: Type.String(), checks: ReadinessChecks, degraded: Type.Optional(Type.Array(Type.String())) }),
        503: Type.Object({ status: Type.String(), message: Type.String(), checks: ReadinessChecks }),
      },
    },
    handler: async (_req, reply) => {
      const r = await system.readiness();
      if (!r.ready) return reply.code(503).send({ status: 'not_ready', message: r.message ?? 'not ready', checks: r.checks });
      return r.degraded ? { status: 'ready', checks: r.checks, degraded: r.degraded } : { status: 'ready', checks: r.checks };
    },
  });

  app.get('/api/meta', {
    config: { access: 'public' },
    schema: { tags: ['system'], summary: 'Public facts for the web app (demo mode, version)', response: { 200: MetaBody } },
    handler: async () => system.meta(),
  });
}
