'use client';
import { useEffect, useMemo, useState } from 'react';
import { Badge, Card, ErrorMessage, Loading, Table, statusTone } from '@/components/ui';
import { EChart, type ChartOption } from '@/components/charts/echart';
import { formatDateTime } from '@/lib/format';
import { useDisplayTimeZone } from '@/lib/preferences';
import { formatBytes, useAdminOverview, type AdminOverviewBody } from '@/lib/platform-queries';
import { When } from './common';

interface Sample {
  at: string;
  ws: number | null;
  mps: number | null;
}

function Stat({ label, value, testId }: { label: string; value: React.ReactNode; testId?: string }) {
  return (
    <div className="stat" style={{ minWidth: 150 }}>
      <span className="stat__value" data-testid={testId}>
        {value}
      </span>
      <span className="stat__label">{label}</span>
    </div>
  );
}

const fmtInt = (n: number | null | undefined) => (n === null || n === undefined ? '—' : n.toLocaleString('en-US'));

/** Platform counts, live load (sampled while this tab is open, every 10 s) and background jobs. */
export function AdminOverview() {
  const overview = useAdminOverview();
  const tz = useDisplayTimeZone();
  const [samples, setSamples] = useState<Sample[]>([]);
  const d = overview.data;
  useEffect(() => {
    if (!d) return;
    setSamples((s) => (s.at(-1)?.at === d.generated_at ? s : [...s, { at: d.generated_at, ws: d.websocket_connections, mps: d.messages_per_second }].slice(-90)));
  }, [d]);

  const option = useMemo<ChartOption>(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { bottom: 0 },
      grid: { left: 48, right: 56, top: 32, bottom: 56 },
      xAxis: { type: 'category', data: samples.map((s) => formatDateTime(s.at, tz).slice(11, 19)) },
      yAxis: [
        { type: 'value', name: 'msg/s', minInterval: 1 },
        { type: 'value', name: 'sockets', minInterval: 1 },
      ],
      series: [
        { name: 'Bus messages per second', type: 'line', data: samples.map((s) => s.mps), showSymbol: samples.length < 20 },
        { name: 'WebSocket connections', type: 'line', yAxisIndex: 1, step: 'end', data: samples.map((s) => s.ws), showSymbol: samples.length < 20 },
      ],
    }),
    [samples, tz],
  );

  if (overview.isPending) return <Loading />;
  if (!d) return <ErrorMessage error={overview.error} />;
  return (
    <div className="stack">
      <ErrorMessage error={overview.error} title="The latest refresh failed; showing the previous figures." />
      <Card title="Platform" actions={<span className="muted" style={{ fontSize: '0.85rem' }}>as of <When at={d.generated_at} seconds /> · refreshes every 10 s</span>}>
        <div className="row" style={{ gap: '1.5rem', alignItems: 'flex-start' }} data-testid="admin-overview-stats">
          <Stat label="Organisations" value={fmtInt(d.organizations)} testId="stat-organizations" />
          <Stat label={`Users (${fmtInt(d.active_users)} active)`} value={fmtInt(d.users)} testId="stat-users" />
          <Stat label="Active bids" value={fmtInt(d.active_bids)} testId="stat-active-bids" />
          <Stat label="WebSocket connections" value={fmtInt(d.websocket_connections)} testId="stat-ws" />
          <Stat label="Bus messages per second" value={d.messages_per_second === null ? '—' : d.messages_per_second.toFixed(2)} testId="stat-mps" />
          <Stat label={`Database (${d.database_backend})`} value={formatBytes(d.database_size_bytes)} testId="stat-db-size" />
          <Stat label="API requests today" value={fmtInt(d.api_requests_today)} />
          <Stat label="Notifications today" value={fmtInt(d.notifications_today)} />
        </div>
      </Card>
      <div className="grid" style={{ gridTemplateColumns: 'repeat(auto-fit, minmax(420px, 1fr))' }}>
        <Card title="Live load">
          {samples.length < 2 ? (
            <p className="muted" style={{ margin: 0 }}>
              Sampling every 10 s while this tab is open; the chart appears after the second sample.
            </p>
          ) : null}
          <EChart option={option} height={240} label="Bus messages per second and WebSocket connections, sampled every 10 seconds" testId="admin-load-chart" />
        </Card>
        <JobsCard jobs={d.jobs} />
      </div>
    </div>
  );
}

function jobDetail(detail: unknown): string {
  if (detail === undefined || detail === null) return '';
  if (typeof detail !== 'object') return String(detail);
  return Object.entries(detail as Record<string, unknown>)
    .filter(([k]) => k !== 'status')
    .map(([k, v]) => `${k.replace(/_/g, ' ')}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(' · ');
}

function JobsCard({ jobs }: { jobs: AdminOverviewBody['jobs'] }) {
  return (
    <Card title="Jobs">
      <Table
        columns={[
          { key: 'name', header: 'Job', render: (j) => <strong>{j.name.replace(/_/g, ' ')}</strong> },
          { key: 'status', header: 'Status', render: (j) => <Badge tone={statusTone(j.status)} dot>{j.status}</Badge> },
          { key: 'detail', header: 'Detail', render: (j) => <span className="muted" style={{ fontSize: '0.85rem', wordBreak: 'break-word' }}>{jobDetail(j.detail)}</span> },
        ]}
        rows={jobs}
        rowKey={(j) => j.name}
        empty={<p className="muted">No background jobs reported.</p>}
      />
    </Card>
  );
}
