'use client';
import { useEffect, useMemo, useState } from 'react';
import type { PnlView, SettlementView } from '@optibid/contracts';
import { Button, Card, EmptyState, ErrorMessage, Field, Input, Loading, Table, Tabs } from '@/components/ui';
import { BacktestsSection } from '@/components/backtests/backtests-section';
import { EChart, axisStyle, chartColors, type ChartOption } from '@/components/charts/echart';
import { RevenueByProductChart } from '@/components/trading/revenue-by-product-chart';
import { tradingWindow } from '@/components/trading/trading-summary';
import { formatDateTime, formatMw, formatMwh, formatUsd, formatUsdPerMwh } from '@/lib/format';
import { useMarkets } from '@/lib/market-queries';
import { useDisplayTimeZone, usePreferences } from '@/lib/preferences';
import { addDaysYmd } from '@optibid/core/time';
import { toCsv } from '@/lib/csv';
import { useAssets, usePnl, useSettlements } from '@/lib/trading-queries';

type Group = 'day' | 'asset' | 'market';
type PnlRow = PnlView['rows'][number];

function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function PnlPanel({ group, start, end, label }: { group: Group; start: string; end: string; label: (key: string) => string }) {
  const pnl = usePnl(group, start, end);
  const { theme } = usePreferences();
  const option = useMemo<ChartOption>(() => {
    const ax = axisStyle(theme);
    const c = chartColors(theme);
    const rows = pnl.data?.rows ?? [];
    return {
      grid: { left: 72, right: 16, top: 16, bottom: 40 },
      tooltip: { trigger: 'axis', valueFormatter: (v: number) => formatUsd(v) },
      xAxis: { type: 'category', data: rows.map((r) => label(r.key)), ...ax, axisLabel: { ...ax.axisLabel, hideOverlap: true } },
      yAxis: { type: 'value', name: 'USD', ...ax },
      series: [
        {
          name: 'Net P&L',
          type: 'bar',
          barMaxWidth: 48,
          data: rows.map((r) => ({ value: Math.round(r.net_usd * 100) / 100, itemStyle: { color: r.net_usd < 0 ? c.series[5] : c.series[2] } })),
        },
      ],
    };
  }, [pnl.data, theme, label]);

  if (pnl.error) return <ErrorMessage error={pnl.error} />;
  if (pnl.isPending) return <Loading label="Loading P&L…" />;
  const rows = pnl.data.rows;
  if (rows.length === 0) return <EmptyState title="Nothing settled in this range">Awards appear here once a market clears your bids.</EmptyState>;
  const cols = [
    { key: 'k', header: group === 'day' ? 'Day' : group === 'asset' ? 'Asset' : 'Market', render: (r: PnlRow) => label(r.key) },
    { key: 'rev', header: 'Revenue', numeric: true, render: (r: PnlRow) => formatUsd(r.revenue_usd) },
    { key: 'en', header: 'Energy (net)', numeric: true, render: (r: PnlRow) => formatUsd(r.energy_revenue_usd) },
    { key: 'as', header: 'Ancillary', numeric: true, render: (r: PnlRow) => (r.as_revenue_usd ? formatUsd(r.as_revenue_usd) : '—') },
    { key: 'cost', header: 'Cost', numeric: true, render: (r: PnlRow) => formatUsd(r.cost_usd) },
    { key: 'deg', header: 'Degradation', numeric: true, render: (r: PnlRow) => formatUsd(r.degradation_cost_usd) },
    { key: 'net', header: 'Net', numeric: true, render: (r: PnlRow) => <strong className={r.net_usd < 0 ? 'text-danger' : undefined}>{formatUsd(r.net_usd)}</strong> },
    { key: 'sold', header: 'Sold', numeric: true, render: (r: PnlRow) => formatMwh(r.mwh_sold) },
    { key: 'bought', header: 'Bought', numeric: true, render: (r: PnlRow) => formatMwh(r.mwh_bought) },
    { key: 'cyc', header: 'Cycles', numeric: true, render: (r: PnlRow) => (r.cycles === undefined ? '—' : r.cycles.toFixed(2)) },
  ];
  function exportCsv() {
    const products = Object.keys(pnl.data!.totals.revenue_by_product).sort();
    const header = ['key', 'revenue_usd', 'cost_usd', 'degradation_cost_usd', 'net_usd', 'mwh_sold', 'mwh_bought', 'net_mwh', 'cycles', 'energy_revenue_usd', 'as_revenue_usd', ...products.map((p) => `${p}_usd`)];
    const data = [...rows, { ...pnl.data!.totals, key: 'TOTAL' }].map((r) => [
      r.key === 'TOTAL' ? 'TOTAL' : label(r.key),
      r.revenue_usd.toFixed(2),
      r.cost_usd.toFixed(2),
      r.degradation_cost_usd.toFixed(2),
      r.net_usd.toFixed(2),
      r.mwh_sold.toFixed(3),
      r.mwh_bought.toFixed(3),
      r.net_mwh.toFixed(3),
      r.cycles === undefined ? '' : r.cycles.toFixed(3),
      r.energy_revenue_usd.toFixed(2),
      r.as_revenue_usd.toFixed(2),
      ...products.map((p) => (r.revenue_by_product[p] ?? 0).toFixed(2)),
    ]);
    download(`optibid-pnl-by-${group}-${start}-${end}.csv`, toCsv(header, data));
  }
  return (
    <div className="stack" style={{ gap: '0.75rem' }}>
      <div className="row">
        <span>
          Total net: <strong data-testid="pnl-total">{formatUsd(pnl.data.totals.net_usd)}</strong>
        </span>
        <span className="spacer" />
        <Button size="sm" variant="secondary" onClick={exportCsv}>
          Export CSV
        </Button>
      </div>
      <EChart option={option} height={240} label={`Net P&L by ${group} in USD`} testId={`pnl-chart-${group}`} />
      <RevenueByProductChart rows={rows} label={label} group={group} />
      <Table columns={cols} rows={rows} rowKey={(r) => r.key} />
    </div>
  );
}

