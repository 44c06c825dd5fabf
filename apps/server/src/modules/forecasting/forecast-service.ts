/**
 * Day-ahead forecasts served from the registry: produced by a model version on
 * the prices known at the delivery day's gate closure, stored once per
 * (version, delivery day), and read back per location and day. Quantiles are
 * the point forecast plus the empirical residual quantiles of the same
 * version's forecasts of the last days whose prices were known at the gate
 * (stored ones first; missing days are re-forecast, not stored).
 */
import { addDaysYmd, createForecastModel, dayAheadGateClosure, isYmd } from '@optibid/core';
import type { ForecastCreateBody, ForecastView } from '@optibid/contracts';
import type { ForecastOrigin, ForecastRow, VersionRow } from '../../db/repositories/forecasting.js';
import { notFound, validationFailed } from '../../http/errors.js';
import { type Actor, type ForecastingDeps, forecastView, loadPriceBook } from './common.js';
import { dayInput, deliveryDayHours, forecastInputs, residualOf, type DayInput } from './engine.js';
import { InsufficientHistoryError } from './price-book.js';

const DEFAULT_QUANTILE_WINDOW_DAYS = 28;

export class ForecastNotPossibleError extends Error {}

export class ForecastService {
  constructor(private readonly d: ForecastingDeps) {}

  /** The version to use: the one named (must be ready and for this location), else the location's production version. */
  async resolveVersion(organizationId: string, market: string, location: string, versionId?: string): Promise<VersionRow> {
    if (versionId) {
      const v = await this.d.repo.getVersion(organizationId, versionId);
      if (!v) throw notFound(`model version ${versionId}`);
      const info = (await this.d.repo.versionInfo(organizationId, [v.id])).get(v.id)!;
      if (info.market !== market || info.location !== location) {
        throw validationFailed(`model version ${versionId} forecasts ${info.market} ${info.location}, not ${market} ${location}`, [{ field: 'model_version_id', message: 'other location' }]);
      }
      if (v.status !== 'ready') throw validationFailed(`model version ${versionId} is ${v.status}; only a trained version forecasts`, [{ field: 'model_version_id', message: v.status }]);
      return v;
    }
    const p = await this.d.repo.productionVersionFor(organizationId, market, location);
    if (!p) {
      throw validationFailed(`no production model for ${market} ${location}: register a model, train a version and promote it, or name model_version_id`, [
        { field: 'model_version_id', message: 'no production version' },
      ]);
    }
    return p;
  }

  /**
   * Returns the stored forecast of `version` for the day, producing and storing
   * it first when there is none. Throws ForecastNotPossibleError when the
   * stored prices cannot support it.
   */
  async produce(actor: Actor, market: string, location: string, date: string, v: VersionRow, origin: ForecastOrigin): Promise<{ row: ForecastRow; created: boolean }> {
    const existing = await this.d.repo.forecastFor(actor.organization_id, v.id, date);
    if (existing) return { row: existing, created: false };
    const m = this.d.markets.market(market);
    const run = await this.d.repo.getRun(actor.organization_id, v.run_id);
    const Q = Number(run?.params.quantile_window_days ?? DEFAULT_QUANTILE_WINDOW_DAYS);
    const model = createForecastModel(v.model_type);
    const gate = dayAheadGateClosure(m.iso, date, m);
    // Only prices before the gate are even loaded: nothing later can reach the model.
    const book = await loadPriceBook(this.d.ctx, m, location, gate, model.min_history_days + Q + 30);
    let input;
    try {
      input = dayInput(model.min_history_days, book, date);
    } catch (err) {
      if (err instanceof InsufficientHistoryError) throw new ForecastNotPossibleError(`${v.model_type} cannot forecast ${location} for ${date}: ${err.message}`);
      throw err;
    }
    const f = (await forecastInputs(this.d.ctx.compute, v.model_type, [input])).days[0]!;
    const residuals = await this.residualWindow(actor.organization_id, v, book, date, Q);
    const stored = await this.d.repo.storeForecast({
      organization_id: actor.organization_id,
      model_version_id: v.id,
      market: m.iso,
      location,
      delivery_date: date,
      origin,
      gate_closure: f.gate_closure,
      history_end: f.history_end,
      hours: deliveryDayHours(m, date, f.daily_point, residuals),
      daily_point: Array.from(f.daily_point),
      created_by: actor.user_id,
    });
    return stored;
  }

