/** Data freshness per ISO and dataset (public, for the status page) and the fetch records (platform admins). */
import { Type } from 'typebox';
import { ISO_IDS } from '@optibid/core';
import { errorResponses, MarketDataStatusBody } from '@optibid/contracts';
import type { ServerContext } from '../../context.js';
import type { App } from '../../http/types.js';
import { badRequest } from '../../http/errors.js';
import type { MarketFeed } from './index.js';
import { FETCH_DATASETS } from './iso-clients/index.js';

const FetchRecordView = Type.Object({
  id: Type.String(),
  market: Type.String(),
  dataset: Type.String(),
  url: Type.String(),
  days: Type.Array(Type.String()),
  started_at: Type.String({ format: 'date-time' }),
  finished_at: Type.String({ format: 'date-time' }),
  http_status: Type.Union([Type.Integer(), Type.Null()]),
  bytes: Type.Integer(),
  sha256: Type.Union([Type.String(), Type.Null()]),
  attempts: Type.Integer(),
  rows_inserted: Type.Integer(),
  rows_updated: Type.Integer(),
  rows_unchanged: Type.Integer(),
  rows_rejected: Type.Integer(),
  ok: Type.Boolean(),
  error: Type.Union([Type.String(), Type.Null()]),
  trigger: Type.String(),
});

export function fetchRoutes(app: App, ctx: ServerContext, feed: MarketFeed): void {
  app.get('/api/system-status/market-data', {
    config: { access: 'public' },
    schema: {
      tags: ['system'],
      summary: 'Freshness of each ISO dataset: last good fetch, newest complete day, whether it is stale',
      response: { 200: MarketDataStatusBody },
    },
    handler: async () => ({
      source: ctx.config.marketFeed.source,
      datasets: ctx.config.marketFeed.source === 'iso' || (await feed.records.freshness()).length > 0 ? await feed.scheduler.checkFreshness() : [],
      clients: feed.service.credentialProblems(),
    }),
  });

  app.get('/api/load-forecasts', {
    config: { access: ctx.config.publicMarketData ? ('public' as const) : ('market:read' as const) },
    schema: {
      tags: ['markets'],
      summary: "An ISO's stored day-ahead load forecast, hourly, with when each hour was (or is assumed) published",
      querystring: Type.Object({
        market: Type.Union(ISO_IDS.map((i) => Type.Literal(i))),
        start: Type.String({ format: 'date-time' }),
        end: Type.String({ format: 'date-time' }),
        known_at: Type.Optional(Type.String({ format: 'date-time', description: 'only hours published by then (no look-ahead)' })),
      }),
      response: {
        200: Type.Object({
          items: Type.Array(
            Type.Object({
              area: Type.String(),
              interval_start: Type.String({ format: 'date-time' }),
              interval_end: Type.String({ format: 'date-time' }),
              load_forecast_mw: Type.Number(),
              published_at: Type.String({ format: 'date-time' }),
              source: Type.String(),
            }),
          ),
        }),
        ...errorResponses,
      },
    },
    handler: async (req) => {
      const start = new Date(req.query.start);
      const end = new Date(req.query.end);
      if (!(end > start)) throw badRequest('end must be after start', [{ field: 'end', message: 'must be after start' }]);
      if (end.getTime() - start.getTime() > 400 * 86_400_000) throw badRequest('at most 400 days per request', [{ field: 'end', message: 'range too long' }]);
      const rows = await feed.loadForecasts.range(req.query.market, start, end, req.query.known_at ? new Date(req.query.known_at) : undefined);
      return {
        items: rows.map((r) => ({ area: r.area, interval_start: r.interval_start.toISOString(), interval_end: r.interval_end.toISOString(), load_forecast_mw: r.load_forecast_mw, published_at: r.published_at.toISOString(), source: r.source })),
      };
    },
  });

  app.get('/api/market-feed/fetches', {
    config: { access: 'platform_admin' },
    schema: {
      tags: ['system'],
      summary: 'Recorded ISO fetches, newest first (platform admins)',
      querystring: Type.Object({
        market: Type.Optional(Type.Union(ISO_IDS.map((i) => Type.Literal(i)))),
        dataset: Type.Optional(Type.Union(FETCH_DATASETS.map((d) => Type.Literal(d)))),
        limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
      }),
      response: { 200: Type.Object({ fetches: Type.Array(FetchRecordView) }), ...errorResponses },
    },
    handler: async (req) => {
      const rows = await feed.records.list({ market: req.query.market, dataset: req.query.dataset, limit: req.query.limit });
      return { fetches: rows.map((r) => ({ ...r, started_at: r.started_at.toISOString(), finished_at: r.finished_at.toISOString() })) };
    },
  });
}
