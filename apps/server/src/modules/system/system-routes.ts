import { Type } from 'typebox';
import { HealthBody, MetaBody } from '@optibid/contracts';
import type { ServerContext } from '../../context.js';
import { DEMO_ACCOUNTS } from '../../demo/accounts.js';
import type { App } from '../../http/types.js';
import { VERSION } from '../../version.js';

export function systemRoutes(app: App, ctx: ServerContext): void {
  app.get('/health', {
    config: { access: 'public' },
    schema: { tags: ['system'], summary: 'Health of every service, each really probed', response: { 200: HealthBody, 503: HealthBody } },
    handler: async (_req, reply) => {
      const body = await ctx.health.check();
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
      summary: 'Readiness: the database answers',
      response: { 200: Type.Object({ status: Type.String() }), 503: Type.Object({ status: Type.String(), message: Type.String() }) },
    },
    handler: async (_req, reply) => {
      try {
        await ctx.database.query('SELECT 1');
        return { status: 'ready' };
      } catch (err) {
        return reply.code(503).send({ status: 'not_ready', message: (err as Error).message });
      }
    },
  });

  app.get('/api/meta', {
    config: { access: 'public' },
    schema: { tags: ['system'], summary: 'Public facts for the web app (demo mode, version)', response: { 200: MetaBody } },
    handler: async () => ({
      name: 'OptiBid',
      version: VERSION,
      environment: ctx.config.env,
      demo_mode: ctx.config.demoMode,
      simulation_mode: ctx.config.simulationMode,
      public_market_data: ctx.config.publicMarketData,
      demo_accounts: ctx.config.demoMode ? DEMO_ACCOUNTS.map(({ email, password, role }) => ({ email, password, role })) : [],
    }),
  });
}
