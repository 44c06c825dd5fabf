'use client';
import { Suspense, useEffect, useState } from 'react';
import { useRouter, useSearchParams } from 'next/navigation';
import { useQueryClient } from '@tanstack/react-query';
import type { BidView, ClearingView } from '@optibid/contracts';
import { Badge, Button, Card, EmptyState, ErrorMessage, Field, Input, Loading, Notice, Select, Table } from '@/components/ui';
import { BidWorkspace } from '@/components/trading/bid-workspace';
import { tradingWindow } from '@/components/trading/trading-summary';
import { formatDateTime } from '@/lib/format';
import { useMarkets } from '@/lib/market-queries';
import { useDisplayTimeZone } from '@/lib/preferences';
import { hasPermission, useUser } from '@/lib/session';
import { BID_STATUSES, bidStatusTone, clearMarket, useAssets, useBid, useBids } from '@/lib/trading-queries';
import { useNow } from '@/lib/use-now';

/** Clears a market's day-ahead run now (organisation admins: own bids, price-taker; platform admins: whole market). */
function ClearingPanel({ defaultDate }: { defaultDate: string }) {
  const markets = useMarkets();
  const queryClient = useQueryClient();
  const [iso, setIso] = useState('ERCOT');
  const [date, setDate] = useState(defaultDate);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [result, setResult] = useState<ClearingView | null>(null);
  useEffect(() => setDate(defaultDate), [defaultDate]);

  async function clear() {
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      setResult(await clearMarket(iso, { run: 'DA', delivery_date: date }));
      await queryClient.invalidateQueries({ queryKey: ['bids'] });
      await queryClient.invalidateQueries({ queryKey: ['pnl'] });
      await queryClient.invalidateQueries({ queryKey: ['settlements'] });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card title="Clear a market now (admin)">
      <div className="toolbar" style={{ marginBottom: 0 }}>
        <Field label="Clearing market">{(p) => <Select {...p} value={iso} onChange={(e) => setIso(e.target.value)} options={(markets.data ?? []).map((m) => ({ value: m.iso, label: m.iso }))} />}</Field>
        <Field label="Delivery date">{(p) => <Input {...p} type="date" value={date} onChange={(e) => setDate(e.target.value)} />}</Field>
        <Button onClick={clear} loading={busy} style={{ marginBottom: '0.9rem' }}>
          Clear day-ahead
        </Button>
      </div>
      <ErrorMessage error={error} />
      {result ? (
        <Notice tone={result.status === 'complete' ? 'success' : 'warning'}>
          <span data-testid="clearing-result">
            {result.market} {result.run} {result.delivery_date}: {result.status}, {result.bids_cleared} bid(s) cleared ({result.newly_cleared} new), mode {result.mode}
            {result.simulated_prices.length ? `; simulated prices for ${result.simulated_prices.map((s) => s.location).join(', ')}` : ''}
          </span>
        </Notice>
      ) : null}
    </Card>
  );
}

