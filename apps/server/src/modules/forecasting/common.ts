/** What the forecasting services share: deps, actors, views and loading a location's price book. */
import { isOwnForecastModel, type MarketDefinition } from '@optibid/core';
import type { ForecastModelVersionView, ForecastModelView, ForecastRunView, ForecastView } from '@optibid/contracts';
import type { ServerContext } from '../../context.js';
import type { MarketService } from '../market-data/index.js';
import type { FeatureFlags } from '../platform/index.js';
import type { ArtifactRow, ExogenousSeries, ForecastingRepository, ForecastPriceScope, ForecastRow, ModelRow, RunRow, VersionRow } from '../../db/repositories/forecasting.js';
import { forbidden } from '../../http/errors.js';
import { LoadForecastBook, loadForecastAreaFor, type LoadForecastSource } from './exogenous.js';
import type { ModelChooser } from './model-choice.js';
import { PriceBook } from './price-book.js';

export type Clock = () => Date;

export interface ForecastingDeps {
  ctx: ServerContext;
  markets: MarketService;
  flags: FeatureFlags;
  repo: ForecastingRepository;
  /** The stored day-ahead load forecasts (the market feed's repository). */
  loadForecasts: LoadForecastSource;
  /** The default model per location, chosen by measured accuracy (built once; shared by every clock). */
  modelChoice: ModelChooser;
  now: Clock;
}

/** A signed-in user, or the daily job (user null). */
export interface Actor {
  organization_id: string;
  user_id: string | null;
}

const DAY = 86_400_000;

/**
 * 403 when an organisation names one of our own models (combinations, GBM, ridge) without the
 * `own_forecast_model` feature flag: registering it, running it ad hoc for the optimiser, or
 * backtesting with it. The platform's measured default for a location is not named by anyone
 * and is not gated (model-choice.ts).
 */
export async function requireForecastModelAllowed(flags: FeatureFlags, organizationId: string, spec: string): Promise<void> {
  if (isOwnForecastModel(spec) && !(await flags.isEnabled(organizationId, 'own_forecast_model'))) {
    throw forbidden(`the ${spec} model (our own design) is not enabled for your organisation (feature flag own_forecast_model)`);
  }
}

/** Whose prices a forecast runs on: null is the shared market, else the organisation's own series. */
export function priceOwner(scope: ForecastPriceScope | undefined, organizationId: string): string | null {
  return scope === 'own' ? organizationId : null;
}

/**
 * The location's stored hourly prices with interval start before `until`,
 * `days` back: DA when the location has any, else hourly real time (RTH), of
 * one owner's series (the shared market by default; never the two merged).
 */
export async function loadPriceBook(ctx: ServerContext, m: MarketDefinition, location: string, until: Date, days: number, opts: { latest?: boolean; owner?: string | null } = {}): Promise<PriceBook> {
  const owner = opts.owner ?? null;
  if (opts.latest) {
    // Training looks back from the newest stored price, not from now: imported history may be years old.
    const stored = (await ctx.repos.prices.locationsWithData(m.iso, owner)).filter((s) => s.location === location && (s.run === 'DA' || s.run === 'RTH'));
    const newest = Math.max(...stored.map((s) => s.newest.getTime() + 3_600_000));
    if (Number.isFinite(newest) && newest < until.getTime()) until = new Date(newest);
  }
  const since = new Date(until.getTime() - days * DAY);
  const da = await ctx.repos.prices.recent(m.iso, location, ['DA'], since, until, owner);
  if (da.length) return new PriceBook(m, da, 'DA');
  const rth = await ctx.repos.prices.recent(m.iso, location, ['RTH'], since, until, owner);
  return new PriceBook(m, rth, rth.length ? 'RTH' : 'DA');
}

/**
 * The location's load forecast (its area's series) for the book's days and the day after, only the hours
 * published by `knownAt` (each forecast later cuts at its own gate closure); `absent` says why there is none.
 */
