'use client';
import { useMemo, type ReactNode } from 'react';
import { useQueries } from '@tanstack/react-query';
import { EChart, axisStyle, chartColors, type ChartOption } from '@/components/charts/echart';
import { EmptyState, ErrorMessage, Loading } from '@/components/ui';
import { api } from '@/lib/api';
import type { BacktestResult } from '@optibid/contracts';
import { ancillaryLabel, strategyLabel, type Backtest } from '@/lib/backtest-queries';
import { formatMwh, formatUsd } from '@/lib/format';
import { usePreferences } from '@/lib/preferences';
import { formatCapture } from './backtest-list';

type Row = { label: string; hint?: string; value: (r: BacktestResult, b: Backtest) => ReactNode };

const ROWS: Row[] = [
  { label: 'Net P&L', value: (r) => <strong className={r.net_usd < 0 ? 'text-danger' : undefined}>{formatUsd(r.net_usd)}</strong> },
  { label: 'Capture rate', hint: 'net ÷ perfect-foresight net over the same days', value: (r) => <strong>{formatCapture(r.capture_rate)}</strong> },
  { label: 'Margin over persistence', hint: 'net − persistence net', value: (r) => formatUsd(r.margin_over_persistence_usd) },
  { label: 'Revenue', value: (r) => formatUsd(r.revenue_usd) },
  { label: 'Charging cost', value: (r) => formatUsd(r.cost_usd) },
  { label: 'Degradation', value: (r) => formatUsd(r.degradation_usd) },
  { label: 'Discharged', value: (r) => formatMwh(r.discharged_mwh) },
  { label: 'Cycles', value: (r) => r.cycles.toFixed(2) },
  { label: 'Perfect-foresight net', value: (r) => formatUsd(r.perfect_foresight_net_usd) },
  { label: 'Persistence net', value: (r) => formatUsd(r.persistence_net_usd) },
  { label: 'Undeliverable awards', hint: 'awarded energy the battery could not deliver', value: (r) => formatMwh(r.undeliverable_mwh) },
  { label: 'Days not solved to optimality', value: (r) => (r.failed_days.length ? r.failed_days.map((d) => `${d.date} (${d.status})`).join(', ') : 'none') },
  { label: 'Median solve time', value: (r) => `${r.solve_time_ms_median.toFixed(1)} ms × ${r.solves}` },
];

/** A result that co-optimised ancillary services (its `as_model` is set; energy-only results carry null). */
export const soldAs = (r: BacktestResult) => !!r.as_model;

/** The AS products of the results that sold AS, sorted. */
function productsOf(results: BacktestResult[]): string[] {
  return [...new Set(results.filter(soldAs).flatMap((r) => Object.keys(r.revenue_by_product ?? {})))].sort();
}

/** Rows for the revenue split, present only when some result sold AS: net energy, total AS, then one per product. */
export function splitRows(results: BacktestResult[]): Row[] {
  if (!results.some(soldAs)) return [];
  const usd = (x: number | undefined) => (x === undefined ? '—' : formatUsd(x));
  return [
    { label: 'Energy revenue (net)', hint: 'Σ price × (discharge − charge)', value: (r) => usd(r.energy_revenue_usd ?? r.revenue_usd - r.cost_usd) },
    { label: 'AS revenue', hint: 'capacity payments, all products', value: (r) => usd(soldAs(r) ? r.as_revenue_usd : 0) },
    ...productsOf(results).map((p): Row => ({ label: `AS ${p}`, value: (r) => usd(r.revenue_by_product?.[p] ?? 0) })),
  ];
}

/**
 * Selected backtests side by side: the summary metrics in columns, the daily net
 * P&L as grouped bars and the cumulative net as lines (market-local delivery days).
 */