function SettlementPanel({ data, assetName }: { data: SettlementView; assetName: (id: string) => string }) {
  const tz = useDisplayTimeZone();
  const [asset, setAsset] = useState('');
  const lines = data.lines.filter((l) => !asset || l.asset_id === asset);
  return (
    <div className="stack" style={{ gap: '0.75rem' }}>
      <Table
        caption="By asset"
        columns={[
          { key: 'n', header: 'Asset', render: (a) => <button type="button" className="ui-button ui-button--ghost ui-button--sm" onClick={() => setAsset(asset === a.asset_id ? '' : a.asset_id)}>{a.name}</button> },
          { key: 'da', header: 'Day-ahead', numeric: true, render: (a) => formatUsd(a.da_usd) },
          { key: 'rt', header: 'RT deviation', numeric: true, render: (a) => formatUsd(a.rt_usd) },
          { key: 'as', header: 'AS capacity', numeric: true, render: (a) => formatUsd(a.as_usd) },
          { key: 't', header: 'Total', numeric: true, render: (a) => <strong>{formatUsd(a.total_usd)}</strong> },
          { key: 'b', header: 'Battery', render: (a) => (a.battery ? `${a.battery.cycles.toFixed(2)} cycles, ${formatMwh(a.battery.discharged_mwh)} out${a.battery.violations.length ? `, ${a.battery.violations.length} SoC violation(s)` : ''}` : '—') },
        ]}
        rows={data.assets}
        rowKey={(a) => a.asset_id}
      />
      <Table
        caption={`Lines${asset ? ` of ${assetName(asset)}` : ''} (${lines.length}${lines.length > 300 ? ', first 300 shown' : ''})`}
        columns={[
          { key: 'i', header: 'Interval', render: (l) => formatDateTime(l.interval_start, tz, { seconds: false }) },
          { key: 'a', header: 'Asset', render: (l) => assetName(l.asset_id) },
          { key: 'k', header: 'Kind', render: (l) => (l.product ? `${l.kind} ${l.product}` : l.kind) },
          { key: 'mw', header: 'MW', numeric: true, render: (l) => formatMw(l.mw) },
          { key: 'p', header: 'Price', numeric: true, render: (l) => (l.price_usd_per_mw !== undefined ? `${formatUsd(l.price_usd_per_mw)}/MW-h` : formatUsdPerMwh(l.price_usd_per_mwh)) },
          { key: 'usd', header: 'Amount', numeric: true, render: (l) => formatUsd(l.amount_usd) },
        ]}
        rows={lines.slice(0, 300)}
        rowKey={(l) => `${l.bid_id}-${l.asset_id}-${l.kind}-${l.product ?? ''}-${l.interval_start}`}
        empty={<EmptyState title="No settlement lines" />}
      />
    </div>
  );
}

export default function AnalyticsPage() {
  const markets = useMarkets();
  const assets = useAssets();
  const [range, setRange] = useState<{ start: string; end: string } | null>(null);
  const [tab, setTab] = useState<Group | 'settlement'>('day');
  useEffect(() => {
    if (range || !markets.data) return;
    const w = tradingWindow(markets.data, Date.now());
    setRange({ start: addDaysYmd(w.start, -7), end: w.end });
  }, [markets.data, range]);
  const settlements = useSettlements(range?.start ?? '', range?.end ?? '', { enabled: !!range && tab === 'settlement' });
  const names = useMemo(() => new Map((assets.data?.items ?? []).map((a) => [a.id, a.name])), [assets.data]);
  const assetLabel = useMemo(() => (k: string) => names.get(k) ?? k, [names]);
  const same = useMemo(() => (k: string) => k, []);

  return (
    <>
      <div className="page-header">
        <h1>Analytics</h1>
        <span className="muted">Settled money over market-local delivery days (inclusive); backtests of strategies on stored history.</span>
      </div>
      {!range ? (
        <Loading />
      ) : (
        <div className="stack">
          <div className="toolbar" style={{ marginBottom: 0 }}>
            <Field label="From">{(p) => <Input {...p} type="date" value={range.start} onChange={(e) => e.target.value && setRange({ ...range, start: e.target.value })} />}</Field>
            <Field label="To">{(p) => <Input {...p} type="date" value={range.end} onChange={(e) => e.target.value && setRange({ ...range, end: e.target.value })} />}</Field>
          </div>
          <Card title="Profit and loss">
            <Tabs
              label="Group P&L by"
              selected={tab}
              onSelect={(id) => setTab(id as Group | 'settlement')}
              tabs={[
                { id: 'day', label: 'By day', content: <PnlPanel group="day" start={range.start} end={range.end} label={same} /> },
                { id: 'asset', label: 'By asset', content: <PnlPanel group="asset" start={range.start} end={range.end} label={assetLabel} /> },
                { id: 'market', label: 'By market', content: <PnlPanel group="market" start={range.start} end={range.end} label={same} /> },
                {
                  id: 'settlement',
                  label: 'Settlement detail',
                  content: settlements.error ? (
                    <ErrorMessage error={settlements.error} />
                  ) : settlements.isPending ? (
                    <Loading label="Loading settlements…" />
                  ) : (
                    <SettlementPanel data={settlements.data} assetName={assetLabel} />
                  ),
                },
              ]}
            />
          </Card>
          <BacktestsSection />
        </div>
      )}
    </>
  );
}
