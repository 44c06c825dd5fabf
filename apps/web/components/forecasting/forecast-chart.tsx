'use client';
import { useEffect, useMemo, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { ForecastModelVersionView, ForecastModelView, ForecastView, PriceScope, PriceView } from '@optibid/contracts';
import { PriceScopeToggle } from '@/components/market/price-scope-toggle';
import { EChart, axisStyle, chartColors, type ChartOption } from '@/components/charts/echart';
import { Button, EmptyState, ErrorMessage, Field, Input, Loading, Select } from '@/components/ui';
import { api } from '@/lib/api';
import { inputsLabel } from '@/lib/exogenous';
import { formatDateTime, formatPercent, formatUsdPerMwh } from '@/lib/format';
import { useForecasts } from '@/lib/forecast-queries';
import { useMarkets, usePriceSeries } from '@/lib/market-queries';
import { useDisplayTimeZone, usePreferences } from '@/lib/preferences';
import { addDaysYmd, localDateOf } from '@optibid/core/time';

type Hour = ForecastView['hours'][number];

/**
 * Scores a day's forecast against the stored prices: MAE of the P50 over the hours
 * that have an actual (mean |actual − p50|), and the share of those hours inside
 * the P10–P90 band (80 % when the band is calibrated).
 */
export function scoreDay(hours: Hour[], actual: PriceView[]): { mae: number; coverage: number; n: number } | null {
  const byStart = new Map(actual.map((p) => [new Date(p.interval_start).getTime(), p.lmp_usd_per_mwh]));
  let n = 0;
  let abs = 0;
  let inside = 0;
  for (const h of hours) {
    const a = byStart.get(new Date(h.interval_start).getTime());
    if (a === undefined) continue;
    n++;
    abs += Math.abs(a - h.p50);
    if (a >= h.p10 - 1e-9 && a <= h.p90 + 1e-9) inside++;
  }
  return n ? { mae: abs / n, coverage: inside / n, n } : null;
}

/**
 * Forecast against actual for one delivery day of one version: the P50 line, the
 * P10–P90 band and the day-ahead prices stored for that day. Days without a
 * stored forecast can be forecast now (the server uses only prices known at the
 * day's gate closure).
 */
export function ForecastChart({ model, versions }: { model: ForecastModelView; versions: ForecastModelVersionView[] }) {
  const queryClient = useQueryClient();
  const { theme } = usePreferences();
  const markets = useMarkets();
  const market = markets.data?.find((m) => m.iso === model.market);
  const tz = useDisplayTimeZone(market?.timezone);
  const ready = versions.filter((v) => v.status === 'ready');
  const preferred = ready.find((v) => v.stage === 'production') ?? ready[0];
  const [versionId, setVersionId] = useState('');
  const [date, setDate] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [scope, setScope] = useState<PriceScope>('shared');
  const vid = ready.some((v) => v.id === versionId) ? versionId : (preferred?.id ?? '');

  const stored = useForecasts(vid ? { market: model.market, location: model.location, model_version_id: vid, price_scope: scope, limit: 500 } : null);
  const days = useMemo(() => [...new Set((stored.data ?? []).map((f) => f.delivery_date))].sort().reverse(), [stored.data]);
  // Default: the newest day forecast whose prices are stored (scored), else the newest.
  useEffect(() => {
    if (date || !stored.data?.length) return;
    const scored = stored.data.filter((f) => f.mae_usd_per_mwh !== null).map((f) => f.delivery_date).sort();
    setDate(scored[scored.length - 1] ?? days[0]!);
  }, [stored.data, date, days]);
  const forecast = stored.data?.find((f) => f.delivery_date === date) ?? null;
  const actual = usePriceSeries(date ? { market: model.market, location: model.location, run: 'DA', start: date, end: addDaysYmd(date, 1), resolution: 'hourly', scope } : null);
  const score = forecast && actual.data ? scoreDay(forecast.hours, actual.data.items) : null;

  async function produce() {
    setBusy(true);
    setError(null);
    try {
      await api.post<ForecastView>('/api/forecasts', { market: model.market, location: model.location, delivery_date: date, model_version_id: vid, price_scope: scope });
      await queryClient.invalidateQueries({ queryKey: ['forecasts'] });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  const option = useMemo<ChartOption | null>(() => {
    if (!forecast) return null;
    const ax = axisStyle(theme);
    const c = chartColors(theme);
    const t = (s: string) => new Date(s).getTime();
    const act = actual.data?.items ?? [];
    // 'end' steps hold each hour's value until the next point: repeat the last hour at its end so it is drawn too.
    const hold = (pts: [number, number][]) => (pts.length ? [...pts, [pts[pts.length - 1]![0] + 3_600_000, pts[pts.length - 1]![1]]] : pts);
    return {
      legend: { top: 0, textStyle: { color: c.text }, data: ['Forecast P50', 'P10–P90', 'Actual DA'] },
      grid: { left: 56, right: 16, top: 32, bottom: 32 },
      tooltip: {
        trigger: 'axis',
        formatter: (params: { seriesName: string; value: [number, number]; dataIndex: number }[]) => {
          if (!params.length) return '';
          const at = params[0]!.value[0];
          const h = forecast.hours.find((x) => t(x.interval_start) === at);
          const lines = params.filter((p) => p.seriesName === 'Forecast P50' || p.seriesName === 'Actual DA').map((p) => `${p.seriesName}: ${p.value[1].toFixed(2)} $/MWh`);
          if (h) lines.push(`P10–P90: ${h.p10.toFixed(2)} – ${h.p90.toFixed(2)} $/MWh`);
          return [formatDateTime(at, tz, { seconds: false }), ...lines].join('<br/>');
        },
      },
      xAxis: { type: 'time', ...ax, axisLabel: { ...ax.axisLabel, hideOverlap: true, formatter: (v: number) => formatDateTime(v, tz, { seconds: false }).slice(11, 16) } },
      yAxis: { type: 'value', name: '$/MWh', scale: true, ...ax },
      series: [
        // Stacked band: an invisible P10 base plus the P90−P10 width filled.
        { name: 'P10', type: 'line', stack: 'band', step: 'end', symbol: 'none', lineStyle: { opacity: 0 }, data: hold(forecast.hours.map((h) => [t(h.interval_start), h.p10])), tooltip: { show: false } },
        { name: 'P10–P90', type: 'line', stack: 'band', step: 'end', symbol: 'none', lineStyle: { opacity: 0 }, areaStyle: { color: c.band }, itemStyle: { color: c.band }, data: hold(forecast.hours.map((h) => [t(h.interval_start), h.p90 - h.p10])) },
        { name: 'Forecast P50', type: 'line', step: 'end', symbol: 'none', lineStyle: { width: 2, type: 'dashed', color: c.series[0] }, itemStyle: { color: c.series[0] }, data: hold(forecast.hours.map((h) => [t(h.interval_start), h.p50])) },
        { name: 'Actual DA', type: 'line', step: 'end', symbol: 'none', lineStyle: { width: 2, color: c.series[1] }, itemStyle: { color: c.series[1] }, data: hold(act.map((p) => [t(p.interval_start), p.lmp_usd_per_mwh])) },
      ],
    };
  }, [forecast, actual.data, theme, tz]);

  if (!ready.length) return <EmptyState title="No trained version yet">A forecast chart appears once a version has finished training.</EmptyState>;
  const tomorrow = market ? addDaysYmd(localDateOf(Date.now(), market.timezone), 1) : '';
  return (
    <div className="stack" style={{ gap: '0.75rem' }} data-testid="forecast-vs-actual">
      <div className="toolbar" style={{ marginBottom: 0 }}>
        <Field label="Version">
          {(p) => (
            <Select
              {...p}
              value={vid}
              onChange={(e) => {
                setVersionId(e.target.value);
                setDate('');
              }}
              options={ready.map((v) => ({ value: v.id, label: `v${v.version}${v.stage !== 'none' ? ` (${v.stage})` : ''}` }))}
            />
          )}
        </Field>
        <Field label={`Delivery day (${model.market} date)`}>
          {(p) => <Input {...p} type="date" value={date} max={tomorrow || undefined} onChange={(e) => e.target.value && setDate(e.target.value)} />}
        </Field>
        <PriceScopeToggle value={scope} onChange={(s) => { setScope(s); setDate(''); }} market={model.market} location={model.location} />
        <Field label="Stored forecast days">
          {(p) => <Select {...p} value={days.includes(date) ? date : ''} onChange={(e) => e.target.value && setDate(e.target.value)} options={[{ value: '', label: `${days.length} day(s)…` }, ...days.map((d) => ({ value: d, label: d }))]} />}
        </Field>
      </div>
      <ErrorMessage error={stored.error ?? actual.error ?? error} />
      {stored.isPending || !date ? (
        stored.data && !stored.data.length ? (
          <EmptyState title="No stored forecasts for this version">Pick a delivery day to forecast it.</EmptyState>
        ) : (
          <Loading label="Loading forecasts…" />
        )
      ) : !forecast ? (
        <EmptyState title={`No forecast of ${date} by this version`} action={<Button onClick={produce} loading={busy}>Forecast {date}</Button>}>
          The forecast uses only the prices known at that day&apos;s day-ahead gate closure.
        </EmptyState>
      ) : (
        <>
          <div className="row" style={{ gap: '1.5rem', flexWrap: 'wrap' }} data-testid="forecast-day-stats">
            <span>
              {forecast.model_name} v{forecast.version} · {forecast.origin === 'evaluation' ? 'walk-forward evaluation' : forecast.origin === 'job' ? 'daily job' : 'on request'}
            </span>
            <span className="muted">gate closure {formatDateTime(forecast.gate_closure, tz, { seconds: false })}</span>
            <span data-testid="forecast-exogenous" title={forecast.exogenous_note ?? undefined}>
              Inputs: {inputsLabel(forecast.exogenous)}
              {forecast.exogenous.length ? ` published by the gate` : forecast.exogenous_note ? ` (${forecast.exogenous_note})` : ''}
              {forecast.price_scope === 'own' ? " · your organisation's imported prices" : ''}
            </span>
            {score ? (
              <>
                <span>
                  MAE <strong>{formatUsdPerMwh(score.mae)}</strong>
                </span>
                <span>
                  inside P10–P90 <strong>{formatPercent(score.coverage * 100, 0)}</strong> of {score.n} h
                </span>
              </>
            ) : actual.isPending ? null : (
              <span className="muted">no day-ahead prices stored for {date} yet</span>
            )}
          </div>
          {option ? <EChart option={option} height={320} label={`Forecast P50 with P10–P90 band and actual day-ahead prices for ${date} in $/MWh, times in ${tz}`} testId="forecast-chart" /> : null}
        </>
      )}
    </div>
  );
}
