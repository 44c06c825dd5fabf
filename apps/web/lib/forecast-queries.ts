'use client';
/**
 * Forecast registry queries: registered models with their versions and metrics,
 * training runs (polled while running), stored forecasts, and the forecast the
 * market chart overlays. Delivery dates are market-local YYYY-MM-DD.
 */
import { useQuery } from '@tanstack/react-query';
import type { ForecastModelList, ForecastModelVersionView, ForecastRunView, ForecastView } from '@optibid/contracts';
import { api } from './api';

/** How often a running training run is re-read. */
export const RUN_POLL_MS = 700;

export function useForecastModels(filter: { market?: string; location?: string } = {}, opts: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: ['forecast-models', filter],
    queryFn: ({ signal }) => {
      const q = new URLSearchParams();
      if (filter.market) q.set('market', filter.market);
      if (filter.location) q.set('location', filter.location);
      return api.get<ForecastModelList>(`/api/models${q.size ? `?${q}` : ''}`, { signal });
    },
    enabled: opts.enabled ?? true,
    staleTime: 30_000,
  });
}

export function useModelVersions(modelId: string | null, opts: { poll?: boolean } = {}) {
  return useQuery({
    queryKey: ['forecast-models', modelId, 'versions'],
    queryFn: ({ signal }) => api.get<{ items: ForecastModelVersionView[] }>(`/api/models/${encodeURIComponent(modelId!)}/versions`, { signal }).then((r) => r.items),
    enabled: !!modelId,
    // A version in training flips to ready/failed on the server; re-read until none is left.
    refetchInterval: (q) => (opts.poll || q.state.data?.some((v) => v.status === 'training') ? RUN_POLL_MS : false),
  });
}

/** A training run, polled while it runs. */
export function useRun(runId: string | null) {
  return useQuery({
    queryKey: ['forecast-runs', runId],
    queryFn: ({ signal }) => api.get<ForecastRunView>(`/api/runs/${encodeURIComponent(runId!)}`, { signal }),
    enabled: !!runId,
    refetchInterval: (q) => (q.state.data && q.state.data.status !== 'running' ? false : RUN_POLL_MS),
  });
}

export interface ForecastFilter {
  market: string;
  location: string;
  delivery_date?: string;
  model_version_id?: string;
  /** Forecasts on the shared market's prices or on the organisation's own series; both when unset. */
  price_scope?: 'shared' | 'own';
  limit?: number;
}

export function useForecasts(f: ForecastFilter | null) {
  return useQuery({
    queryKey: ['forecasts', f],
    queryFn: ({ signal }) => {
      const q = new URLSearchParams({ market: f!.market, location: f!.location, limit: String(f!.limit ?? 50) });
      if (f!.delivery_date) q.set('delivery_date', f!.delivery_date);
      if (f!.model_version_id) q.set('model_version_id', f!.model_version_id);
      if (f!.price_scope) q.set('price_scope', f!.price_scope);
      return api.get<{ items: ForecastView[] }>(`/api/forecasts?${q}`, { signal }).then((r) => r.items);
    },
    enabled: !!f,
    staleTime: 30_000,
  });
}

/**
 * The forecasts to draw over the market chart for delivery days in [start, end)
 * (market-local dates): those of the first version in `preferred` (production
 * versions, most recently promoted first, as the optimiser picks) that has any
 * in range, else those of the version with the newest stored forecast. One
 * forecast per day; empty when the location has none for those days.
 */
export function pickOverlayForecasts(items: ForecastView[], preferred: string[], start: string, end: string): ForecastView[] {
  const inRange = items.filter((f) => f.delivery_date >= start && f.delivery_date < end);
  if (!inRange.length) return [];
  const version =
    preferred.find((id) => inRange.some((f) => f.model_version_id === id)) ?? [...inRange].sort((a, b) => b.created_at.localeCompare(a.created_at))[0]!.model_version_id;
  const byDay = new Map<string, ForecastView>();
  for (const f of inRange) {
    if (f.model_version_id !== version) continue;
    const prev = byDay.get(f.delivery_date);
    if (!prev || f.created_at > prev.created_at) byDay.set(f.delivery_date, f);
  }
  return [...byDay.values()].sort((a, b) => a.delivery_date.localeCompare(b.delivery_date));
}

export function useForecastOverlay(market: string | undefined, location: string | undefined, start: string | undefined, end: string | undefined, scope: 'shared' | 'own' = 'shared') {
  const enabled = !!market && !!location && !!start && !!end;
  const models = useForecastModels({ market, location }, { enabled });
  const forecasts = useForecasts(enabled ? { market: market!, location: location!, price_scope: scope, limit: 500 } : null);
  const preferred = (models.data?.items ?? [])
    .flatMap((m) => (m.production_version ? [m.production_version] : []))
    .sort((a, b) => (b.stage_changed_at ?? '').localeCompare(a.stage_changed_at ?? '') || b.created_at.localeCompare(a.created_at))
    .map((v) => v.id);
  const picked = forecasts.data && models.data && enabled ? pickOverlayForecasts(forecasts.data, preferred, start!, end!) : [];
  return {
    forecasts: picked,
    hours: picked.flatMap((f) => f.hours.map((h) => ({ interval_start: h.interval_start, p50: h.p50, p10: h.p10, p90: h.p90 }))),
    label: picked.length ? `${picked[0]!.model_name} v${picked[0]!.version} (${picked[0]!.model_type})` : null,
    isPending: enabled && (models.isPending || forecasts.isPending),
    error: models.error ?? forecasts.error,
  };
}
