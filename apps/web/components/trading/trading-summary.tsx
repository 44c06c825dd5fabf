'use client';
import Link from 'next/link';
import type { MarketView } from '@optibid/contracts';
import { Badge, Card, EmptyState, ErrorMessage, Loading } from '@/components/ui';
import { formatDateTime, formatMw, formatUsd } from '@/lib/format';
import { useMarkets } from '@/lib/market-queries';
import { useDisplayTimeZone } from '@/lib/preferences';
import { useLiveAlerts } from '@/lib/realtime';
import { hasPermission, useUser } from '@/lib/session';
import { addDaysYmd, localDateOf } from '@optibid/core/time';
import { ASSET_TYPE_LABELS, BID_STATUSES, bidStatusTone, useAssets, useBids, usePnl, type AssetType } from '@/lib/trading-queries';

/**
 * The delivery days a trader works on right now: from the earliest market-local
 * "today" to the latest day whose day-ahead gate is still open (usually tomorrow).
 */
export function tradingWindow(markets: MarketView[] | undefined, now: number): { start: string; end: string } {
  const list = markets ?? [];
  const todays = list.map((m) => localDateOf(now, m.timezone));
  const ends = list.flatMap((m) => [m.next_da_gate_closure.delivery_date, addDaysYmd(localDateOf(now, m.timezone), 1)]);
  const fallback = localDateOf(now, 'UTC');
  return {
    start: todays.length ? todays.reduce((a, b) => (a < b ? a : b)) : fallback,
    end: ends.length ? ends.reduce((a, b) => (a > b ? a : b)) : addDaysYmd(fallback, 1),
  };
}

export function TradingSummary({ now }: { now: number | null }) {
  const user = useUser();
  const markets = useMarkets();
  const win = now === null || !markets.data ? null : tradingWindow(markets.data, now);
  const canAssets = hasPermission(user, 'assets:read');
  const canBids = hasPermission(user, 'bids:read');
  const canPnl = hasPermission(user, 'settlement:read');
  const assets = useAssets({ enabled: canAssets });
  const bids = useBids({ start: win?.start, end: win?.end }, { enabled: canBids && !!win });
  const pnl = usePnl('day', win?.start ?? '', win?.end ?? '', { enabled: canPnl && !!win });
  const alerts = useLiveAlerts();
  const tz = useDisplayTimeZone();
  const assetName = new Map((assets.data?.items ?? []).map((a) => [a.id, a.name]));

  const byStatus = new Map<string, number>();
  for (const b of bids.data?.items ?? []) byStatus.set(b.status, (byStatus.get(b.status) ?? 0) + 1);
  const awarded = (bids.data?.items ?? []).filter((b) => b.status === 'cleared' || b.status === 'settled');
  const windowLabel = win ? `delivery ${win.start} – ${win.end}` : '';

  return (
    <>
      <h2 className="section-title">Trading {windowLabel ? <span className="muted" style={{ fontWeight: 400, fontSize: '0.85rem' }}>({windowLabel}, market-local days)</span> : null}</h2>
      <div className="grid-3" data-testid="trading-summary">
        <Card title="My assets" actions={<Link href="/assets">All assets</Link>}>
          {!canAssets ? (
            <EmptyState title="Your role cannot see assets" />
          ) : assets.error ? (
            <ErrorMessage error={assets.error} />
          ) : assets.isPending ? (
            <Loading />
          ) : assets.data.items.length === 0 ? (
            <EmptyState title="No assets yet">Add a battery, plant or load on the Assets page to start bidding.</EmptyState>
          ) : (
            <ul className="compact-list" data-testid="dashboard-assets">
              {assets.data.items.slice(0, 6).map((a) => (
                <li key={a.id}>
                  <Link href={`/assets?id=${a.id}`}>{a.name}</Link>
                  <Badge>{ASSET_TYPE_LABELS[a.type as AssetType] ?? a.type}</Badge>
                  <span className="muted">
                    {a.market} · {a.location}
                  </span>
                  <span className="spacer" />
                  <span className="num">{formatMw(a.bid_limits.max_mw)}</span>
                </li>
              ))}
              {assets.data.items.length > 6 ? <li className="muted">and {assets.data.items.length - 6} more</li> : null}
            </ul>
          )}
        </Card>
        <Card title="Bids" actions={<Link href="/bidding">Bidding</Link>}>
          {!canBids ? (
            <EmptyState title="Your role cannot see bids" />
          ) : bids.error ? (
            <ErrorMessage error={bids.error} />
          ) : bids.isPending ? (
            <Loading />
          ) : bids.data.items.length === 0 ? (
            <EmptyState title="No bids for these days" />
          ) : (
            <div className="row" data-testid="dashboard-bids">
              {BID_STATUSES.filter((s) => byStatus.has(s)).map((s) => (
                <span key={s} data-testid={`bids-${s}`}>
                  <Badge tone={bidStatusTone(s)}>
                    {s}: {byStatus.get(s)}
                  </Badge>
                </span>
              ))}
            </div>
          )}
        </Card>
        <Card title="Awards">
          {!canBids ? (
            <EmptyState title="Your role cannot see bids" />
          ) : bids.isPending ? (
            <Loading />
          ) : awarded.length === 0 ? (
            <EmptyState title="No awards yet">Cleared bids appear here.</EmptyState>
          ) : (
            <ul className="compact-list" data-testid="dashboard-awards">
              {awarded.slice(0, 6).map((b) => (
                <li key={b.id}>
                  <Link href={`/bidding?bid=${b.id}`}>{assetName.get(b.asset_id) ?? 'asset'}</Link>
                  <span className="muted">
                    {b.market} {b.run} {b.delivery_date}
                  </span>
                  <span className="spacer" />
                  <Badge tone={bidStatusTone(b.status)}>{b.status}</Badge>
                </li>
              ))}
            </ul>
          )}
        </Card>
        <Card title="P&L by delivery day" actions={<Link href="/analytics">Analytics</Link>}>
          {!canPnl ? (
            <EmptyState title="Your role cannot see settlements" />
          ) : pnl.error ? (
            <ErrorMessage error={pnl.error} />
          ) : pnl.isPending ? (
            <Loading />
          ) : pnl.data.rows.length === 0 ? (
            <EmptyState title="Nothing settled for these days" />
          ) : (
            <ul className="compact-list" data-testid="dashboard-pnl">
              {pnl.data.rows.map((r) => (
                <li key={r.key}>
                  <span>{r.key}</span>
                  <span className="spacer" />
                  <strong className={r.net_usd < 0 ? 'text-danger' : 'text-success'}>{formatUsd(r.net_usd)}</strong>
                </li>
              ))}
              <li>
                <span className="muted">Total</span>
                <span className="spacer" />
                <strong data-testid="dashboard-pnl-total">{formatUsd(pnl.data.totals.net_usd)}</strong>
              </li>
            </ul>
          )}
        </Card>
        <Card title="Recent alerts">
          {alerts.length === 0 ? (
            <EmptyState title="No alerts since you opened the app">Market events and broadcasts arrive here live.</EmptyState>
          ) : (
            <ul className="compact-list" data-testid="dashboard-alerts">
              {alerts.slice(0, 6).map((a) => (
                <li key={a.alert_id} title={a.message}>
                  <Badge tone={a.severity === 'critical' ? 'danger' : a.severity === 'warning' ? 'warning' : 'info'}>{a.severity}</Badge>
                  <span>{a.title}</span>
                  <span className="spacer" />
                  <span className="muted">{formatDateTime(a.timestamp, tz, { seconds: false })}</span>
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>
    </>
  );
}
