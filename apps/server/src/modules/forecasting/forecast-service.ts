/**
 * Day-ahead forecasts served from the registry: produced by a model version on
 * the prices known at the delivery day's gate closure, stored once per
 * (version, delivery day), and read back per location and day. Quantiles are
 * the point forecast plus the empirical residual quantiles of the same
 * version's forecasts of the last days whose prices were known at the gate
 * (stored ones first; missing days are re-forecast, not stored).
 *
 * A version evaluated with the location's load forecast serves with it, as
 * published by the delivery day's gate closure (prices alone, saying why, when
 * it is not); a forecast runs on the shared market's prices unless it asks for
 * the organisation's own series (`price_scope: own`), stored apart.
 */
import { addDaysYmd, createForecastModel, dayAheadGateClosure, isYmd, localDayBoundsUtc, type MarketDefinition } from '@optibid/core';
import type { ForecastCreateBody, ForecastView } from '@optibid/contracts';
import type { ExogenousSeries, ForecastOrigin, ForecastPriceScope, ForecastRow, VersionRow } from '../../db/repositories/forecasting.js';
import { notFound, validationFailed } from '../../http/errors.js';
import { type Actor, type ForecastingDeps, forecastView, loadExogenous, loadPriceBook, priceOwner, requireForecastModelAllowed } from './common.js';
import { dayInput, deliveryDayHours, forecastInputs, residualOf, type DayInput } from './engine.js';
import { deliveryHours, InsufficientHistoryError, type PriceBook } from './price-book.js';
import { loadForecastAreaFor, type LoadForecastBook } from './exogenous.js';
import { defaultModelFor } from './model-choice.js';

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
   * stored prices cannot support it. Before the day's gate, a stored forecast whose load forecast has
   * since arrived or been revised is made again in place (`remade`).
   */
  async produce(actor: Actor, market: string, location: string, date: string, v: VersionRow, origin: ForecastOrigin, scope: ForecastPriceScope = 'shared'): Promise<{ row: ForecastRow; created: boolean; remade?: boolean }> {
    const m = this.d.markets.market(market);
    const existing = await this.d.repo.forecastFor(actor.organization_id, v.id, date, scope);
    if (existing && !(await this.loadForecastArrivedSince(existing, v, m, location))) return { row: existing, created: false };
    const run = await this.d.repo.getRun(actor.organization_id, v.run_id);
    const Q = Number(run?.params.quantile_window_days ?? DEFAULT_QUANTILE_WINDOW_DAYS);
    const model = createForecastModel(v.model_type);
    const { book, exogenous } = await this.inputsBefore(actor.organization_id, m, location, date, model.min_history_days + Q + 30, scope, v.exogenous.length > 0);
    const absent = v.exogenous.length ? exogenous.absent : `version ${v.version} was evaluated on prices alone`;
    let input;
    try {
      input = dayInput(model.min_history_days, book, date, undefined, { book: exogenous.book, absent });
    } catch (err) {
      if (err instanceof InsufficientHistoryError) throw new ForecastNotPossibleError(`${v.model_type} cannot forecast ${location} for ${date}: ${err.message}`);
      throw err;
    }
    const used = { exogenous: input.exogenous, exogenous_note: input.exogenous_note };
    const f = (await forecastInputs(this.d.ctx.compute, v.model_type, [input])).days[0]!;
    const residuals = await this.residualWindow(actor.organization_id, v, book, date, Q, scope, exogenous);
    const made = {
      origin,
      gate_closure: f.gate_closure,
      history_end: f.history_end,
      hours: deliveryDayHours(m, date, f.daily_point, residuals),
      daily_point: Array.from(f.daily_point),
      created_by: actor.user_id,
      ...used,
    };
    if (existing) return { row: await this.d.repo.replaceForecast(existing.id, made), created: false, remade: true };
    return this.d.repo.storeForecast({
      organization_id: actor.organization_id,
      model_version_id: v.id,
      market: m.iso,
      location,
      delivery_date: date,
      price_scope: scope,
      ...made,
    });
  }

  /**
   * When the day's load forecast, as published by its gate, was last stored or revised (null: none, or
   * no load-forecast area): the daily job keys a location's day on it, so an arrival or a revision
   * before the gate is a new job, which makes the forecast again (see produce).
   */
  async loadForecastStamp(market: string, location: string, date: string): Promise<Date | null> {
    const m = this.d.markets.market(market);
    const area = loadForecastAreaFor(m, location);
    if (!area) return null;
    const { start, end } = localDayBoundsUtc(date, m.timezone);
    return this.d.loadForecasts.lastIngestedAt(m.iso, area, start, end, dayAheadGateClosure(m.iso, date, m));
  }

  /**
   * Whether a stored forecast should be made again: its day's gate is still open, its version runs with
   * the load forecast, and the delivery day's load forecast (as published by the gate) was stored or
   * revised after the forecast was made: the ISO's forecast arrived after a prices-only forecast, or a
   * fetched one replaced the one it used. Once the gate has closed the stored forecast is the record.
   */
  private async loadForecastArrivedSince(f: ForecastRow, v: VersionRow, m: MarketDefinition, location: string): Promise<boolean> {
    if (!v.exogenous.length || this.d.now().getTime() >= f.gate_closure.getTime()) return false;
    const area = loadForecastAreaFor(m, location);
    if (!area) return false;
    const { start, end } = localDayBoundsUtc(f.delivery_date, m.timezone);
    const at = await this.d.loadForecasts.lastIngestedAt(m.iso, area, start, end, f.gate_closure);
    return at !== null && at.getTime() > f.created_at.getTime();
  }

  /**
   * What a forecast of `date` may see: the scope's prices before the day's gate closure (nothing later is
   * even loaded) and, when wanted, the location's load forecast as published by then. A forecast on the
   * organisation's own series when it has none there is a 422, never the shared market instead.
   */
  private async inputsBefore(organizationId: string, m: MarketDefinition, location: string, date: string, days: number, scope: ForecastPriceScope, wantExogenous: boolean) {
    const gate = dayAheadGateClosure(m.iso, date, m);
    const book = await loadPriceBook(this.d.ctx, m, location, gate, days, { owner: priceOwner(scope, organizationId) });
    if (scope === 'own' && !book.dates.length) {
      throw validationFailed(`your organisation has no own DA or RTH prices for ${m.iso} ${location} before ${gate.toISOString()} (the gate closure of ${date}); import them, or forecast on the shared market (price_scope shared)`, [
        { field: 'price_scope', message: 'no own series for this location and period' },
      ]);
    }
    const exogenous = wantExogenous ? await loadExogenous(this.d, book, location, gate) : { book: null, absent: null };
    return { book, exogenous, gate };
  }

  /** Residuals (actual − point, 24 each) of the version on the Q days up to D−2, oldest first. */
  private async residualWindow(
    organizationId: string,
    v: VersionRow,
    book: PriceBook,
    date: string,
    Q: number,
    scope: ForecastPriceScope,
    exogenous: { book: LoadForecastBook | null; absent: string | null },
  ): Promise<Float64Array[]> {
    const last = addDaysYmd(date, -2);
    const first = addDaysYmd(date, -1 - Q);
    const stored = new Map((await this.d.repo.versionForecasts(organizationId, v.id, first, last, scope)).map((f) => [f.delivery_date, f.daily_point]));
    const minDays = createForecastModel(v.model_type).min_history_days;
    const points = new Map<string, ArrayLike<number>>();
    const missing: DayInput[] = [];
    for (let d = first; d <= last; d = addDaysYmd(d, 1)) {
      if (!book.actual(d)) continue;
      const point = stored.get(d);
      if (point) points.set(d, point);
      else {
        try {
          missing.push(dayInput(minDays, book, d, undefined, exogenous));
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
    const scope = body.price_scope ?? 'shared';
    const location = await this.d.markets.location(m, body.location, priceOwner(scope, actor.organization_id));
    const v = await this.resolveVersion(actor.organization_id, m.iso, location, body.model_version_id);
    try {
      const r = await this.produce(actor, m.iso, location, body.delivery_date, v, 'api', scope);
      return { view: (await this.views(actor.organization_id, [r.row]))[0]!, created: r.created };
    } catch (err) {
      if (err instanceof ForecastNotPossibleError) throw validationFailed(err.message, [{ field: 'delivery_date', message: 'not enough stored history before the gate closure' }]);
      throw err;
    }
  }

  async list(actor: Actor, q: { market?: string; location?: string; delivery_date?: string; model_version_id?: string; origin?: ForecastOrigin; price_scope?: ForecastPriceScope; limit?: number }) {
    let market: string | undefined, location: string | undefined;
    if (q.market) {
      const m = this.d.markets.market(q.market);
      market = m.iso;
      if (q.location) location = await this.d.markets.location(m, q.location, priceOwner(q.price_scope, actor.organization_id));
    } else if (q.location) location = q.location.toUpperCase();
    if (q.model_version_id && !(await this.d.repo.getVersion(actor.organization_id, q.model_version_id))) throw notFound(`model version ${q.model_version_id}`);
    const rows = await this.d.repo.listForecasts({ organization_id: actor.organization_id, market, location, delivery_date: q.delivery_date, model_version_id: q.model_version_id, origin: q.origin, price_scope: q.price_scope, limit: q.limit ?? 50 });
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
    args: { market: string; location: string; delivery_date: string; model_version_id?: string | null; price_scope?: ForecastPriceScope },
  ): Promise<DayForecastForOptimizer | null> {
    const m = this.d.markets.market(args.market);
    const scope = args.price_scope ?? 'shared';
    const location = await this.d.markets.location(m, args.location, priceOwner(scope, organizationId));
    if (!isYmd(args.delivery_date)) throw validationFailed(`delivery_date "${args.delivery_date}" is not YYYY-MM-DD`);
    let v: VersionRow;
    if (args.model_version_id) v = await this.resolveVersion(organizationId, m.iso, location, args.model_version_id);
    else {
      const p = await this.d.repo.productionVersionFor(organizationId, m.iso, location);
      if (!p) return null;
      v = p;
    }
    try {
      const { row } = await this.produce({ organization_id: organizationId, user_id: null }, m.iso, location, args.delivery_date, v, 'api', scope);
      return {
        model_version_id: v.id,
        interval_starts: row.hours.map((h) => new Date(h.interval_start)),
        p10: row.hours.map((h) => h.p10),
        p50: row.hours.map((h) => h.p50),
        p90: row.hours.map((h) => h.p90),
        exogenous: row.exogenous,
        exogenous_note: row.exogenous_note,
      };
    } catch (err) {
      if (err instanceof ForecastNotPossibleError) return null;
      throw err;
    }
  }

  /**
   * A named model (or, unnamed, the location's measured default: model-choice.ts) run now, in the compute pool,
   * on the scope's prices before the day's gate closure and the location's load forecast as published by
   * then, as the registry's versions run; nothing is stored. 422 when the history cannot support it.
   */
  async adHoc(organizationId: string, args: { market: string; location: string; delivery_date: string; model?: string; price_scope?: ForecastPriceScope }): Promise<ModelForecastForOptimizer> {
    const m = this.d.markets.market(args.market);
    const scope = args.price_scope ?? 'shared';
    const location = await this.d.markets.location(m, args.location, priceOwner(scope, organizationId));
    let spec = args.model?.trim();
    let minDays: number;
    try {
      minDays = spec ? createForecastModel(spec).min_history_days : 0;
    } catch (err) {
      throw validationFailed(`unknown forecast model "${args.model}": ${(err as Error).message}`, [{ field: 'price_source.model', message: 'unknown model' }]);
    }
    if (spec) await requireForecastModelAllowed(this.d.flags, organizationId, spec);
    const { book, exogenous } = await this.inputsBefore(organizationId, m, location, args.delivery_date, spec ? minDays + 30 : 1500 + 30, scope, true);
    if (!spec) {
      // The location's measured choice when one is stored (the daily job makes it), else the most capable model that fits:
      // a request does not wait for a measurement. A stored choice needing more history than this day has falls back too.
      const chosen = await this.d.modelChoice.stored(m.iso, location, scope === 'own' ? organizationId : 'shared');
      const fits = chosen && createForecastModel(chosen.spec).min_history_days + 2 <= book.completeDates().length;
      spec = fits ? chosen.spec : defaultModelFor(book.completeDates().length, 0).spec;
      minDays = createForecastModel(spec).min_history_days;
    }
    let input: DayInput;
    try {
      input = dayInput(minDays, book, args.delivery_date, undefined, exogenous);
    } catch (err) {
      if (err instanceof InsufficientHistoryError) {
        throw validationFailed(`${spec} cannot forecast ${m.iso} ${location} for ${args.delivery_date}: ${err.message}`, [{ field: 'price_source', message: 'not enough history before the gate closure' }]);
      }
      throw err;
    }
    const { exogenous: used, exogenous_note } = input;
    const f = (await forecastInputs(this.d.ctx.compute, spec, [input])).days[0]!;
    // The model's 24 local hours onto the day's own clock hours (23, 24 or 25).
    const { starts, localHours } = deliveryHours(m, args.delivery_date);
    return { model: spec, interval_starts: starts, p50: localHours.map((h) => f.daily_point[h]!), exogenous: used, exogenous_note };
  }
}

export interface DayForecastForOptimizer {
  model_version_id: string;
  interval_starts: Date[];
  p10: number[];
  p50: number[];
  p90: number[];
  exogenous: ExogenousSeries[];
  exogenous_note: string | null;
}

export interface ModelForecastForOptimizer {
  model: string;
  interval_starts: Date[];
  /** The point forecast per hour of the delivery day. */
  p50: number[];
  exogenous: ExogenousSeries[];
  exogenous_note: string | null;
}
