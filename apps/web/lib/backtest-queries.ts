'use client';
/**
 * Backtests over stored history: the organisation's list (without the daily
 * series), one backtest with its result, polled while it is queued or running
 * (the WebSocket's backtest_progress events also refresh both).
 */
import { useQuery } from '@tanstack/react-query';
import type { BacktestView } from '@optibid/contracts';
import { api } from './api';

export const BACKTEST_STRATEGIES = [
  { value: 'persistence', label: 'Persistence (yesterday repeats)' },
  { value: 'perfect', label: 'Perfect foresight (upper bound)' },
  { value: 'rolling', label: 'Rolling horizon (perfect, 36 h look-ahead)' },
  { value: 'forecast:naive', label: 'Forecast: naive' },
  { value: 'forecast:weekly-naive', label: 'Forecast: same day last week' },
  { value: 'forecast:lear:28', label: 'Forecast: LEAR, 28-day window' },
] as const;

export function strategyLabel(s: string): string {
  return BACKTEST_STRATEGIES.find((x) => x.value === s)?.label ?? s;
}

/** The co-optimisation models of a backtest with ancillary services (core battery-as). */
export const AS_MODELS = [
  { value: 'default', label: "Default (the ISO's duration rules, regulation deployment, degradation)" },
  { value: 'reference', label: 'Reference (capacity payments only, the issue-14 LP)' },
] as const;

/** " + AS (model)" for a backtest that also sold ancillary services, else "". */
export function ancillaryLabel(c: Pick<BacktestConfig, 'ancillary'>): string {
  return c.ancillary ? ` + AS (${c.ancillary.as_model})` : '';
}

export interface BacktestDay {
  date: string;
  revenue_usd: number;
  cost_usd: number;
  degradation_usd: number;
  net_usd: number;
  discharged_mwh: number;
  charged_mwh: number;
  soc_end_mwh: number;
  status: string;
  undeliverable_mwh: number;
  energy_revenue_usd?: number;
  as_revenue_usd?: number;
  revenue_by_product?: Record<string, number>;
}

/** The stored report (core's BacktestReport serialised); `daily` only on the detail. */
export interface BacktestResult {
  strategy: string;
  revenue_usd: number;
  cost_usd: number;
  degradation_usd: number;
  net_usd: number;
  discharged_mwh: number;
  charged_mwh: number;
  cycles: number;
  perfect_foresight_net_usd: number | null;
  capture_rate: number | null;
  persistence_net_usd: number | null;
  margin_over_persistence_usd: number | null;
  solve_time_ms_median: number;
  solves: number;
  undeliverable_mwh: number;
  bid_violations: number;
  failed_days: { date: string; status: string }[];
  /** Net energy (Σ price × (discharge − charge), plus deployed regulation energy in the `default` AS model). */
  energy_revenue_usd?: number;
  as_revenue_usd?: number;
  /** AS capacity revenue per product, as the ISO names it. */
  revenue_by_product?: Record<string, number>;
  /** The co-optimisation model when the backtest sold ancillary services, else null. */
  as_model?: string | null;
  as_missing_intervals?: number;
  daily?: BacktestDay[];
}

export interface BacktestConfig {
  market: string;
  location: string;
  run: string;
  start: string;
  end: string;
  strategy: string;
  horizon_hours: number;
  asset_id: string | null;
  battery: Record<string, number>;
  /** Present when the backtest also sells ancillary services on the stored AS prices. */
  ancillary?: { as_model: string; zone: string; products: string[] };
  /** Whose prices it ran on (absent on backtests from before the choice existed: the shared market). */
  price_scope?: 'shared' | 'own';
}

export type Backtest = Omit<BacktestView, 'result' | 'config'> & { result: BacktestResult | null; config: BacktestConfig };

export const isActive = (b: Pick<Backtest, 'status'>) => b.status === 'queued' || b.status === 'running';

const POLL_MS = 1_000;

export function useBacktests() {
  return useQuery({
    queryKey: ['backtests', 'list'],
    queryFn: ({ signal }) => api.get<{ items: Backtest[] }>('/api/backtests?limit=50', { signal }).then((r) => r.items),
    refetchInterval: (q) => (q.state.data?.some(isActive) ? POLL_MS : false),
  });
}

export function useBacktest(id: string | null) {
  return useQuery({
    queryKey: ['backtests', 'detail', id],
    queryFn: ({ signal }) => api.get<Backtest>(`/api/backtests/${encodeURIComponent(id!)}`, { signal }),
    enabled: !!id,
    refetchInterval: (q) => (q.state.data && !isActive(q.state.data) ? false : POLL_MS),
  });
}