  /** Residuals (actual − point, 24 each) of the version on the Q days up to D−2, oldest first. */
  private async residualWindow(organizationId: string, v: VersionRow, book: Awaited<ReturnType<typeof loadPriceBook>>, date: string, Q: number): Promise<Float64Array[]> {
    const last = addDaysYmd(date, -2);
    const first = addDaysYmd(date, -1 - Q);
    const stored = new Map((await this.d.repo.versionForecasts(organizationId, v.id, first, last)).map((f) => [f.delivery_date, f.daily_point]));
    const minDays = createForecastModel(v.model_type).min_history_days;
    const points = new Map<string, ArrayLike<number>>();
    const missing: DayInput[] = [];
    for (let d = first; d <= last; d = addDaysYmd(d, 1)) {
      if (!book.actual(d)) continue;
      const point = stored.get(d);
      if (point) points.set(d, point);
      else {
        try {
          missing.push(dayInput(minDays, book, d));
        } catch (err) {
          if (err instanceof InsufficientHistoryError) continue;
          throw err;
        }
      }
    }
    // Missing days are re-forecast by one model walking through them in order, as the stored ones were.
    for (const f of (await forecastInputs(this.d.ctx.compute, v.model_type, missing)).days) points.set(f.date, f.daily_point);
    return [...points.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([d, p]) => residualOf(book, d, p)!);
  }

  async create(actor: Actor, body: ForecastCreateBody): Promise<{ view: ForecastView; created: boolean }> {
    const m = this.d.markets.market(body.market);
    const location = await this.d.markets.location(m, body.location);
    const v = await this.resolveVersion(actor.organization_id, m.iso, location, body.model_version_id);
    try {
      const r = await this.produce(actor, m.iso, location, body.delivery_date, v, 'api');
      return { view: (await this.views(actor.organization_id, [r.row]))[0]!, created: r.created };
    } catch (err) {
      if (err instanceof ForecastNotPossibleError) throw validationFailed(err.message, [{ field: 'delivery_date', message: 'not enough stored history before the gate closure' }]);
      throw err;
    }
  }

  async list(actor: Actor, q: { market?: string; location?: string; delivery_date?: string; model_version_id?: string; origin?: ForecastOrigin; limit?: number }) {
    let market: string | undefined, location: string | undefined;
    if (q.market) {
      const m = this.d.markets.market(q.market);
      market = m.iso;
      if (q.location) location = await this.d.markets.location(m, q.location);
    } else if (q.location) location = q.location.toUpperCase();
    if (q.model_version_id && !(await this.d.repo.getVersion(actor.organization_id, q.model_version_id))) throw notFound(`model version ${q.model_version_id}`);
    const rows = await this.d.repo.listForecasts({ organization_id: actor.organization_id, market, location, delivery_date: q.delivery_date, model_version_id: q.model_version_id, origin: q.origin, limit: q.limit ?? 50 });
    return { items: await this.views(actor.organization_id, rows) };
  }

  private async views(organizationId: string, rows: ForecastRow[]): Promise<ForecastView[]> {
    const info = await this.d.repo.versionInfo(organizationId, rows.map((r) => r.model_version_id));
    return rows.map((r) => forecastView(r, info.get(r.model_version_id)!));
  }

  /**
   * The forecast the optimiser runs on: the stored forecast of the named version
   * (or of the location's production version) for a market-local delivery day,
   * produced and stored now when there is none. Null when no version applies or
   * the stored prices before the gate cannot support a forecast; an unknown or
   * other organisation's version is a 404.
   */
  async forDay(
    organizationId: string,
    args: { market: string; location: string; delivery_date: string; model_version_id?: string | null },
  ): Promise<DayForecastForOptimizer | null> {
    const m = this.d.markets.market(args.market);
    const location = await this.d.markets.location(m, args.location);
    if (!isYmd(args.delivery_date)) throw validationFailed(`delivery_date "${args.delivery_date}" is not YYYY-MM-DD`);
    let v: VersionRow;
    if (args.model_version_id) v = await this.resolveVersion(organizationId, m.iso, location, args.model_version_id);
    else {
      const p = await this.d.repo.productionVersionFor(organizationId, m.iso, location);
      if (!p) return null;
      v = p;
    }
    try {
      const { row } = await this.produce({ organization_id: organizationId, user_id: null }, m.iso, location, args.delivery_date, v, 'api');
      return {
        model_version_id: v.id,
        interval_starts: row.hours.map((h) => new Date(h.interval_start)),
        p10: row.hours.map((h) => h.p10),
        p50: row.hours.map((h) => h.p50),
        p90: row.hours.map((h) => h.p90),
      };
    } catch (err) {
      if (err instanceof ForecastNotPossibleError) return null;
      throw err;
    }
  }
}

export interface DayForecastForOptimizer {
  model_version_id: string;
  interval_starts: Date[];
  p10: number[];
  p50: number[];
  p90: number[];
}
