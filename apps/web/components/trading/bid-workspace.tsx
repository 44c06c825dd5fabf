'use client';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { AssetView, BidView, MarketView } from '@optibid/contracts';
import { Badge, Button, Card, ErrorMessage, Notice, Table } from '@/components/ui';
import { api } from '@/lib/api';
import { checkCurves, defaultCurve, sideOfAssetType, type CurveIssue } from '@/lib/bid-rules';
import { formatDateTime, formatMw, formatUsd, formatUsdPerMwh } from '@/lib/format';
import { useMarket } from '@/lib/market-queries';
import { useDisplayTimeZone } from '@/lib/preferences';
import { hoursInLocalDay } from '@optibid/core/time';
import { countdown, hourEnding } from '@/lib/time';
import { bidStatusTone, newIdempotencyKey, useBidVersions } from '@/lib/trading-queries';
import { useNow } from '@/lib/use-now';
import { AsOfferEditor, asFromText, asToText, checkAsOffers, marketHasAs, type AsOfferText } from './as-offer-editor';
import { CurveEditor, fromText, toText, type SegmentText } from './curve-editor';
import { OptimisePanel } from './optimise-panel';

const EDITABLE = new Set(['draft', 'submitted', 'accepted']);

/** The ISO's rules beside the editor: caps, floor, segments, MW range and the gate countdown. */
function RulesPanel({ market, asset, gateClosure }: { market: MarketView; asset: AssetView; gateClosure: string | null }) {
  const now = useNow(1000);
  const tz = useDisplayTimeZone(market.timezone);
  const l = market.offer_limits;
  return (
    <dl className="ui-dl" data-testid="bid-rules" style={{ fontSize: '0.9rem' }}>
      <dt>Price floor</dt>
      <dd>{formatUsdPerMwh(l.floor_usd_per_mwh)}</dd>
      <dt>Offer cap</dt>
      <dd>
        {formatUsdPerMwh(l.soft_cap_usd_per_mwh)} <span className="muted">(hard cap {formatUsdPerMwh(l.hard_cap_usd_per_mwh)}, above the offer cap only cost-verified)</span>
      </dd>
      <dt>Segments</dt>
      <dd>at most {market.max_segments} per hour, prices not decreasing</dd>
      <dt>Asset range</dt>
      <dd>
        {formatMw(asset.bid_limits.min_mw)} to {formatMw(asset.bid_limits.max_mw)}
      </dd>
      <dt>Gate closure</dt>
      <dd data-testid="bid-gate">
        {gateClosure ? (
          <>
            {formatDateTime(gateClosure, tz, { seconds: false })} · <strong>{now === null ? '…' : countdown(gateClosure, now)}</strong>
          </>
        ) : (
          'known once the draft is saved'
        )}
      </dd>
    </dl>
  );
}

export interface BidWorkspaceProps {
  /** An existing bid, or a new one for `asset` and `deliveryDate`. */
  bid: BidView | null;
  asset: AssetView;
  market: MarketView;
  deliveryDate: string;
  canWrite: boolean;
  onSaved: (b: BidView) => void;
}

