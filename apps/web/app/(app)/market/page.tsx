'use client';
import { useEffect, useMemo, useState } from 'react';
import type { PriceScope, PriceStatsView, PriceUpdateMessage } from '@optibid/contracts';
import { Card, EmptyState, ErrorMessage, Field, Input, Loading, Select, Table } from '@/components/ui';
import { AncillaryPriceCharts } from '@/components/market/ancillary-price-charts';
import { ImportPanel } from '@/components/market/import-panel';
import { PriceChart } from '@/components/market/price-chart';
import { PRICE_SCOPE_LABELS, PriceScopeToggle } from '@/components/market/price-scope-toggle';
import { formatDateTime, formatUsdPerMwh } from '@/lib/format';
import { useForecastOverlay } from '@/lib/forecast-queries';
import { useAncillaryPrices, useLatestPrices, useLocations, useMarkets, useOwnSeries, usePriceSeries, usePriceStats, type PriceRun, type Resolution } from '@/lib/market-queries';
import { useDisplayTimeZone } from '@/lib/preferences';
import { usePriceUpdates } from '@/lib/realtime';
import { hasPermission, useUser } from '@/lib/session';
import { addDaysYmd, localDateOf } from '@optibid/core/time';
import { zoneAbbrev } from '@/lib/time';

const RT_RUNS: PriceRun[] = ['RT5', 'RT15', 'RTH'];

function StatsTable({ stats }: { stats: (PriceStatsView | undefined)[] }) {
  const rows = stats.filter((s): s is PriceStatsView => !!s && s.intervals > 0);
  if (rows.length === 0) return <EmptyState title="No prices in this range" />;
  return (
    <Table
      columns={[
        { key: 'run', header: 'Run', render: (s) => <strong>{s.run}</strong> },
        { key: 'mean', header: 'Mean', numeric: true, render: (s) => formatUsdPerMwh(s.mean_usd_per_mwh) },
        { key: 'min', header: 'Min', numeric: true, render: (s) => formatUsdPerMwh(s.min_usd_per_mwh) },
        { key: 'max', header: 'Max', numeric: true, render: (s) => formatUsdPerMwh(s.max_usd_per_mwh) },
        { key: 'std', header: 'Volatility (std)', numeric: true, render: (s) => formatUsdPerMwh(s.std_usd_per_mwh) },
        { key: 'spread', header: 'Mean daily spread', numeric: true, render: (s) => formatUsdPerMwh(s.mean_daily_spread_usd_per_mwh) },
        { key: 'neg', header: 'Negative hours', numeric: true, render: (s) => `${s.negative_price_hours.toFixed(1)} h` },
      ]}
      rows={rows}
      rowKey={(s) => s.run}
    />
  );
}

