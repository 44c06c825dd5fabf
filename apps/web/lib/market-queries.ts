'use client';
/** Market data queries: catalogue, locations, price series, latest prices and statistics. */
import { useQuery } from '@tanstack/react-query';
import type { AncillaryPricePage, LatestPrices, LatestPriceView, MarketLocationList, MarketLocationView, MarketView, PricePage, PriceScope, PriceSeriesList, PriceStatsView } from '@optibid/contracts';
import { api } from './api';

export type PriceRun = 'DA' | 'RT5' | 'RT15' | 'RTH';
export type Resolution = 'native' | 'hourly' | 'daily';


export function useMarkets() {
  return useQuery({
    queryKey: ['markets'],
    queryFn: ({ signal }) => api.get<{ items: MarketView[] }>('/api/markets', { signal }).then((r) => r.items),
    staleTime: 60_000,
    // next_da_gate_closure moves on once a gate closes.
    refetchInterval: 5 * 60_000,
  });
}

/** One ISO's rules as the server applies them (`GET /api/markets/{iso}`, with `MARKET_OVERRIDES`). */
export function useMarket(iso: string | undefined) {
  return useQuery({
    queryKey: ['markets', iso],
    queryFn: ({ signal }) => api.get<MarketView>(`/api/markets/${encodeURIComponent(iso!)}`, { signal }),
    enabled: !!iso,
    staleTime: 60_000,
  });
}

/** Select options for a market's locations, those with stored prices first (a backtest or a model needs them). */
export function locationOptions(locations: MarketLocationView[] | undefined): { value: string; label: string }[] {
  return [...(locations ?? [])]
    .sort((a, b) => Number(b.has_data) - Number(a.has_data) || a.id.localeCompare(b.id))
    .map((l) => ({ value: l.id, label: `${l.id}${l.name !== l.id ? ` · ${l.name}` : ''}${l.has_data ? ` (${l.runs.join(', ')})` : ' (no prices stored)'}` }));
}

export function useLocations(iso: string | undefined) {
  return useQuery({
    queryKey: ['markets', iso, 'locations'],
    queryFn: ({ signal }) => api.get<MarketLocationList>(`/api/markets/${encodeURIComponent(iso!)}/locations`, { signal }).then((r) => r.items),
    enabled: !!iso,
    staleTime: 60_000,
  });
}

export function useLatestPrices(iso: string | undefined) {
  return useQuery({
    queryKey: ['prices', 'latest', iso],
    queryFn: ({ signal }) => api.get<LatestPrices>(`/api/prices/latest?market=${encodeURIComponent(iso!)}`, { signal }).then((r) => r.items),
    enabled: !!iso,
    staleTime: 30_000,
  });
}

export interface SeriesParams {
  market: string;
  location: string;
  run: PriceRun;
  /** ISO instant or market-local YYYY-MM-DD (inclusive). */
  start: string;
  /** ISO instant or market-local YYYY-MM-DD (exclusive). */
  end: string;
  resolution?: Resolution;
  /** Whose series: the shared market (default) or the organisation's own imports. */
  scope?: PriceScope;
}

const MAX_PAGES = 20;

/** Every page of a series (cursor-followed, capped at 20 × 10,000 points). */
export async function fetchSeries(p: SeriesParams, signal?: AbortSignal): Promise<PricePage> {
  let cursor: string | null = null;
  let first: PricePage | null = null;
  for (let i = 0; i < MAX_PAGES; i++) {
    const q = new URLSearchParams({ market: p.market, location: p.location, run: p.run, start: p.start, end: p.end, resolution: p.resolution ?? 'hourly', limit: '10000' });
    if (p.scope === 'own') q.set('scope', 'own');
    if (cursor) q.set('cursor', cursor);
    const page = await api.get<PricePage>(`/api/prices?${q}`, { signal });
    if (!first) first = page;
    else first.items.push(...page.items);
    cursor = page.next_cursor;
    if (!cursor) break;
  }
  return first!;
}

export function usePriceSeries(p: SeriesParams | null) {
  return useQuery({
    queryKey: ['prices', 'series', p],
    queryFn: ({ signal }) => fetchSeries(p!, signal),
    enabled: !!p,
    staleTime: 60_000,
  });
}

export function usePriceStats(p: Omit<SeriesParams, 'resolution'> | null) {
  return useQuery({
    queryKey: ['prices', 'stats', p],
    queryFn: ({ signal }) => {
      const q = new URLSearchParams({ market: p!.market, location: p!.location, run: p!.run, start: p!.start, end: p!.end });
      if (p!.scope === 'own') q.set('scope', 'own');
      return api.get<PriceStatsView>(`/api/prices/stats?${q}`, { signal });
    },
    enabled: !!p,
    staleTime: 60_000,
  });
}

/** The real-time run to show for a location: the one with the newest stored interval, else RT5 (the live feed's). */
export function realTimeRunOf(latest: LatestPriceView[] | undefined, location: string): PriceRun {
  const rt = (latest ?? []).filter((l) => l.location === location && l.run !== 'DA').sort((a, b) => b.interval_start.localeCompare(a.interval_start));
  return (rt[0]?.run as PriceRun | undefined) ?? 'RT5';
}

/** Ancillary-service clearing prices of a market's zone over a range (every product). */
export function useAncillaryPrices(p: { market: string; start: string; end: string; zone?: string } | null) {
  return useQuery({
    queryKey: ['ancillary-prices', p],
    queryFn: ({ signal }) => {
      const q = new URLSearchParams({ market: p!.market, start: p!.start, end: p!.end });
      if (p!.zone) q.set('zone', p!.zone);
      return api.get<AncillaryPricePage>(`/api/ancillary-prices?${q}`, { signal });
    },
    enabled: !!p,
    staleTime: 60_000,
  });
}

/** The organisation's own imported price series (market, location, run, span); empty when it has none. */
export function useOwnSeries() {
  return useQuery({
    queryKey: ['prices', 'series', 'own'],
    queryFn: ({ signal }) => api.get<PriceSeriesList>('/api/prices/series?scope=own', { signal }).then((r) => r.items),
    staleTime: 30_000,
  });
}