export function BidWorkspace({ bid, asset, market, deliveryDate, canWrite, canOptimise, onSaved }: BidWorkspaceProps & { canOptimise: boolean }) {
  const queryClient = useQueryClient();
  const tz = useDisplayTimeZone(market.timezone);
  const side = (bid?.side as 'supply' | 'demand' | 'storage' | undefined) ?? sideOfAssetType(asset.type);
  const periods = bid ? bid.curves.length : hoursInLocalDay(deliveryDate, market.timezone);
  const initial = useMemo(
    () => (bid ? toText(bid.curves) : toText(Array.from({ length: periods }, () => defaultCurve(side, asset.bid_limits.min_mw, asset.bid_limits.max_mw)))),
    // a new version from the server (or another bid) resets the editor
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [bid?.id, bid?.version, periods, asset.id],
  );
  const [curves, setCurves] = useState<SegmentText[][]>(initial);
  // AS offers beside the curve: batteries in markets with AS products that day.
  const withAs = asset.type === 'battery' && marketHasAs(market.iso, bid?.delivery_date ?? deliveryDate);
  const initialAs = useMemo(() => asToText(bid?.as_offers, periods), [bid?.as_offers, periods]);
  const [asText, setAsText] = useState<AsOfferText>(initialAs);
  const [dirty, setDirty] = useState(!bid);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [serverIssues, setServerIssues] = useState<CurveIssue[]>([]);
  const submitKey = useRef<string | null>(null);
  const versions = useBidVersions(bid?.id ?? null);

  useEffect(() => {
    setCurves(initial);
    setAsText(initialAs);
    setDirty(!bid);
    setServerIssues([]);
    setError(null);
  }, [initial, initialAs, bid]);

  const editable = canWrite && (!bid || EDITABLE.has(bid.status));
  const parsed = fromText(curves);
  // The rules the server checks this market's bids against (the list view until it loads: the same figures).
  const rules = useMarket(market.iso).data ?? market;
  const localIssues = checkCurves(parsed, { market: rules, side, min_mw: asset.bid_limits.min_mw, max_mw: asset.bid_limits.max_mw, cost_verified: bid?.cost_verified });
  // Issues stored on the bid (a rejected submit) or returned by a refused change.
  const apiIssues = [...(bid?.issues ?? []), ...serverIssues] as CurveIssue[];
  const asOffers = withAs ? asFromText(asText) : null;
  const asLocal = withAs ? checkAsOffers(market.iso, bid?.delivery_date ?? deliveryDate, asset, parsed, asOffers) : [];
  const asApi = apiIssues.filter((i) => String(i.code).startsWith('as_')) as unknown as typeof asLocal;
  const asShown = dirty ? asLocal : [...asApi, ...asLocal.filter((l) => !asApi.some((a) => a.period === l.period && a.code === l.code))];
  const shownIssues = dirty ? localIssues : [...apiIssues, ...localIssues.filter((l) => !apiIssues.some((a) => a.period === l.period && a.segment === l.segment))];

  function issuesFrom(err: unknown): CurveIssue[] {
    const d = (err as { details?: unknown[] }).details;
    return Array.isArray(d) ? (d.filter((x) => x && typeof x === 'object' && 'message' in (x as object)) as CurveIssue[]) : [];
  }

  async function run(label: string, fn: () => Promise<BidView>) {
    setBusy(label);
    setError(null);
    setServerIssues([]);
    try {
      const b = await fn();
      await queryClient.invalidateQueries({ queryKey: ['bids'] });
      setDirty(false);
      onSaved(b);
      return b;
    } catch (err) {
      setError(err);
      setServerIssues(issuesFrom(err));
      return null;
    } finally {
      setBusy(null);
    }
  }

  const body = () => ({ curves: parsed, ...(withAs ? (bid ? { as_offers: asOffers } : asOffers ? { as_offers: asOffers } : {}) : {}) });
  const save = () =>
    run('save', () => (bid ? api.patch<BidView>(`/api/bids/${bid.id}`, body()) : api.post<BidView>('/api/bids', { asset_id: asset.id, run: 'DA', delivery_date: deliveryDate, ...body() })));
  async function submit() {
    let current = bid;
    if (!current || dirty) {
      current = await save();
      if (!current) return;
    }
    // One key per submit intent: a retry after a network error replays instead of double-submitting.
    submitKey.current ??= newIdempotencyKey();
    const id = current.id;
    const key = submitKey.current;
    const done = await run('submit', () => api.post<BidView>(`/api/bids/${id}/submit`, {}, { headers: { 'idempotency-key': key } }));
    if (done) submitKey.current = null;
  }
  const cancel = () => run('cancel', () => api.post<BidView>(`/api/bids/${bid!.id}/cancel`, {}, { headers: { 'idempotency-key': newIdempotencyKey() } }));

  const awards = bid?.awards ?? [];
  return (
    <div className="stack" data-testid="bid-workspace">
      <Card
        title={
          <>
            {asset.name} · {market.iso} DA {bid?.delivery_date ?? deliveryDate}{' '}
            {bid ? (
              <span data-testid="bid-status">
                <Badge tone={bidStatusTone(bid.status)}>{bid.status}</Badge>
              </span>
            ) : (
              <Badge tone="warning">new</Badge>
            )}
            {bid ? <span className="muted" style={{ fontSize: '0.85rem', fontWeight: 400 }}> v{bid.version}</span> : null}
          </>
        }
        actions={
          editable ? (
            <>
              <Button size="sm" variant="secondary" loading={busy === 'save'} disabled={!!busy || (!!bid && !dirty)} onClick={save}>
                {bid ? 'Save new version' : 'Save draft'}
              </Button>
              {!bid || bid.status === 'draft' ? (
                <Button size="sm" loading={busy === 'submit'} disabled={!!busy} onClick={submit}>
                  Submit
                </Button>
              ) : null}
              {bid ? (
                <Button size="sm" variant="danger" loading={busy === 'cancel'} disabled={!!busy} onClick={cancel}>
                  Cancel bid
                </Button>
              ) : null}
            </>
          ) : null
        }
      >
        {!canWrite ? <Notice tone="info">Your role can view bids but not create, change, submit or cancel them (needs the bids:write permission).</Notice> : null}
        <ErrorMessage error={error} title="The server refused" />
        {bid?.status === 'rejected' && bid.issues.length ? (
          <Notice tone="warning">
            Rejected with {bid.issues.length} issue(s); they are marked on the hours and segments below. Fix them and create a new bid.
          </Notice>
        ) : null}
        <div className="grid-1-2" style={{ gridTemplateColumns: 'minmax(240px, 1fr) minmax(0, 2.4fr)' }}>
          <RulesPanel market={rules} asset={asset} gateClosure={bid?.gate_closure ?? (market.next_da_gate_closure.delivery_date === deliveryDate ? market.next_da_gate_closure.closes_at : null)} />
          <CurveEditor
            curves={curves}
            onChange={
              editable
                ? (c) => {
                    setCurves(c);
                    setDirty(true);
                  }
                : undefined
            }
            issues={shownIssues}
            maxSegments={rules.max_segments}
          />
        </div>
        {withAs ? (
          <details open style={{ marginTop: '0.75rem' }}>
            <summary style={{ cursor: 'pointer', fontWeight: 600 }}>Ancillary-service offers{asShown.length ? ` · ${asShown.length} issue(s)` : ''}</summary>
            <AsOfferEditor
              iso={market.iso}
              deliveryDate={bid?.delivery_date ?? deliveryDate}
              timezone={market.timezone}
              text={asText}
              onChange={
                editable
                  ? (t) => {
                      setAsText(t);
                      setDirty(true);
                    }
                  : undefined
              }
              issues={asShown}
            />
          </details>
        ) : null}
        {editable && canOptimise && (!bid || bid.status === 'draft') ? (
          <details open={!bid} style={{ marginTop: '0.75rem' }}>
            <summary style={{ cursor: 'pointer', fontWeight: 600 }}>Optimise (proposes curves from the optimal schedule)</summary>
            <OptimisePanel
              assetId={asset.id}
              market={asset.market}
              location={asset.location}
              deliveryDate={bid?.delivery_date ?? deliveryDate}
              onUse={(c, as) => {
                setCurves(toText(c));
                // A co-optimised plan's energy curves leave room for its AS offers: take both.
                if (withAs && as) setAsText(asToText(as, c.length));
                setDirty(true);
              }}
            />
          </details>
        ) : null}
        {shownIssues.length ? (
          <p className="text-danger" style={{ fontSize: '0.85rem', margin: '0.5rem 0 0' }} data-testid="issue-count">
            {shownIssues.length} rule violation(s) in hours {[...new Set(shownIssues.filter((i) => i.period !== undefined).map((i) => hourEnding(i.period!)))].join(', ') || '—'}
          </p>
        ) : null}
      </Card>
      {awards.length ? (
        <Card title="Awards">
          <Table
            columns={[
              { key: 'p', header: 'Hour', render: (a) => `${hourEnding(a.period)} · ${formatDateTime(a.interval_start, tz, { seconds: false }).slice(11)}` },
              { key: 'mw', header: 'Awarded', numeric: true, render: (a) => formatMw(a.awarded_mw) },
              { key: 'price', header: 'Price', numeric: true, render: (a) => formatUsdPerMwh(a.price_usd_per_mwh) },
              { key: 'usd', header: 'Value', numeric: true, render: (a) => formatUsd(a.awarded_mw * a.price_usd_per_mwh * a.duration_h) },
            ]}
            rows={awards}
            rowKey={(a) => String(a.period)}
          />
        </Card>
      ) : null}
      {bid ? (
        <Card title="Versions">
          {versions.error ? <ErrorMessage error={versions.error} /> : null}
          <Table
            columns={[
              { key: 'v', header: 'Version', numeric: true, render: (v) => v.version },
              { key: 's', header: 'Status then', render: (v) => <Badge tone={bidStatusTone(v.status)}>{v.status}</Badge> },
              { key: 'seg', header: 'Segments (HE01)', render: (v) => (v.curves[0] ?? []).map((s) => `${s.mw} MW @ ${s.price_usd_per_mwh}`).join(', ') },
              { key: 't', header: 'Written', render: (v) => formatDateTime(v.created_at, tz) },
            ]}
            rows={versions.data ?? []}
            rowKey={(v) => String(v.version)}
          />
        </Card>
      ) : null}
    </div>
  );
}
