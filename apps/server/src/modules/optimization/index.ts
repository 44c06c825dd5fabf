/**
 * Optimisation (schedules and bid curves for an asset and day) and backtests.
 * HiGHS runs in a worker pool created on first use (it blocks its thread).
 */
import { Type } from 'typebox';
import { createSolverPool, type SolveFn, type SolverPool } from '@optibid/core';
import { BacktestCreateBody, BacktestView, BidView, OptimizeBody, OptimizeResult, errorResponses } from '@optibid/contracts';
import type { ServerContext } from '../../context.js';
import type { OptimizationRepository } from '../../db/repositories/optimization.js';
import { authOf } from '../../http/auth-hook.js';
import type { App } from '../../http/types.js';
import type { MarketService } from '../market-data/index.js';
import type { FeatureFlags, QuotaGate } from '../platform/index.js';
import type { TradingServices } from '../trading/index.js';
import { BacktestService } from './backtest-service.js';
import type { ForecastLookup } from './day-prices.js';

export type { ForecastLookup } from './day-prices.js';
import { OptimizeService } from './optimize-service.js';

export interface OptimizationModule {
  optimize: OptimizeService;
  backtests: BacktestService;
  close(): Promise<void>;
}

export interface OptimizationDeps {
  ctx: ServerContext;
  markets: MarketService;
  quotas: QuotaGate;
  /** Gates our own forecast models in backtests' `forecast:<model>` strategies. */
  flags: FeatureFlags;
  trading: TradingServices;
  repo: OptimizationRepository;
  forecasts?: ForecastLookup;
  now?: () => Date;
  /** The server's shared HiGHS pool (compute/solver.ts); without it the module starts and closes its own. */
  solve?: () => Promise<SolveFn>;
}

/** The optimiser and backtests on one set of dependencies, with HiGHS workers started on first use; called by the composition root only. */
export function optimizationServicesOn(d: OptimizationDeps): OptimizationModule {
  let pool: SolverPool | null = null;
  const solve =
    d.solve ??
    (async (): Promise<SolveFn> => {
      pool ??= createSolverPool({ size: 2, warm_up: 'light' });
      await pool.ready;
      const p = pool;
      return (model, options) => d.ctx.metrics.time(d.ctx.metrics.solverDuration, {}, () => p.solve(model, options));
    });
  const backtests = new BacktestService(d.ctx, d.markets, d.quotas, d.trading, d.repo, solve, d.flags);
  return {
    optimize: new OptimizeService(d.ctx, d.markets, d.trading, d.repo, solve, d.forecasts, d.now),
    backtests,
    async close() {
      const p = pool;
      pool = null;
      await p?.close();
    },
  };
}

const actorOf = (req: Parameters<typeof authOf>[0]) => {
  const a = authOf(req);
  return { organization_id: a.organization_id, user_id: a.user_id };
};

export async function registerOptimization(app: App, mod: OptimizationModule): Promise<void> {
  app.addHook('onClose', async () => mod.close());

  app.post('/api/optimize', {
    config: { access: 'optimize:run' },
    schema: { tags: ['optimisation'], summary: "An asset's optimal schedule and bid curves for a delivery day (422 when no schedule is feasible)", body: OptimizeBody, response: { 200: OptimizeResult, ...errorResponses } },
    handler: async (req) => mod.optimize.optimize(actorOf(req), req.body),
  });

  app.post('/api/optimize/:run_id/bids', {
    config: { access: 'bids:write' },
    schema: {
      tags: ['optimisation'],
      summary: "Turn an optimisation run's curves into a draft bid; honours Idempotency-Key",
      params: Type.Object({ run_id: Type.String({ format: 'uuid' }) }),
      headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) }),
      response: { 200: BidView, 201: BidView, ...errorResponses },
    },
    handler: async (req, reply) => {
      const answer = await mod.optimize.toBids(actorOf(req), req.params.run_id, req.headers['idempotency-key']);
      if (answer.replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(answer.status_code as 201).send(answer.body);
    },
  });

  app.post('/api/backtests', {
    config: { access: 'backtest:run' },
    schema: { tags: ['backtests'], summary: 'Start a backtest over stored history (runs as a job; poll or watch backtest_progress on the WebSocket)', body: BacktestCreateBody, response: { 202: BacktestView, ...errorResponses } },
    handler: async (req, reply) => reply.code(202).send(await mod.backtests.create(actorOf(req), req.body)),
  });

  app.get('/api/backtests', {
    config: { access: 'settlement:read' },
    schema: {
      tags: ['backtests'],
      summary: "Your organisation's backtests, newest first (without the daily series)",
      querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })) }, { additionalProperties: false }),
      response: { 200: Type.Object({ items: Type.Array(BacktestView) }), ...errorResponses },
    },
    handler: async (req) => ({ items: await mod.backtests.list(actorOf(req), req.query.limit ?? 50) }),
  });

  app.get('/api/backtests/:id', {
    config: { access: 'settlement:read' },
    schema: { tags: ['backtests'], summary: 'One backtest with its progress and, when done, its result and daily P&L', params: Type.Object({ id: Type.String({ format: 'uuid' }) }), response: { 200: BacktestView, ...errorResponses } },
    handler: async (req) => mod.backtests.get(actorOf(req), req.params.id),
  });
}
