import { ForecastCreateBody, ForecastList, ForecastListQuery, ForecastView, errorResponses } from '@optibid/contracts';
import { authOf } from '../../http/auth-hook.js';
import type { App } from '../../http/types.js';
import type { ForecastService } from './forecast-service.js';

const actorOf = (req: Parameters<typeof authOf>[0]) => {
  const a = authOf(req);
  return { organization_id: a.organization_id, user_id: a.user_id };
};

export function forecastRoutes(app: App, forecasts: ForecastService): void {
  const tags = ['forecasting'];
  app.get('/api/forecasts', {
    config: { access: 'forecast:read' },
    schema: {
      tags,
      summary: 'Stored day-ahead forecasts (P10/P50/P90 per hour of the market-local delivery day), newest delivery day first',
      querystring: ForecastListQuery,
      response: { 200: ForecastList, ...errorResponses },
    },
    handler: async (req) => forecasts.list(actorOf(req), req.query),
  });

  app.post('/api/forecasts', {
    config: { access: 'forecast:run' },
    schema: {
      tags,
      summary: "Produce and store a forecast now (the named version, else the location's production version), using only prices known at the day's gate closure; 200 when that version already has one",
      body: ForecastCreateBody,
      response: { 200: ForecastView, 201: ForecastView, ...errorResponses },
    },
    handler: async (req, reply) => {
      const r = await forecasts.create(actorOf(req), req.body);
      return reply.code(r.created ? 201 : 200).send(r.view);
    },
  });
}
