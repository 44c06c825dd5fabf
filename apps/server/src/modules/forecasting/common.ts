/** What the forecasting services share: deps, actors, views and loading a location's price book. */
import type { MarketDefinition } from '@optibid/core';
import type { ForecastModelVersionView, ForecastModelView, ForecastRunView, ForecastView } from '@optibid/contracts';
import type { ServerContext } from '../../context.js';
import type { MarketService } from '../market-data/index.js';
import type { FeatureFlags } from '../platform/index.js';
import type { ArtifactRow, ForecastingRepository, ForecastRow, ModelRow, RunRow, VersionRow } from '../../db/repositories/forecasting.js';
import { PriceBook } from './price-book.js';

export type Clock = () => Date;

export interface ForecastingDeps {
  ctx: ServerContext;
  markets: MarketService;
  flags: FeatureFlags;
  repo: ForecastingRepository;
  now: Clock;
}

/** A signed-in user, or the daily job (user null). */
export interface Actor {
  organization_id: string;
  user_id: string | null;
}

const DAY = 86_400_000;

/**
 * The location's stored hourly prices with interval start before `until`,
 * `days` back: DA when the location has any, else hourly real time (RTH).
 */
export async function loadPriceBook(ctx: ServerContext, m: MarketDefinition, location: string, until: Date, days: number, opts: { latest?: boolean } = {}): Promise<PriceBook> {
  if (opts.latest) {
    // Training looks back from the newest stored price, not from now: imported history may be years old.
    const stored = (await ctx.repos.prices.locationsWithData(m.iso)).filter((s) => s.location === location && (s.run === 'DA' || s.run === 'RTH'));
    const newest = Math.max(...stored.map((s) => s.newest.getTime() + 3_600_000));
    if (Number.isFinite(newest) && newest < until.getTime()) until = new Date(newest);
  }
  const since = new Date(until.getTime() - days * DAY);
  const da = await ctx.repos.prices.recent(m.iso, location, ['DA'], since, until);
  if (da.length) return new PriceBook(m, da, 'DA');
  const rth = await ctx.repos.prices.recent(m.iso, location, ['RTH'], since, until);
  return new PriceBook(m, rth, rth.length ? 'RTH' : 'DA');
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
  };
}

export function modelView(m: ModelRow, versions: VersionRow[]): ForecastModelView {
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
  };
}
