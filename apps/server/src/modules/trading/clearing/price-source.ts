/**
 * Prices a clearing needs: the delivery day's DA LMPs per location (filled by
 * the simulated market in simulation mode) and RT prices per bid interval.
 */
import { addDaysYmd, localDayBoundsUtc, type MarketDefinition, type PriceRun } from '@optibid/core';
import type { TradingDeps } from '../common.js';
import { simulateDayAheadPrices } from './simulated-prices.js';

const H = 3_600_000;
const HISTORY_DAYS = 28;
export const SIMULATED_DA_SOURCE = 'simulated-da';

export class PriceSource {
  constructor(private readonly d: TradingDeps) {}

  /**
   * DA LMPs of the day at a location by interval start (ms). In simulation mode missing
   * hours are generated, stored with source `simulated-da` and published on `prices:<ISO>`;
   * the count generated is returned.
   */
  async dayAhead(m: MarketDefinition, location: string, date: string): Promise<{ lmps: Map<number, number>; simulated: number }> {
    const day = localDayBoundsUtc(date, m.timezone);
    const stored = await this.d.ctx.repos.prices.recent(m.iso, location, ['DA'], day.start, day.end);
    const lmps = new Map(stored.map((p) => [p.interval_start.getTime(), p.lmp_usd_per_mwh]));
    const hours: Date[] = [];
    for (let t = day.start.getTime(); t < day.end.getTime(); t += H) if (!lmps.has(t)) hours.push(new Date(t));
    if (!this.d.ctx.config.simulationMode || hours.length === 0) return { lmps, simulated: 0 };

    const since = localDayBoundsUtc(addDaysYmd(date, -HISTORY_DAYS), m.timezone).start;
    let history = await this.d.ctx.repos.prices.recent(m.iso, location, ['DA'], since, day.start);
    if (history.length === 0) history = await this.d.ctx.repos.prices.recent(m.iso, location, ['RTH', 'RT15', 'RT5'], since, day.start);
    const sim = simulateDayAheadPrices({ market: m, location, delivery_date: date, hours, history });
    await this.d.ctx.repos.prices.upsert(
      sim.map((p) => ({
        market: m.iso,
        location,
        run: 'DA' as const,
        interval_start: p.interval_start,
        interval_end: new Date(p.interval_start.getTime() + H),
        lmp_usd_per_mwh: p.lmp_usd_per_mwh,
        energy_usd_per_mwh: null,
        congestion_usd_per_mwh: null,
        loss_usd_per_mwh: null,
        source: SIMULATED_DA_SOURCE,
      })),
      { keepRevisions: false },
    );
    for (const p of sim) lmps.set(p.interval_start.getTime(), p.lmp_usd_per_mwh);
    await this.d.ctx.bus
      .publish(`prices:${m.iso}`, {
        type: 'da_prices',
        market: m.iso,
        location,
        delivery_date: date,
        source: SIMULATED_DA_SOURCE,
        items: sim.map((p) => ({ interval_start: p.interval_start.toISOString(), lmp_usd_per_mwh: p.lmp_usd_per_mwh })),
        timestamp: this.d.now().toISOString(),
      })
      .catch(() => undefined);
    return { lmps, simulated: sim.length };
  }

  /**
   * RT price of each period [start, start + duration): the mean of the first run, in order
   * of granularity closest to the period, that has prices inside it; NaN when none has.
   */
  async realTime(m: MarketDefinition, location: string, periods: { interval_start: Date; duration_h: number }[]): Promise<number[]> {
    if (periods.length === 0) return [];
    const start = periods[0]!.interval_start;
    const last = periods[periods.length - 1]!;
    const end = new Date(last.interval_start.getTime() + last.duration_h * H);
    const runs: PriceRun[] = ['RT5', 'RT15', 'RTH'];
    const points = await this.d.ctx.repos.prices.recent(m.iso, location, runs, start, end);
    const minutes = periods[0]!.duration_h * 60;
    const order: PriceRun[] = minutes >= 60 ? ['RTH', 'RT15', 'RT5'] : minutes >= 15 ? ['RT15', 'RT5', 'RTH'] : ['RT5', 'RT15', 'RTH'];
    return periods.map((p) => {
      const s = p.interval_start.getTime();
      const e = s + p.duration_h * H;
      for (const run of order) {
        // An hourly price covers a shorter period inside its hour.
        const inside = points.filter((q) => q.run === run && ((q.interval_start.getTime() >= s && q.interval_start.getTime() < e) || (q.interval_start.getTime() <= s && q.interval_end.getTime() >= e)));
        if (inside.length > 0) return inside.reduce((a, q) => a + q.lmp_usd_per_mwh, 0) / inside.length;
      }
      return Number.NaN;
    });
  }
}
