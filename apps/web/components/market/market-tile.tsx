'use client';
import { useMemo, useState } from 'react';
import type { MarketView, PriceUpdateMessage } from '@optibid/contracts';
import { Badge, Spinner } from '@/components/ui';
import { EChart, axisStyle, type ChartOption } from '@/components/charts/echart';
import { formatUsdPerMwh, formatDateTime } from '@/lib/format';
import { realTimeRunOf, useLatestPrices, useLocations, usePriceSeries, type PriceRun } from '@/lib/market-queries';
import { useDisplayTimeZone, usePreferences } from '@/lib/preferences';
import { usePriceUpdates } from '@/lib/realtime';
import { addDaysYmd, localDateOf, localDayBoundsUtc } from '@optibid/core/time';
import { clockTime, countdown, zoneAbbrev } from '@/lib/time';

interface Tick {
  lmp: number;
  interval_start: string;
  timestamp: string;
}

function changeTone(v: number | null | undefined): 'success' | 'danger' | 'neutral' {
  if (v === null || v === undefined || Math.abs(v) < 0.005) return 'neutral';
  return v > 0 ? 'success' : 'danger';
}

export function formatChange(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return `${v > 0 ? '▲ +' : v < 0 ? '▼ ' : ''}${v.toFixed(2)}`;
}

/** Countdown to the market's next day-ahead gate closure, in the market's clock. */
export function GateCountdown({ market, now }: { market: MarketView; now: number | null }) {
  const tz = useDisplayTimeZone(market.timezone);
  const g = market.next_da_gate_closure;
  const left = now === null ? '…' : countdown(g.closes_at, now);
  const urgent = now !== null && new Date(g.closes_at).getTime() - now < 3_600_000;
  return (
    <div className="gate" data-testid={`gate-${market.iso.toLowerCase()}`} title={`Day-ahead bids for ${g.delivery_date} close at ${formatDateTime(g.closes_at, tz)}`}>
      <span className="muted">DA gate {g.delivery_date}</span>{' '}
      <strong className={urgent ? 'text-warning' : undefined}>{left}</strong>{' '}
      <span className="muted">
        ({clockTime(g.closes_at, tz)} {zoneAbbrev(tz, new Date(g.closes_at))})
      </span>
    </div>
  );
}

/**
 * One ISO on the dashboard: the main hub's live real-time price and change, today's
 * DA and RT hourly shape, and the day-ahead gate countdown. Live ticks replace the price.
 */