export default function MarketPage() {
  const user = useUser();
  const markets = useMarkets();
  const [iso, setIso] = useState('');
  const market = markets.data?.find((m) => m.iso === iso);
  const locations = useLocations(iso || undefined);
  const latest = useLatestPrices(iso || undefined);
  const [location, setLocation] = useState('');
  const [rtRun, setRtRun] = useState<PriceRun>('RTH');
  const [resolution, setResolution] = useState<Resolution>('hourly');
  const [range, setRange] = useState<{ start: string; end: string } | null>(null);
  const tz = useDisplayTimeZone(market?.timezone);
  const [ticks, setTicks] = useState<PriceUpdateMessage[]>([]);
  const [scope, setScope] = useState<PriceScope>('shared');
  const ownSeries = useOwnSeries();

  useEffect(() => {
    if (!iso && markets.data?.length) setIso(markets.data[0]!.iso);
  }, [iso, markets.data]);
  // A new market: its main hub and the last week to tomorrow.
  const marketIso = market?.iso;
  useEffect(() => {
    if (!market) return;
    setLocation(market.default_location);
    const today = localDateOf(Date.now(), market.timezone);
    setRange({ start: addDaysYmd(today, -7), end: addDaysYmd(today, 2) });
    setTicks([]);
    // re-run only when the market itself changes, not on its periodic refetch
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [marketIso]);
  const loc = locations.data?.find((l) => l.id === location);
  // Prefer a real-time run that has data at this location.
  useEffect(() => {
    const rt = loc?.runs.filter((r) => r !== 'DA') ?? [];
    if (rt.length && !rt.includes(rtRun)) setRtRun(rt[0] as PriceRun);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [loc]);

  usePriceUpdates(iso ? [iso.toLowerCase()] : [], (m) => setTicks((t) => [m, ...t].slice(0, 40)));

  // The organisation's own series of this market (its locations and runs), when it reads them.
  const ownHere = useMemo(() => (ownSeries.data ?? []).filter((s) => s.market === iso), [ownSeries.data, iso]);
  useEffect(() => {
    if (scope === 'own' && ownHere.length && !ownHere.some((s) => s.location === location)) setLocation(ownHere[0]!.location);
  }, [scope, ownHere, location]);
  const base = iso && location && range ? { market: iso, location, start: range.start, end: range.end, scope } : null;
  const da = usePriceSeries(base ? { ...base, run: 'DA', resolution } : null);
  const rt = usePriceSeries(base ? { ...base, run: rtRun, resolution } : null);
  const daStats = usePriceStats(base ? { ...base, run: 'DA' } : null);
  const rtStats = usePriceStats(base ? { ...base, run: rtRun } : null);
  const [asZone, setAsZone] = useState('');
  useEffect(() => setAsZone(''), [iso]);
  const ancillary = useAncillaryPrices(iso && range ? { market: iso, start: range.start, end: range.end, ...(asZone ? { zone: asZone } : {}) } : null);
  const overlay = useForecastOverlay(base?.market, base?.location, base?.start, base?.end, scope);

  const marketOptions = useMemo(() => (markets.data ?? []).map((m) => ({ value: m.iso, label: `${m.iso} · ${m.name}` })), [markets.data]);
  const locationOptions = useMemo(
    () =>
      scope === 'own'
        ? [...new Set(ownHere.map((s) => s.location))].map((id) => ({ value: id, label: `${id} (${ownHere.filter((s) => s.location === id).map((s) => s.run).join(', ')}, yours)` }))
        : [...(locations.data ?? [])]
        .sort((a, b) => Number(b.has_data) - Number(a.has_data) || a.id.localeCompare(b.id))
        .map((l) => ({ value: l.id, label: `${l.id}${l.name !== l.id ? ` · ${l.name}` : ''}${l.has_data ? ` (${l.runs.join(', ')})` : ' (no data)'}` })),
    [locations.data, scope, ownHere],
  );
  const latestHere = (latest.data ?? []).filter((l) => l.location === location);

  return (
    <>
      <div className="page-header">
        <h1>Market</h1>
        {market ? (
          <span className="muted">
            Times in {tz} ({zoneAbbrev(tz)})
          </span>
        ) : null}
      </div>
      {markets.error ? <ErrorMessage error={markets.error} /> : null}
      {markets.isPending ? <Loading label="Loading markets…" /> : null}
      {market && range ? (
        <div className="stack">
          <div className="toolbar" data-testid="market-controls">
            <Field label="Market">{(p) => <Select {...p} value={iso} onChange={(e) => setIso(e.target.value)} options={marketOptions} />}</Field>
            <PriceScopeToggle value={scope} onChange={setScope} market={iso} />
            <Field label="Location">
              {(p) => <Select {...p} value={location} onChange={(e) => setLocation(e.target.value)} options={locationOptions.length ? locationOptions : [{ value: location, label: location }]} />}
            </Field>
            <Field label="Real-time run">
              {(p) => <Select {...p} value={rtRun} onChange={(e) => setRtRun(e.target.value as PriceRun)} options={RT_RUNS.map((r) => ({ value: r, label: r }))} />}
            </Field>
            <Field label="Resolution">
              {(p) => (
                <Select
                  {...p}
                  value={resolution}
                  onChange={(e) => setResolution(e.target.value as Resolution)}
                  options={[
                    { value: 'native', label: 'Native' },
                    { value: 'hourly', label: 'Hourly' },
                    { value: 'daily', label: 'Daily' },
                  ]}
                />
              )}
            </Field>
            <Field label={`From (${market.iso} date)`}>
              {(p) => <Input {...p} type="date" value={range.start} onChange={(e) => e.target.value && setRange({ ...range, start: e.target.value })} />}
            </Field>
            <Field label="To (exclusive)">{(p) => <Input {...p} type="date" value={range.end} onChange={(e) => e.target.value && setRange({ ...range, end: e.target.value })} />}</Field>
          </div>
          <Card
            title={`${market.iso} ${location}: day-ahead vs ${rtRun}${scope === 'own' ? ` · ${PRICE_SCOPE_LABELS.own}` : ''}`}
            actions={
              <span className="muted" style={{ fontSize: '0.8rem' }}>
                scroll or drag the slider to zoom
              </span>
            }
          >
            <ErrorMessage error={da.error ?? rt.error} />
            {da.isPending || rt.isPending ? (
              <Loading label="Loading prices…" />
            ) : (da.data?.items.length ?? 0) + (rt.data?.items.length ?? 0) === 0 ? (
              <EmptyState title="No prices for this location and range">Pick a location marked with runs, or import files below.</EmptyState>
            ) : (
              <PriceChart da={da.data?.items ?? []} rt={rt.data?.items ?? []} rtLabel={rtRun} forecast={overlay.hours} timeZone={tz} />
            )}
            <p className="muted" style={{ fontSize: '0.8rem', margin: '0.4rem 0 0' }} data-testid="forecast-overlay-note">
              {overlay.error
                ? `Forecast overlay unavailable: ${overlay.error.message}`
                : overlay.isPending
                  ? 'Looking for stored forecasts…'
                  : overlay.label
                    ? `Forecast overlay: ${overlay.label}, P50 with its P10–P90 band, ${overlay.forecasts.length} delivery day(s) (${overlay.forecasts[0]!.delivery_date} – ${overlay.forecasts[overlay.forecasts.length - 1]!.delivery_date}).`
                    : 'No stored forecast for this location in this range: register and train a model on the Forecasts page.'}
            </p>
          </Card>
          <Card
            title={`${market.iso} ancillary services: capacity clearing prices${ancillary.data ? ` · zone ${ancillary.data.zone}` : ''}`}
            actions={
              (ancillary.data?.zones.length ?? 0) > 1 ? (
                <Field label="Zone">
                  {(p) => <Select {...p} value={ancillary.data!.zone} onChange={(e) => setAsZone(e.target.value)} options={ancillary.data!.zones.map((z) => ({ value: z, label: z }))} />}
                </Field>
              ) : null
            }
          >
            <ErrorMessage error={ancillary.error} />
            {ancillary.isPending ? (
              <Loading label="Loading ancillary-service prices…" />
            ) : !ancillary.data?.items.length ? (
              <EmptyState title="No ancillary-service prices for this market and range">Import an ISO's AS price file below (ERCOT NP4-181-ER, SPP DA-MCP).</EmptyState>
            ) : (
              <AncillaryPriceCharts products={ancillary.data.products} items={ancillary.data.items} timeZone={tz} />
            )}
          </Card>
          <div className="grid-2">
            <Card title={`Statistics · ${PRICE_SCOPE_LABELS[scope]}`}>
              <ErrorMessage error={daStats.error ?? rtStats.error} />
              {daStats.isPending || rtStats.isPending ? <Loading /> : <StatsTable stats={[daStats.data, rtStats.data]} />}
            </Card>
            <Card title={`Live ticker · ${market.iso}`}>
              {latestHere.length ? (
                <div className="muted" style={{ fontSize: '0.85rem', marginBottom: '0.5rem' }}>
                  Latest stored at {location}:{' '}
                  {latestHere.map((l) => `${l.run} ${formatUsdPerMwh(l.lmp_usd_per_mwh)} (${formatDateTime(l.interval_start, tz, { seconds: false })})`).join(' · ')}
                </div>
              ) : null}
              {ticks.length === 0 ? (
                <EmptyState title="Waiting for live prices">Ticks from the real-time feed appear here as they arrive.</EmptyState>
              ) : (
                <div className="ticker" data-testid="ticker" aria-live="polite">
                  {ticks.map((t, i) => (
                    <span key={`${t.timestamp}-${t.location}-${i}`} className="ticker__item">
                      {formatDateTime(t.timestamp, tz).slice(11)} {t.location} <strong>{formatUsdPerMwh(t.lmp)}</strong>
                    </span>
                  ))}
                </div>
              )}
            </Card>
          </div>
          {hasPermission(user, 'prices:import') ? <ImportPanel markets={marketOptions} /> : null}
        </div>
      ) : null}
    </>
  );
}
