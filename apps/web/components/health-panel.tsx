'use client';
import { useEffect, useState } from 'react';
import type { HealthBody, ServiceHealth } from '@optibid/contracts';
import { Badge, Card, ErrorMessage, Loading, ProgressBar, Table, statusTone, type Column } from '@/components/ui';
import { formatDateTime, formatDuration, formatLatencyMs, formatPercent } from '@/lib/format';
import { useDisplayTimeZone } from '@/lib/preferences';
import { HEALTH_POLL_MS, useHealth } from '@/lib/queries';

interface ServiceRow {
  name: string;
  health: ServiceHealth;
}

const SERVICE_LABELS: Record<string, string> = {
  database: 'Database',
  cache: 'Cache',
  bus: 'Message bus',
  websocket: 'WebSocket',
};

function serviceLabel(name: string): string {
  return SERVICE_LABELS[name] ?? name.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
}

const columns: Column<ServiceRow>[] = [
  { key: 'name', header: 'Service', render: (r) => <strong>{serviceLabel(r.name)}</strong> },
  {
    key: 'status',
    header: 'Status',
    render: (r) => (
      <span data-testid={`service-status-${r.name}`}>
        <Badge tone={statusTone(r.health.status)} dot>
          {r.health.status}
        </Badge>
      </span>
    ),
  },
  { key: 'backend', header: 'Backend', render: (r) => <span className="mono">{r.health.backend ?? '—'}</span> },
  { key: 'latency', header: 'Latency', numeric: true, render: (r) => formatLatencyMs(r.health.latency_ms) },
];
const detailColumn: Column<ServiceRow> = { key: 'message', header: 'Detail', render: (r) => <span className="muted">{r.health.message ?? ''}</span> };

/** Seconds since `iso`, re-rendered every second. */
function useAge(iso: string | undefined): number | null {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  if (!iso) return null;
  return Math.max(0, Math.round((now - new Date(iso).getTime()) / 1000));
}

function availabilityTone(pct: number): 'success' | 'warning' | 'danger' {
  return pct >= 99.99 ? 'success' : pct >= 50 ? 'warning' : 'danger';
}

export function HealthSummary({ health }: { health: HealthBody }) {
  const tz = useDisplayTimeZone();
  const age = useAge(health.checked_at);
  const pct = health.summary.availability_percentage;
  const rows = Object.entries(health.services).map(([name, h]) => ({ name, health: h }));
  // The detail column only appears when a probe explained something (usually a failure).
  const cols = rows.some((r) => r.health.message) ? [...columns, detailColumn] : columns;
  return (
    <div className="stack" style={{ gap: '0.75rem' }}>
      <div className="row" style={{ gap: '2rem', alignItems: 'flex-start' }}>
        <div className="stat">
          <span className="stat__value" data-testid="overall-status">
            <Badge tone={statusTone(health.status)} dot>
              {health.status.toUpperCase()}
            </Badge>
          </span>
          <span className="stat__label">Overall</span>
        </div>
        <div className="stat">
          <span className="stat__value" data-testid="availability">
            {formatPercent(pct)}
          </span>
          <span className="stat__label">
            Availability ({health.summary.available_services} of {health.summary.total_services} services)
          </span>
        </div>
        <div className="stat">
          <span className="stat__value">{formatDuration(health.uptime_s)}</span>
          <span className="stat__label">Uptime · v{health.version}</span>
        </div>
      </div>
      <ProgressBar value={pct} label="Service availability" tone={availabilityTone(pct)} />
      <Table<ServiceRow>
        columns={cols}
        rows={rows}
        rowKey={(r) => r.name}
      />
      <div className="muted" style={{ fontSize: '0.85rem' }} data-testid="last-check">
        Last check: {formatDateTime(health.checked_at, tz)}
        {age !== null ? ` (${age} s ago)` : ''} · refreshes every {HEALTH_POLL_MS / 1000} s
      </div>
    </div>
  );
}

/** Live health card: polls /health every 10 s and keeps the last report visible if a poll fails. */
export function HealthPanel({ title = 'System health' }: { title?: string }) {
  const health = useHealth();
  return (
    <Card title={title} actions={health.isFetching ? <span className="muted" style={{ fontSize: '0.8rem' }}>checking…</span> : null}>
      {health.error ? (
        <ErrorMessage
          title={health.data ? 'The latest check failed; showing the previous report.' : 'Health check failed'}
          error={health.error}
        />
      ) : null}
      {health.data ? <HealthSummary health={health.data} /> : health.isPending ? <Loading label="Checking services…" /> : null}
    </Card>
  );
}