export function MarketTile({ market, now }: { market: MarketView; now: number | null }) {
  const iso = market.iso;
  const zone = iso.toLowerCase();
  const location = market.default_location;
  const tz = useDisplayTimeZone(market.timezone);
  const { theme } = usePreferences();
  const latest = useLatestPrices(iso);
  const rtRun = realTimeRunOf(latest.data, location);
  // The chart's real-time line: the ISO's published hourly run when stored, else the finest one.
  const locations = useLocations(iso);
  const runs = locations.data?.find((l) => l.id === location)?.runs ?? [];
  const chartRun: PriceRun = (['RTH', 'RT15', 'RT5'] as PriceRun[]).find((r) => runs.includes(r)) ?? rtRun;
  const today = now === null ? null : localDateOf(now, market.timezone);
  const da = usePriceSeries(today ? { market: iso, location, run: 'DA', start: today, end: addDaysYmd(today, 1), resolution: 'hourly' } : null);
  const rt = usePriceSeries(today && locations.data ? { market: iso, location, run: chartRun, start: today, end: addDaysYmd(today, 1), resolution: 'hourly' } : null);
  const [ticks, setTicks] = useState<Tick[]>([]);

  usePriceUpdates([zone], (m: PriceUpdateMessage) => {
    if (m.location !== location) return;
    setTicks((t) => [...t.slice(-199), { lmp: m.lmp, interval_start: m.interval_start, timestamp: m.timestamp }]);
  });

  const stored = (latest.data ?? []).filter((l) => l.location === location);
  const storedRt = stored.find((l) => l.run === rtRun);
  const storedDa = stored.find((l) => l.run === 'DA');
  const last = ticks[ticks.length - 1];
  const prev = ticks.length > 1 ? ticks[ticks.length - 2]!.lmp : (storedRt?.lmp_usd_per_mwh ?? null);
  const price = last?.lmp ?? storedRt?.lmp_usd_per_mwh ?? storedDa?.lmp_usd_per_mwh ?? null;
  const change = last ? (prev === null ? null : last.lmp - prev) : (storedRt?.change_usd_per_mwh ?? storedDa?.change_usd_per_mwh ?? null);
  const asOf = last?.timestamp ?? storedRt?.interval_start ?? storedDa?.interval_start;
  const priceRun = last || storedRt ? rtRun : 'DA';

  const option = useMemo<ChartOption>(() => {
    const ax = axisStyle(theme);
    const liveMs = ticks.map((t) => [new Date(t.timestamp).getTime(), t.lmp]);
    const dayStart = today ? localDayBoundsUtc(today, market.timezone).start.getTime() : undefined;
    const dayEnd = today ? localDayBoundsUtc(today, market.timezone).end.getTime() : undefined;
    return {
      grid: { left: 36, right: 6, top: 6, bottom: 18 },
      tooltip: { trigger: 'axis', valueFormatter: (v: number) => `${v?.toFixed?.(2)} $/MWh` },
      xAxis: { type: 'time', min: dayStart, max: dayEnd, interval: 6 * 3_600_000, ...ax, splitLine: { show: false }, axisLabel: { ...ax.axisLabel, fontSize: 10, hideOverlap: true, formatter: (v: number) => clockTime(v, tz) } },
      yAxis: { type: 'value', scale: true, ...ax, axisLabel: { ...ax.axisLabel, fontSize: 10 }, splitNumber: 3 },
      series: [
        { name: 'DA', type: 'line', step: 'start', symbol: 'none', lineStyle: { width: 1.5 }, data: (da.data?.items ?? []).map((p) => [new Date(p.interval_start).getTime(), p.lmp_usd_per_mwh]) },
        { name: chartRun, type: 'line', symbol: 'none', lineStyle: { width: 1.5 }, data: (rt.data?.items ?? []).map((p) => [new Date(p.interval_start).getTime(), p.lmp_usd_per_mwh]) },
        { name: 'live', type: 'line', symbol: 'circle', symbolSize: 3, lineStyle: { width: 1 }, data: liveMs },
      ],
    };
  }, [da.data, rt.data, ticks, chartRun, theme, tz, today, market.timezone]);

  return (
    <article className="market-tile" data-testid={`market-tile-${zone}`} aria-label={`${market.name} ${location}`}>
      <header className="market-tile__head">
        <strong>{iso}</strong>
        <span className="muted market-tile__loc" title={market.name}>
          {location}
        </span>
        {last ? (
          <Badge tone="success" dot title="Receiving live ticks">
            live
          </Badge>
        ) : null}
      </header>
      <div className="market-tile__price">
        {latest.isPending ? (
          <Spinner label={`Loading ${iso} prices`} />
        ) : (
          <>
            <span className="market-tile__value" data-testid={`live-price-${zone}`} data-ticks={ticks.length}>
              {formatUsdPerMwh(price)}
            </span>
            <Badge tone={changeTone(change)} title="Change from the previous interval, $/MWh">
              <span data-testid={`change-${zone}`}>{formatChange(change)}</span>
            </Badge>
          </>
        )}
      </div>
      <div className="muted market-tile__asof">
        {priceRun} {asOf ? `· ${formatDateTime(asOf, tz)}` : '· no price stored yet'}
      </div>
      <EChart option={option} height={110} label={`${iso} ${location} today: day-ahead, ${chartRun} and live prices in $/MWh`} />
      <GateCountdown market={market} now={now} />
    </article>
  );
}