export function BacktestCompare({ ids }: { ids: string[] }) {
  const { theme } = usePreferences();
  const details = useQueries({
    queries: ids.map((id) => ({ queryKey: ['backtests', 'detail', id], queryFn: ({ signal }: { signal: AbortSignal }) => api.get<Backtest>(`/api/backtests/${encodeURIComponent(id)}`, { signal }), staleTime: Infinity })),
  });
  const loaded = details.map((d) => d.data).filter((b): b is Backtest => !!b && !!b.result);
  const error = details.find((d) => d.error)?.error;
  const pending = details.some((d) => d.isPending);

  const names = useMemo(() => {
    // Same strategy twice (e.g. two periods): tell them apart by period.
    return loaded.map((b) => {
      const base = strategyLabel(b.config.strategy).replace(/ \(.*\)$/, '') + ancillaryLabel(b.config);
      const twin = loaded.filter((o) => o.config.strategy === b.config.strategy && !o.config.ancillary === !b.config.ancillary).length > 1;
      return twin ? `${base} ${b.config.location} ${b.config.start}` : base;
    });
  }, [loaded]);

  const options = useMemo<{ daily: ChartOption; cumulative: ChartOption; split: ChartOption | null } | null>(() => {
    if (!loaded.length) return null;
    const ax = axisStyle(theme);
    const c = chartColors(theme);
    const dates = [...new Set(loaded.flatMap((b) => (b.result!.daily ?? []).map((d) => d.date)))].sort();
    const perDay = loaded.map((b) => new Map((b.result!.daily ?? []).map((d) => [d.date, d.net_usd])));
    const base = {
      grid: { left: 72, right: 16, top: 52, bottom: 40 },
      legend: { top: 0, type: 'scroll', textStyle: { color: c.text } },
      tooltip: { trigger: 'axis', valueFormatter: (v: number) => formatUsd(v) },
      xAxis: { type: 'category', data: dates, ...ax, axisLabel: { ...ax.axisLabel, hideOverlap: true } },
      yAxis: { type: 'value', name: 'USD', ...ax },
    };
    const results = loaded.map((b) => b.result!);
    // Revenue split per backtest: net energy and each AS product, stacked (only when some backtest sold AS).
    const split: ChartOption | null = results.some(soldAs)
      ? {
          grid: { left: 72, right: 16, top: 52, bottom: 40 },
          legend: { top: 0, type: 'scroll', textStyle: { color: c.text } },
          tooltip: { trigger: 'axis', valueFormatter: (v: number) => formatUsd(v) },
          xAxis: { type: 'category', data: names, ...ax, axisLabel: { ...ax.axisLabel, hideOverlap: true } },
          yAxis: { type: 'value', name: 'USD', ...ax },
          series: [
            { name: 'Energy (net)', type: 'bar', stack: 'revenue', barMaxWidth: 48, data: results.map((r) => round2(r.energy_revenue_usd ?? r.revenue_usd - r.cost_usd)) },
            ...productsOf(results).map((p) => ({ name: p, type: 'bar', stack: 'revenue', barMaxWidth: 48, data: results.map((r) => round2(r.revenue_by_product?.[p] ?? 0)) })),
          ],
        }
      : null;
    return {
      split,
      daily: { ...base, series: loaded.map((_, i) => ({ name: names[i], type: 'bar', barMaxWidth: 22, data: dates.map((d) => round2(perDay[i]!.get(d) ?? null)) })) },
      cumulative: {
        ...base,
        series: loaded.map((_, i) => {
          let sum = 0;
          return { name: names[i], type: 'line', symbol: 'none', lineStyle: { width: 2 }, data: dates.map((d) => round2((sum += perDay[i]!.get(d) ?? 0))) };
        }),
      },
    };
  }, [loaded, names, theme]);

  if (!ids.length) return <EmptyState title="Nothing to compare yet">Tick finished backtests in the list to put them side by side.</EmptyState>;
  if (error) return <ErrorMessage error={error} />;
  if (pending) return <Loading label="Loading backtest results…" />;
  return (
    <div className="stack" style={{ gap: '0.75rem' }} data-testid="backtest-compare">
      <div className="ui-table-wrap">
        <table className="ui-table" data-testid="backtest-compare-table">
          <caption>
            Side by side · {loaded[0]!.config.market} {loaded[0]!.config.location} · battery {loaded[0]!.config.battery.discharge_power_mw} MW / {loaded[0]!.config.battery.energy_mwh} MWh
          </caption>
          <thead>
            <tr>
              <th scope="col">Metric</th>
              {loaded.map((b, i) => (
                <th key={b.id} scope="col" className="num">
                  {names[i]}
                  <div className="muted" style={{ fontWeight: 400, fontSize: '0.8rem' }}>
                    {b.config.start} – {b.config.end}
                  </div>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {[...ROWS.slice(0, 4), ...splitRows(loaded.map((b) => b.result!)), ...ROWS.slice(4)].map((row) => (
              <tr key={row.label}>
                <th scope="row" style={{ fontWeight: 500, fontSize: '0.9rem', textTransform: 'none', letterSpacing: 'normal', color: 'var(--text)' }}>
                  {row.label}
                  {row.hint ? (
                    <div className="muted" style={{ fontWeight: 400, fontSize: '0.78rem' }}>
                      {row.hint}
                    </div>
                  ) : null}
                </th>
                {loaded.map((b) => (
                  <td key={b.id} className="num">
                    {row.value(b.result!, b)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {options?.split ? (
        <div>
          <h3 className="section-title" style={{ fontSize: '0.95rem' }}>Revenue: energy and ancillary services</h3>
          <EChart option={options.split} height={260} label="Revenue per backtest split into net energy and each ancillary-service product, in USD" testId="backtest-split-chart" />
        </div>
      ) : null}
      {options ? (
        <div className="grid-2">
          <div>
            <h3 className="section-title" style={{ fontSize: '0.95rem' }}>Daily net P&amp;L</h3>
            <EChart option={options.daily} height={260} label="Daily net P&L per strategy in USD by delivery day" testId="backtest-daily-chart" />
          </div>
          <div>
            <h3 className="section-title" style={{ fontSize: '0.95rem' }}>Cumulative net P&amp;L</h3>
            <EChart option={options.cumulative} height={260} label="Cumulative net P&L per strategy in USD" testId="backtest-cumulative-chart" />
          </div>
        </div>
      ) : null}
    </div>
  );
}

function round2(v: number | null): number | null {
  return v === null ? null : Math.round(v * 100) / 100;
}
