import { can, isYmd } from '@optibid/core';
import { ClearBody, ClearingView, IsoParam, errorResponses } from '@optibid/contracts';
import { Type } from 'typebox';
import { authOf } from '../../../http/auth-hook.js';
import { badRequest, forbidden } from '../../../http/errors.js';
import type { App } from '../../../http/types.js';
import type { MarketService } from '../../market-data/index.js';
import type { FeatureFlags } from '../../platform/index.js';
import type { ClearingService } from './clearing-service.js';

/**
 * Who may clear on demand: a platform admin clears the whole market (either mode);
 * an organisation owner or admin clears only their organisation's bids, and only in
 * price-taker mode, where each bid clears against the LMP on its own so clearing a
 * subset gives exactly the awards a market-wide run would. Nobody clears a day before its
 * gate closure (409 gate_not_closed) except a platform admin in simulation mode.
 */
export function clearingRoutes(app: App, deps: { markets: MarketService; flags: FeatureFlags; clearing: ClearingService }): void {
  const { markets, flags, clearing } = deps;
  app.post('/api/markets/:iso/clear', {
    config: { access: 'authenticated' },
    schema: {
      tags: ['clearing'],
      summary: 'Clear a market run for a delivery day now (idempotent: a re-run gives the same awards). Platform admins: whole market; organisation admins: own bids, price-taker',
      description: 'Only after the delivery day\'s gate closure (DA: the ISO\'s day-ahead gate; RT: the close of the RT bids of the day\'s last hour): earlier is 409 gate_not_closed, naming the gate in UTC and market time, unless a platform admin runs it in simulation mode (SIMULATION_MODE).',
      params: Type.Object({ iso: IsoParam }),
      body: ClearBody,
      response: { 200: ClearingView, ...errorResponses },
    },
    handler: async (req) => {
      const auth = authOf(req);
      const mode = req.body.mode ?? 'price_taker';
      if (!auth.is_platform_admin) {
        if (!can(auth.role, 'org:manage')) throw forbidden(`clearing needs an organisation admin or a platform admin (your role: ${auth.role})`);
        if (mode === 'auction') throw forbidden('auction clearing covers every organisation and needs a platform admin');
      }
      if (mode === 'auction' && !(await flags.isEnabled(auth.organization_id, 'auction_clearing'))) {
        throw forbidden('auction-mode clearing is not enabled for your organisation (feature flag auction_clearing)');
      }
      if (!isYmd(req.body.delivery_date)) throw badRequest(`delivery_date ${req.body.delivery_date} is not a valid date`);
      const m = markets.market(req.params.iso);
      return clearing.clearOnDemand({
        iso: m.iso,
        run: req.body.run,
        delivery_date: req.body.delivery_date,
        mode,
        residual_demand: req.body.residual_demand,
        rest_of_market_supply: req.body.rest_of_market_supply,
        organization_id: auth.is_platform_admin ? undefined : auth.organization_id,
        triggered_by: auth.user_id,
      }, auth);
    },
  });
}
