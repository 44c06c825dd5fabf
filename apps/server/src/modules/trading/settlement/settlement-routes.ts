import { PnlQuery, PnlView, SettlementQuery, SettlementView, errorResponses } from '@optibid/contracts';
import { authOf } from '../../../http/auth-hook.js';
import type { App } from '../../../http/types.js';
import type { SettlementService } from './settlement-service.js';

export function settlementRoutes(app: App, settlement: SettlementService): void {
  app.get('/api/settlements', {
    config: { access: 'settlement:read' },
    schema: {
      tags: ['settlement'],
      summary: 'Settlement lines per bid, asset and interval over market-local delivery days start..end (inclusive), with battery SoC checks',
      querystring: SettlementQuery,
      response: { 200: SettlementView, ...errorResponses },
    },
    handler: async (req) => {
      const a = authOf(req);
      return settlement.settlements({ organization_id: a.organization_id, user_id: a.user_id }, req.query);
    },
  });

  app.get('/api/pnl', {
    config: { access: 'settlement:read' },
    schema: {
      tags: ['settlement'],
      summary: 'Profit and loss grouped by asset, day or market: revenue, cost (incl. battery degradation), net, MWh, battery cycles',
      querystring: PnlQuery,
      response: { 200: PnlView, ...errorResponses },
    },
    handler: async (req) => {
      const a = authOf(req);
      return settlement.pnl({ organization_id: a.organization_id, user_id: a.user_id }, req.query);
    },
  });
}
