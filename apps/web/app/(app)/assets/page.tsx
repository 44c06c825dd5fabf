'use client';
import { Suspense, useState } from 'react';
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useQueryClient } from '@tanstack/react-query';
import type { AssetView } from '@optibid/contracts';
import { Badge, Button, Card, EmptyState, ErrorMessage, Loading, Table } from '@/components/ui';
import { AssetForm } from '@/components/trading/asset-form';
import { PARAM_FIELDS } from '@/components/trading/asset-fields';
import { api } from '@/lib/api';
import { formatDateTime, formatMw } from '@/lib/format';
import { useDisplayTimeZone } from '@/lib/preferences';
import { hasPermission, useUser } from '@/lib/session';
import { ASSET_TYPE_LABELS, bidStatusTone, useAsset, useAssets, useBids, type AssetType } from '@/lib/trading-queries';

function paramText(v: unknown): string {
  if (Array.isArray(v)) {
    if (v.length && typeof v[0] === 'object') return (v as { mw: number; price_usd_per_mwh: number }[]).map((s) => `${s.mw} MW @ ${s.price_usd_per_mwh.toFixed(2)} $/MWh`).join(', ');
    return (v as number[]).map((x) => x.toFixed(1)).join(', ');
  }
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (v === null || v === undefined) return '—';
  return String(v);
}

function AssetDetail({ id, canWrite }: { id: string; canWrite: boolean }) {
  const asset = useAsset(id);
  const bids = useBids({ asset_id: id });
  const router = useRouter();
  const queryClient = useQueryClient();
  const tz = useDisplayTimeZone();
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<unknown>(null);

  if (asset.isPending) return <Loading label="Loading the asset…" />;
  if (asset.error) return <ErrorMessage error={asset.error} action={<Link href="/assets">Back to assets</Link>} />;
  const a = asset.data;
  if (editing) return <AssetForm asset={a} onDone={() => setEditing(false)} onCancel={() => setEditing(false)} />;
  const params = (a.params ?? {}) as Record<string, unknown>;
  const fields = PARAM_FIELDS[a.type as AssetType] ?? [];

  async function toggleActive() {
    setError(null);
    try {
      await api.patch(`/api/assets/${a.id}`, { active: !a.active });
      await queryClient.invalidateQueries({ queryKey: ['assets'] });
    } catch (e) {
      setError(e);
    }
  }

  return (
    <div className="stack">
      <Card
        title={
          <>
            {a.name} <Badge>{ASSET_TYPE_LABELS[a.type as AssetType] ?? a.type}</Badge> {a.active ? null : <Badge tone="warning">inactive</Badge>}
          </>
        }
        actions={
          <>
            {canWrite ? (
              <>
                <Button size="sm" onClick={() => setEditing(true)}>
                  Edit
                </Button>
                <Button size="sm" variant="secondary" onClick={toggleActive}>
                  {a.active ? 'Deactivate' : 'Reactivate'}
                </Button>
                <Button size="sm" variant="secondary" onClick={() => router.push(`/bidding?asset=${a.id}`)}>
                  Bid
                </Button>
              </>
            ) : null}
            <Link href="/assets">All assets</Link>
          </>
        }
      >
        <ErrorMessage error={error} />
        <dl className="ui-dl" data-testid="asset-detail">
          <dt>Market</dt>
          <dd>
            {a.market} · {a.location}
          </dd>
          <dt>Bid range</dt>
          <dd>
            {formatMw(a.bid_limits.min_mw)} to {formatMw(a.bid_limits.max_mw)}
          </dd>
          {fields.map((f) => (
            <div key={f.key} style={{ display: 'contents' }}>
              <dt>{f.label}</dt>
              <dd className={f.kind === 'profile' ? 'mono' : undefined} style={f.kind === 'profile' ? { fontSize: '0.8rem' } : undefined}>
                {paramText(params[f.key])}
              </dd>
            </div>
          ))}
          <dt>Updated</dt>
          <dd>{formatDateTime(a.updated_at, tz)}</dd>
        </dl>
      </Card>
      <Card title="Bids of this asset">
        {bids.isPending ? (
          <Loading />
        ) : (
          <Table
            columns={[
              { key: 'd', header: 'Delivery', render: (b) => <Link href={`/bidding?bid=${b.id}`}>{b.delivery_date}</Link> },
              { key: 'r', header: 'Run', render: (b) => b.run },
              { key: 's', header: 'Status', render: (b) => <Badge tone={bidStatusTone(b.status)}>{b.status}</Badge> },
              { key: 'v', header: 'Version', numeric: true, render: (b) => b.version },
            ]}
            rows={bids.data?.items ?? []}
            rowKey={(b) => b.id}
            empty={<EmptyState title="No bids yet" />}
          />
        )}
      </Card>
    </div>
  );
}

function AssetsContent() {
  const user = useUser();
  const canWrite = hasPermission(user, 'assets:write');
  const search = useSearchParams();
  const router = useRouter();
  const id = search.get('id');
  const creating = search.get('new') === '1';
  const assets = useAssets();

  return (
    <>
      <div className="page-header">
        <h1>Assets</h1>
        <div className="spacer" />
        {canWrite && !creating ? <Button onClick={() => router.push('/assets?new=1')}>New asset</Button> : null}
      </div>
      {creating && canWrite ? (
        <AssetForm onDone={(a) => router.push(`/assets?id=${a.id}`)} onCancel={() => router.push('/assets')} />
      ) : id ? (
        <AssetDetail id={id} canWrite={canWrite} />
      ) : (
        <Card>
          <ErrorMessage error={assets.error} />
          {assets.isPending ? (
            <Loading label="Loading assets…" />
          ) : (
            <Table<AssetView>
              columns={[
                { key: 'name', header: 'Name', render: (a) => <Link href={`/assets?id=${a.id}`}>{a.name}</Link> },
                { key: 'type', header: 'Type', render: (a) => ASSET_TYPE_LABELS[a.type as AssetType] ?? a.type },
                { key: 'market', header: 'Market', render: (a) => a.market },
                { key: 'loc', header: 'Location', render: (a) => a.location },
                { key: 'min', header: 'Min bid', numeric: true, render: (a) => formatMw(a.bid_limits.min_mw) },
                { key: 'max', header: 'Max bid', numeric: true, render: (a) => formatMw(a.bid_limits.max_mw) },
                { key: 'active', header: 'Status', render: (a) => (a.active ? <Badge tone="success">active</Badge> : <Badge tone="warning">inactive</Badge>) },
              ]}
              rows={assets.data?.items ?? []}
              rowKey={(a) => a.id}
              empty={
                <EmptyState
                  title="No assets yet"
                  action={canWrite ? <Button onClick={() => router.push('/assets?new=1')}>Create the first asset</Button> : undefined}
                >
                  {canWrite ? 'An asset is what you bid with: a battery, a plant, a load.' : 'Your role can view assets but not create them.'}
                </EmptyState>
              }
            />
          )}
        </Card>
      )}
    </>
  );
}

export default function AssetsPage() {
  return (
    <Suspense fallback={<Loading />}>
      <AssetsContent />
    </Suspense>
  );
}
