/** Shared set-up of the trading tests: an organisation with a trader, a battery at ERCOT HB_HOUSTON, DA prices. */
import { hoursInLocalDay, localDayBoundsUtc, nextDayAheadGateClosure, getMarket } from '@optibid/core';
import { bearer, registerUser, type TestServer } from './helpers.js';
import { memberWithRole } from './helpers-accounts.js';

export const BATTERY = {
  charge_power_mw: 10,
  discharge_power_mw: 10,
  energy_mwh: 40,
  charge_efficiency: 0.95,
  discharge_efficiency: 0.95,
  soc_min_mwh: 4,
  soc_max_mwh: 40,
  soc_initial_mwh: 20,
  degradation_cost_usd_per_mwh: 2,
  max_cycles_per_day: 2,
};

/** Charge ≤ 20 $/MWh, discharge ≥ 50 $/MWh (CAISO-style storage curve: charge block first). */
export const STORAGE_CURVE = [
  { mw: -10, price_usd_per_mwh: 20 },
  { mw: 10, price_usd_per_mwh: 50 },
];

/** Hours 2–3 at 15 (charge), 18–19 at 80 (discharge), 30 otherwise. */
export function daLmp(hour: number): number {
  return hour === 2 || hour === 3 ? 15 : hour === 18 || hour === 19 ? 80 : 30;
}

/**
 * The services' clock for a test server (`startTestServer(backend, env, { now: clock.now })`):
 * the wall clock until the test stands it at an instant (past a gate closure, to clear a day
 * as the market would), and back with `reset`.
 */
export function movableClock() {
  let fixed: Date | null = null;
  return {
    now: () => fixed ?? new Date(),
    standAt(t: Date | number) {
      fixed = new Date(t);
    },
    reset() {
      fixed = null;
    },
  };
}

/** The next ERCOT delivery day whose gate is still open at `now` (tomorrow before 10:00 Central). */
export function openErcotDay(now = new Date()): { date: string; hours: number; gate: Date } {
  const n = nextDayAheadGateClosure('ERCOT', now);
  return { date: n.delivery_date, hours: hoursInLocalDay(n.delivery_date, 'America/Chicago'), gate: n.closes_at };
}

export async function storeDaPrices(server: TestServer, date: string, location = 'HB_HOUSTON', lmp = daLmp): Promise<void> {
  const day = localDayBoundsUtc(date, getMarket('ERCOT').timezone);
  const rows = [];
  for (let k = 0, t = day.start.getTime(); t < day.end.getTime(); k++, t += 3_600_000) {
    rows.push({
      market: 'ERCOT',
      location,
      run: 'DA' as const,
      interval_start: new Date(t),
      interval_end: new Date(t + 3_600_000),
      lmp_usd_per_mwh: lmp(k),
      energy_usd_per_mwh: null,
      congestion_usd_per_mwh: null,
      loss_usd_per_mwh: null,
      source: 'test',
    });
  }
  await server.ctx.repos.prices.upsert(rows);
}

export interface Org {
  id: string;
  owner: string;
  trader: string;
  viewer: string;
}

/**
 * A new organisation with an owner, a trader and a viewer. Trading tests run on the enterprise
 * plan so they are not bound by the free plan's limits; quota tests ask for `free`.
 */
export async function newOrg(server: TestServer, opts: { plan?: 'free' | 'pro' | 'enterprise' } = {}): Promise<Org> {
  const owner = await registerUser(server.app);
  const id = owner.user.organization.id;
  const plan = opts.plan ?? 'enterprise';
  if (plan !== 'free') {
    await server.ctx.database.query(
      `INSERT INTO subscriptions (organization_id, plan_id) VALUES ($1, $2) ON CONFLICT (organization_id) DO UPDATE SET plan_id = EXCLUDED.plan_id`,
      [id, plan],
    );
  }
  const trader = await memberWithRole(server, id, 'trader');
  const viewer = await memberWithRole(server, id, 'viewer');
  return { id, owner: owner.access_token, trader: trader.access_token, viewer: viewer.access_token };
}

export async function createBattery(server: TestServer, token: string, name = 'Houston battery'): Promise<{ id: string }> {
  const res = await server.app.inject({
    method: 'POST',
    url: '/api/assets',
    headers: bearer(token),
    payload: { name, type: 'battery', market: 'ercot', location: 'HB_HOUSTON', params: BATTERY },
  });
  if (res.statusCode !== 201) throw new Error(`asset create failed: ${res.statusCode} ${res.body}`);
  return res.json();
}

export async function createDaBid(server: TestServer, token: string, assetId: string, date: string, hours: number, curve = STORAGE_CURVE, headers: Record<string, string> = {}) {
  return server.app.inject({
    method: 'POST',
    url: '/api/bids',
    headers: { ...bearer(token), ...headers },
    payload: { asset_id: assetId, run: 'DA', delivery_date: date, curves: Array.from({ length: hours }, () => curve) },
  });
}

/** A battery's energy curve beside AS capacity: charge 5 MW at ≤ 20 $/MWh, discharge 5 MW at ≥ 50 $/MWh (fits beside 5 MW of AS each way on BATTERY). */
export const AS_STORAGE_CURVE = [
  { mw: -5, price_usd_per_mwh: 20 },
  { mw: 5, price_usd_per_mwh: 50 },
];
/** AS offers for every hour: 4 MW RRS at 2 $/MW, 4 MW REGDN at 1 $/MW, 1 MW NSPIN at 5 $/MW (up 5 MW + discharge 5 MW = BATTERY's 10 MW). */
export const AS_OFFERS = [
  { product: 'RRS', mw: 4, price_usd_per_mw: 2 },
  { product: 'REGDN', mw: 4, price_usd_per_mw: 1 },
  { product: 'NSPIN', mw: 1, price_usd_per_mw: 5 },
];

/** A DA bid with AS_STORAGE_CURVE and AS_OFFERS in every hour of the day. */
export async function createDaBidWithAs(server: TestServer, token: string, assetId: string, date: string, hours: number) {
  return server.app.inject({
    method: 'POST',
    url: '/api/bids',
    headers: bearer(token),
    payload: { asset_id: assetId, run: 'DA', delivery_date: date, curves: Array.from({ length: hours }, () => AS_STORAGE_CURVE), as_offers: Array.from({ length: hours }, () => AS_OFFERS) },
  });
}
