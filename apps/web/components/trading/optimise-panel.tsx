'use client';
import { useMemo, useState } from 'react';
import type { OptimizeResult, PriceScope } from '@optibid/contracts';
import { PRICE_SCOPE_LABELS, PriceScopeToggle } from '@/components/market/price-scope-toggle';
import { Button, ErrorMessage, Field, Notice, Select } from '@/components/ui';
import { EChart, axisStyle, chartColors, type ChartOption } from '@/components/charts/echart';
import { api } from '@/lib/api';
import { exogenousLabel } from '@/lib/exogenous';
import { formatUsd } from '@/lib/format';
import type { Segment } from '@/lib/bid-rules';
import { usePreferences } from '@/lib/preferences';
import { hourEnding } from '@/lib/time';

const SOURCES = [
  { value: 'forecast:naive', label: 'Forecast: naive (yesterday)' },
  { value: 'forecast:weekly-naive', label: 'Forecast: same day last week' },
  { value: 'historical', label: 'Stored day-ahead prices of that day' },
];

type AsOffers = NonNullable<OptimizeResult['ancillary']>['as_offers'];

/** Where a run's AS prices came from, in words. */
function asPriceSource(a: NonNullable<OptimizeResult['ancillary']>): string {
  if (a.price_source === 'stored') return `the stored AS clearing prices of ${a.as_price_date} (${a.as_price_zone})`;
  if (a.price_source === 'stored_previous_day') return `the previous day's stored AS clearing prices (${a.as_price_date}, ${a.as_price_zone})`;
  return 'the AS prices given';
}

/**
 * "Optimise": asks /api/optimize for the asset's best schedule on the delivery day
 * and shows it (power per hour against the price it assumed) with the expected
 * revenue; the proposed curves (and, for a battery co-optimised with ancillary
 * services on the stored AS prices, its AS offers) replace the editor's on request.
 */
export function OptimisePanel({ assetId, market, location, deliveryDate, onUse }: { assetId: string; market: string; location: string; deliveryDate: string; onUse: (curves: Segment[][], asOffers: AsOffers | null) => void }) {
  const { theme } = usePreferences();
  const [source, setSource] = useState(SOURCES[0]!.value);
  const [scope, setScope] = useState<PriceScope>('shared');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [result, setResult] = useState<OptimizeResult | null>(null);

  async function optimise() {
    setBusy(true);
    setError(null);
    setResult(null);
    const price_source = source === 'historical' ? { type: 'historical' } : { type: 'forecast', model: source.slice('forecast:'.length) };
    try {
      setResult(await api.post<OptimizeResult>('/api/optimize', { asset_id: assetId, run: 'DA', delivery_date: deliveryDate, price_source, price_scope: scope }));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  const option = useMemo<ChartOption | null>(() => {
    if (!result) return null;
    const ax = axisStyle(theme);
    const c = chartColors(theme);
    const hours = result.schedule.map((_, i) => hourEnding(i));
    return {
      legend: { top: 0, textStyle: { color: c.text } },
      grid: { left: 48, right: 56, top: 30, bottom: 28 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: hours, ...ax, axisLabel: { ...ax.axisLabel, hideOverlap: true } },
      yAxis: [
        { type: 'value', name: 'MW', ...ax },
        { type: 'value', name: '$/MWh', ...ax, splitLine: { show: false } },
      ],
      series: [
        { name: 'Schedule (MW, + sells)', type: 'bar', data: result.schedule.map((s) => Math.round(s.power_mw * 10) / 10) },
        { name: 'Assumed price ($/MWh)', type: 'line', yAxisIndex: 1, step: 'middle', symbol: 'none', data: result.schedule.map((s) => Math.round(s.price_usd_per_mwh * 100) / 100) },
      ],
    };
  }, [result, theme]);

  return (
    <div className="stack" style={{ gap: '0.5rem' }} data-testid="optimise-panel">
      <div className="toolbar" style={{ marginBottom: 0 }}>
        <Field label="Prices to optimise against">{(p) => <Select {...p} value={source} onChange={(e) => setSource(e.target.value)} options={SOURCES} />}</Field>
        <PriceScopeToggle value={scope} onChange={setScope} market={market} location={location} />
        <Button variant="secondary" onClick={optimise} loading={busy} style={{ marginBottom: '0.9rem' }}>
          Optimise
        </Button>
      </div>
      <ErrorMessage error={error} title="Optimisation failed" />
      {result && option ? (
        <>
          <Notice tone="success">
            <span data-testid="optimise-result">
              Expected revenue {formatUsd(result.expected_revenue_usd)}, cost {formatUsd(result.expected_cost_usd)}, net <strong>{formatUsd(result.expected_net_usd)}</strong> ({result.solver.status}, {result.solver.time_ms.toFixed(0)} ms)
            </span>
            <span className="muted" style={{ display: 'block', fontSize: '0.85rem' }} data-testid="optimise-inputs">
              Prices: {PRICE_SCOPE_LABELS[result.price_scope]}
              {result.price_source.type === 'forecast' ? ` · forecast ${result.price_source.model ?? `version ${result.price_source.model_version_id?.slice(0, 8)}`}, ${exogenousLabel(result.price_source.exogenous ?? [])}` : ''}
            </span>
          </Notice>
          {result.ancillary ? (
            <p className="muted" style={{ fontSize: '0.85rem', margin: 0 }} data-testid="optimise-ancillary">
              Co-optimised with ancillary services on {asPriceSource(result.ancillary)}: expected AS revenue {formatUsd(result.ancillary.expected_as_revenue_usd)}; the proposed bid carries the AS offers.
            </p>
          ) : result.ancillary_note ? (
            <p className="muted" style={{ fontSize: '0.85rem', margin: 0 }} data-testid="optimise-ancillary">
              Energy only: {result.ancillary_note}.
            </p>
          ) : null}
          <EChart option={option} height={200} label="Optimal schedule per hour in MW with the assumed price" testId="optimise-chart" />
          {result.bid_issues.length ? <Notice tone="warning">{result.bid_issues.map((i) => i.message).join('; ')}</Notice> : null}
          <div>
            <Button
              onClick={() =>
                onUse(
                  [...result.bid_curves].sort((a, b) => a.hour_index - b.hour_index).map((c) => c.segments),
                  result.ancillary?.as_offers ?? null,
                )
              }
            >
              Use proposed curves
            </Button>
          </div>
        </>
      ) : null}
    </div>
  );
}
