'use client';
/**
 * Backtests over stored history: the organisation's list (without the daily
 * series), one backtest with its result, polled while it is queued or running
 * (the WebSocket's backtest_progress events also refresh both). The shapes are
 * contracts' BacktestView, BacktestConfig, BacktestResult and BacktestDay.
 */
import { useQuery } from '@tanstack/react-query';
import type { BacktestConfig, BacktestView } from '@optibid/contracts';
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

/** A backtest with its config and stored result (core's report; `daily` only on the detail). */
export type Backtest = BacktestView;

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