function BiddingContent() {
  const user = useUser();
  const canWrite = hasPermission(user, 'bids:write');
  const canClear = user.is_platform_admin || hasPermission(user, 'org:manage');
  const search = useSearchParams();
  const router = useRouter();
  const bidId = search.get('bid');
  const newAsset = search.get('asset');
  const markets = useMarkets();
  const assets = useAssets();
  const now = useNow(60_000);
  const win = now && markets.data ? tradingWindow(markets.data, now) : null;
  const [status, setStatus] = useState('');
  const [day, setDay] = useState('');
  const bids = useBids({ status: status || undefined, start: day || win?.start, end: day || win?.end }, { enabled: !!win });
  const bid = useBid(bidId);
  const tz = useDisplayTimeZone();
  const [pickAsset, setPickAsset] = useState('');

  const assetOf = (id: string) => assets.data?.items.find((a) => a.id === id);
  const selectedAsset = bid.data ? assetOf(bid.data.asset_id) : newAsset ? assetOf(newAsset) : undefined;
  const market = markets.data?.find((m) => m.iso === selectedAsset?.market);
  const activeAssets = (assets.data?.items ?? []).filter((a) => a.active);

  return (
    <>
      <div className="page-header">
        <h1>Bidding</h1>
        <span className="muted">Day-ahead bids; delivery dates are market-local days.</span>
      </div>
      {canWrite ? (
        <div className="toolbar">
          <Field label="New bid for asset">
            {(p) => (
              <Select
                {...p}
                value={pickAsset}
                onChange={(e) => setPickAsset(e.target.value)}
                options={[{ value: '', label: activeAssets.length ? 'Choose an asset…' : 'No active assets' }, ...activeAssets.map((a) => ({ value: a.id, label: `${a.name} (${a.market})` }))]}
              />
            )}
          </Field>
          <Button variant="secondary" disabled={!pickAsset} onClick={() => router.push(`/bidding?asset=${pickAsset}`)} style={{ marginBottom: '0.9rem' }}>
            Start bid for the next open day
          </Button>
        </div>
      ) : null}
      {bidId || newAsset ? (
        bid.error ? (
          <ErrorMessage error={bid.error} />
        ) : (bidId && bid.isPending) || assets.isPending || markets.isPending ? (
          <Loading label="Loading the bid…" />
        ) : selectedAsset && market ? (
          <BidWorkspace
            key={bid.data?.id ?? `new-${selectedAsset.id}`}
            bid={bid.data ?? null}
            asset={selectedAsset}
            market={market}
            deliveryDate={bid.data?.delivery_date ?? market.next_da_gate_closure.delivery_date}
            canWrite={canWrite}
            canOptimise={hasPermission(user, 'optimize:run')}
            onSaved={(b: BidView) => {
              if (b.id !== bidId) router.replace(`/bidding?bid=${b.id}`);
            }}
          />
        ) : (
          <ErrorMessage error={new Error('The asset of this bid is not in your organisation’s asset list.')} />
        )
      ) : null}
      <h2 className="section-title">Bids</h2>
      <div className="toolbar">
        <Field label="Status">
          {(p) => <Select {...p} value={status} onChange={(e) => setStatus(e.target.value)} options={[{ value: '', label: 'All statuses' }, ...BID_STATUSES.map((s) => ({ value: s, label: s }))]} />}
        </Field>
        <Field label="Delivery day" hint={day ? undefined : win ? `showing ${win.start} – ${win.end}` : undefined}>
          {(p) => <Input {...p} type="date" value={day} onChange={(e) => setDay(e.target.value)} />}
        </Field>
      </div>
      <Card>
        <ErrorMessage error={bids.error} />
        {bids.isPending ? (
          <Loading label="Loading bids…" />
        ) : (
          <Table<BidView>
            columns={[
              { key: 'asset', header: 'Asset', render: (b) => <a href={`/bidding?bid=${b.id}`} onClick={(e) => (e.preventDefault(), router.push(`/bidding?bid=${b.id}`))}>{assetOf(b.asset_id)?.name ?? b.asset_id.slice(0, 8)}</a> },
              { key: 'm', header: 'Market', render: (b) => `${b.market} · ${b.location}` },
              { key: 'd', header: 'Delivery', render: (b) => `${b.run} ${b.delivery_date}` },
              { key: 's', header: 'Status', render: (b) => <span data-testid={`bid-row-status-${b.id}`}><Badge tone={bidStatusTone(b.status)}>{b.status}</Badge></span> },
              { key: 'v', header: 'Version', numeric: true, render: (b) => b.version },
              { key: 'g', header: 'Gate closure', render: (b) => b.gate_closure_local },
              { key: 'u', header: 'Updated', render: (b) => formatDateTime(b.updated_at, tz, { seconds: false }) },
            ]}
            rows={bids.data?.items ?? []}
            rowKey={(b) => b.id}
            empty={<EmptyState title="No bids for this selection">{canWrite ? 'Pick an asset above to start one.' : null}</EmptyState>}
          />
        )}
      </Card>
      {canClear && win ? (
        <>
          <h2 className="section-title">Clearing</h2>
          <ClearingPanel defaultDate={markets.data?.find((m) => m.iso === 'ERCOT')?.next_da_gate_closure.delivery_date ?? win.end} />
        </>
      ) : null}
    </>
  );
}

export default function BiddingPage() {
  return (
    <Suspense fallback={<Loading />}>
      <BiddingContent />
    </Suspense>
  );
}
