/**
 * The demo organisation's assets, so the dashboard, the optimiser and the
 * forecast job have something to work on from the first start. Created through
 * the same service as any API call; an asset whose name exists is left alone.
 */
import type { AssetCreateBody } from '@optibid/contracts';
import type { Services } from '../services.js';

/** A clear-sky-like solar shape over the 24 local hours (fraction of capacity). */
const SOLAR_SHAPE = [0, 0, 0, 0, 0, 0, 0.05, 0.2, 0.4, 0.6, 0.75, 0.85, 0.9, 0.85, 0.75, 0.6, 0.4, 0.2, 0.05, 0, 0, 0, 0, 0];

export const DEMO_ASSETS: readonly AssetCreateBody[] = [
  {
    name: 'Houston Battery',
    type: 'battery',
    market: 'ERCOT',
    location: 'HB_HOUSTON',
    params: { charge_power_mw: 10, discharge_power_mw: 10, energy_mwh: 40, charge_efficiency: 0.95, discharge_efficiency: 0.95, soc_min_mwh: 4, soc_max_mwh: 40, soc_initial_mwh: 20, degradation_cost_usd_per_mwh: 2, max_cycles_per_day: 2 },
  },
  {
    name: 'Western Hub Battery',
    type: 'battery',
    market: 'PJM',
    location: 'WESTERN HUB',
    params: { charge_power_mw: 20, discharge_power_mw: 20, energy_mwh: 80, round_trip_efficiency: 0.88, soc_min_mwh: 8, soc_max_mwh: 80, soc_initial_mwh: 40, degradation_cost_usd_per_mwh: 3, max_cycles_per_day: 1.5 },
  },
  {
    name: 'SP15 Solar',
    type: 'solar',
    market: 'CAISO',
    location: 'TH_SP15_GEN-APND',
    params: { capacity_mw: 50, profile_mw: SOLAR_SHAPE.map((f) => Math.round(f * 50 * 10) / 10), curtailable: true, curtailment_loss_usd_per_mwh: 25 },
  },
  {
    name: 'NYC Peaker',
    type: 'thermal',
    market: 'NYISO',
    location: 'N.Y.C.',
    params: {
      pmin_mw: 20,
      pmax_mw: 60,
      cost_segments: [
        { mw: 20, price_usd_per_mwh: 38 },
        { mw: 20, price_usd_per_mwh: 45 },
        { mw: 20, price_usd_per_mwh: 60 },
      ],
      startup_cost_usd: 1500,
      min_up_h: 2,
      min_down_h: 2,
      ramp_mw_per_h: 40,
    },
  },
];

export async function seedDemoAssets(ctx: Services, organizationId: string): Promise<{ created: string[] }> {
  const assets = ctx.trading.assets;
  const actor = { organization_id: organizationId, user_id: null };
  const existing = new Set((await assets.list(actor, { limit: 500 })).items.map((a) => a.name));
  const created: string[] = [];
  for (const a of DEMO_ASSETS) {
    if (existing.has(a.name)) continue;
    await assets.create(actor, a);
    created.push(a.name);
  }
  return { created };
}