export async function loadExogenous(d: ForecastingDeps, book: PriceBook, location: string, knownAt: Date): Promise<{ book: LoadForecastBook | null; absent: string | null }> {
  const m = book.market;
  const area = loadForecastAreaFor(m, location);
  if (!area) return { book: null, absent: `no load-forecast area is known for ${m.iso} ${location}: prices only` };
  const first = book.dates[0];
  if (!first) return { book: null, absent: null };
  // A week before the first day (a missing hour borrows up to 7 days back) to two days after the last (the delivery day).
  const start = new Date(Date.parse(`${first}T00:00:00Z`) - 8 * DAY);
  const end = new Date(Date.parse(`${book.dates[book.dates.length - 1]}T00:00:00Z`) + 3 * DAY);
  const rows = (await d.loadForecasts.range(m.iso, start, end, knownAt)).filter((r) => r.area === area);
  if (!rows.length) return { book: null, absent: `no ${m.iso} load forecast (${area}) is stored for ${first} … ${book.dates[book.dates.length - 1]} published by ${knownAt.toISOString()}: prices only` };
  return { book: new LoadForecastBook(m, area, rows), absent: null };
}

/** A run's exogenous inputs, from its parameters. */
export function runExogenous(r: RunRow): { exogenous: ExogenousSeries[]; exogenous_note: string | null } {
  const x = r.params.exogenous;
  return { exogenous: Array.isArray(x) ? (x as ExogenousSeries[]) : [], exogenous_note: typeof r.params.exogenous_note === 'string' ? r.params.exogenous_note : null };
}

export function versionView(v: VersionRow): ForecastModelVersionView {
  return {
    id: v.id,
    model_id: v.model_id,
    version: v.version,
    model_type: v.model_type,
    status: v.status,
    stage: v.stage,
    metrics: (v.metrics as ForecastModelVersionView['metrics']) ?? null,
    trained_through: v.trained_through,
    run_id: v.run_id,
    created_by: v.created_by,
    created_at: v.created_at.toISOString(),
    stage_changed_at: v.stage_changed_at?.toISOString() ?? null,
    stage_changed_by: v.stage_changed_by,
    exogenous: v.exogenous,
  };
}

export function modelView(m: ModelRow, versions: VersionRow[], notTrainedReason: string | null = null): ForecastModelView {
  const mine = versions.filter((v) => v.model_id === m.id).sort((a, b) => a.version - b.version);
  const latest = mine[mine.length - 1];
  const production = mine.find((v) => v.stage === 'production');
  return {
    id: m.id,
    organization_id: m.organization_id,
    experiment_id: m.experiment_id,
    name: m.name,
    description: m.description,
    market: m.market,
    location: m.location,
    model_type: m.model_type,
    managed_by_job: m.managed_by_job,
    created_by: m.created_by,
    created_at: m.created_at.toISOString(),
    updated_at: m.updated_at.toISOString(),
    version_count: mine.length,
    latest_version: latest ? versionView(latest) : null,
    production_version: production ? versionView(production) : null,
    not_trained_reason: notTrainedReason,
  };
}

export function runView(r: RunRow, artifacts: ArtifactRow[], versionId: string | null): ForecastRunView {
  return {
    id: r.id,
    experiment_id: r.experiment_id,
    model_id: r.model_id,
    model_version_id: versionId,
    status: r.status,
    origin: r.origin,
    params: r.params,
    metrics: r.metrics,
    progress: r.progress,
    error: r.error,
    created_by: r.created_by,
    started_at: r.started_at.toISOString(),
    finished_at: r.finished_at?.toISOString() ?? null,
    artifacts: artifacts.map((a) => ({ name: a.name, content_type: a.content_type, size_bytes: Buffer.byteLength(a.content), created_at: a.created_at.toISOString() })),
    ...runExogenous(r),
    price_scope: r.params.price_scope === 'own' ? 'own' : 'shared',
  };
}

export function forecastView(f: ForecastRow, v: { model_id: string; model_name: string; version: number; model_type: string }): ForecastView {
  return {
    id: f.id,
    model_version_id: f.model_version_id,
    model_id: v.model_id,
    model_name: v.model_name,
    version: v.version,
    model_type: v.model_type,
    market: f.market,
    location: f.location,
    delivery_date: f.delivery_date,
    origin: f.origin,
    gate_closure: f.gate_closure.toISOString(),
    history_end: f.history_end?.toISOString() ?? null,
    mae_usd_per_mwh: f.mae_usd_per_mwh,
    created_by: f.created_by,
    created_at: f.created_at.toISOString(),
    hours: f.hours,
    price_scope: f.price_scope,
    exogenous: f.exogenous,
    exogenous_note: f.exogenous_note,
  };
}
