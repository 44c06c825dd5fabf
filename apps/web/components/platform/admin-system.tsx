'use client';
import type { ServiceHealth } from '@optibid/contracts';
import { Badge, Card, ErrorMessage, Loading, Table, statusTone } from '@/components/ui';
import { formatDuration, formatLatencyMs } from '@/lib/format';
import { formatBytes, useAdminSystem, type AdminSystemBody } from '@/lib/platform-queries';
import { When } from './common';

type ErrorRow = AdminSystemBody['recent_errors'][number];

function extras(h: ServiceHealth): string {
  return Object.entries(h)
    .filter(([k]) => !['status', 'backend', 'latency_ms', 'message'].includes(k))
    .map(([k, v]) => `${k.replace(/_/g, ' ')}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(' · ');
}

/** Each service's health and latency, version, uptime, configuration without secrets, recent errors. */
export function AdminSystem() {
  const sys = useAdminSystem();
  if (sys.isPending) return <Loading />;
  const d = sys.data;
  if (!d) return <ErrorMessage error={sys.error} />;
  const services = Object.entries(d.services).map(([name, h]) => ({ name, h: h as ServiceHealth }));
  return (
    <div className="stack">
      <ErrorMessage error={sys.error} title="The latest refresh failed; showing the previous report." />
      <Card title="Server">
        <div className="row" style={{ gap: '2rem' }}>
          <div className="stat">
            <span className="stat__value" data-testid="system-status">
              <Badge tone={statusTone(d.status)} dot>
                {d.status.toUpperCase()}
              </Badge>
            </span>
            <span className="stat__label">Overall</span>
          </div>
          <div className="stat">
            <span className="stat__value" data-testid="system-version">v{d.version}</span>
            <span className="stat__label">Version</span>
          </div>
          <div className="stat">
            <span className="stat__value">{formatDuration(d.uptime_s)}</span>
            <span className="stat__label">Uptime</span>
          </div>
          <div className="stat">
            <span className="stat__value">{d.node_version}</span>
            <span className="stat__label">Node.js</span>
          </div>
          <div className="stat">
            <span className="stat__value">{formatBytes(d.memory_rss_bytes)}</span>
            <span className="stat__label">Memory (RSS)</span>
          </div>
        </div>
      </Card>
      <Card title="Services">
        <Table
          columns={[
            { key: 'name', header: 'Service', render: (r) => <strong>{r.name.replace(/_/g, ' ')}</strong> },
            { key: 'status', header: 'Status', render: (r) => <span data-testid={`admin-service-${r.name}`}><Badge tone={statusTone(r.h.status)} dot>{r.h.status}</Badge></span> },
            { key: 'backend', header: 'Backend', render: (r) => <span className="mono">{r.h.backend ?? '—'}</span> },
            { key: 'latency', header: 'Latency', numeric: true, render: (r) => formatLatencyMs(r.h.latency_ms) },
            { key: 'detail', header: 'Detail', render: (r) => <span className="muted" style={{ fontSize: '0.85rem' }}>{[r.h.message, extras(r.h)].filter(Boolean).join(' · ')}</span> },
          ]}
          rows={services}
          rowKey={(r) => r.name}
        />
      </Card>
      <div className="grid" style={{ gridTemplateColumns: 'repeat(auto-fit, minmax(420px, 1fr))' }}>
        <Card title="Configuration (no secrets)">
          <dl className="ui-dl" data-testid="system-config">
            {Object.entries(d.config).map(([k, v]) => (
              <div key={k} style={{ display: 'contents' }}>
                <dt>{k.replace(/_/g, ' ')}</dt>
                <dd className="mono" style={{ wordBreak: 'break-all' }}>
                  {Array.isArray(v) ? v.join(', ') || '—' : v === null || v === undefined ? '—' : String(v)}
                </dd>
              </div>
            ))}
          </dl>
        </Card>
        <Card title="Recent errors" actions={<span className="muted">{d.recent_errors.length}</span>}>
          <Table<ErrorRow>
            columns={[
              { key: 'at', header: 'When', render: (e) => <When at={e.at} seconds /> },
              { key: 'status', header: 'Status', render: (e) => <Badge tone={e.status >= 500 ? 'danger' : 'warning'}>{e.status}</Badge> },
              { key: 'req', header: 'Request', render: (e) => <code style={{ fontSize: '0.8rem' }}>{[e.method, e.url].filter(Boolean).join(' ')}</code> },
              { key: 'msg', header: 'Message', render: (e) => <span style={{ fontSize: '0.85rem' }}>{e.message}</span> },
            ]}
            rows={d.recent_errors}
            rowKey={(e) => `${e.at}-${e.request_id ?? e.message}`}
            empty={<p className="muted" style={{ margin: 0 }}>No server errors since the server started.</p>}
          />
        </Card>
      </div>
    </div>
  );
}
