'use client';
/** Trading queries and mutations: assets, bids, clearing, settlement and P&L. */
import { useQuery } from '@tanstack/react-query';
import type { AssetView, BidVersionList, BidView, ClearingView, PnlView, SettlementView } from '@optibid/contracts';
import { api } from './api';

export const ASSET_TYPES = ['battery', 'thermal', 'solar', 'wind', 'demand_response', 'load'] as const;
export type AssetType = (typeof ASSET_TYPES)[number];

export const ASSET_TYPE_LABELS: Record<AssetType, string> = {
  battery: 'Battery',
  thermal: 'Thermal',
  solar: 'Solar',
  wind: 'Wind',
  demand_response: 'Demand response',
  load: 'Load',
};

export const BID_STATUSES = ['draft', 'submitted', 'accepted', 'rejected', 'cleared', 'settled', 'cancelled'] as const;

export function bidStatusTone(s: string): 'neutral' | 'info' | 'success' | 'warning' | 'danger' {
  switch (s) {
    case 'accepted':
    case 'submitted':
      return 'info';
    case 'cleared':
    case 'settled':
      return 'success';
    case 'rejected':
      return 'danger';
    case 'draft':
      return 'warning';
    default:
      return 'neutral';
  }
}

export function useAssets(opts: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: ['assets'],
    queryFn: ({ signal }) => api.get<{ items: AssetView[]; total: number }>('/api/assets?limit=500', { signal }),
    enabled: opts.enabled ?? true,
  });
}

export function useAsset(id: string | null) {
  return useQuery({
    queryKey: ['assets', id],
    queryFn: ({ signal }) => api.get<AssetView>(`/api/assets/${encodeURIComponent(id!)}`, { signal }),
    enabled: !!id,
  });
}

export interface BidFilter {
  status?: string;
  start?: string;
  end?: string;
  market?: string;
  asset_id?: string;
}

export function useBids(f: BidFilter, opts: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: ['bids', 'list', f],
    queryFn: ({ signal }) => {
      const q = new URLSearchParams({ limit: '500' });
      for (const [k, v] of Object.entries(f)) if (v) q.set(k, v);
      return api.get<{ items: BidView[]; total: number }>(`/api/bids?${q}`, { signal });
    },
    enabled: opts.enabled ?? true,
  });
}

export function useBid(id: string | null) {
  return useQuery({
    queryKey: ['bids', 'one', id],
    queryFn: ({ signal }) => api.get<BidView>(`/api/bids/${encodeURIComponent(id!)}`, { signal }),
    enabled: !!id,
  });
}

export function useBidVersions(id: string | null) {
  return useQuery({
    queryKey: ['bids', 'versions', id],
    queryFn: ({ signal }) => api.get<BidVersionList>(`/api/bids/${encodeURIComponent(id!)}/versions`, { signal }).then((r) => r.items),
    enabled: !!id,
  });
}

export function usePnl(groupBy: 'asset' | 'day' | 'market', start: string, end: string, opts: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: ['pnl', groupBy, start, end],
    queryFn: ({ signal }) => api.get<PnlView>(`/api/pnl?${new URLSearchParams({ group_by: groupBy, start, end })}`, { signal }),
    enabled: opts.enabled ?? true,
  });
}

export function useSettlements(start: string, end: string, opts: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: ['settlements', start, end],
    queryFn: ({ signal }) => api.get<SettlementView>(`/api/settlements?${new URLSearchParams({ start, end })}`, { signal }),
    enabled: opts.enabled ?? true,
  });
}

/** A fresh Idempotency-Key: a retried click reuses it, so a submit is never applied twice. */
export function newIdempotencyKey(): string {
  return typeof crypto !== 'undefined' && 'randomUUID' in crypto ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

export function clearMarket(iso: string, body: { run: 'DA' | 'RT'; delivery_date: string; mode?: 'price_taker' | 'auction' }) {
  return api.post<ClearingView>(`/api/markets/${encodeURIComponent(iso)}/clear`, body);
}
