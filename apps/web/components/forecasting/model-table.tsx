'use client';
import type { ForecastModelVersionView, ForecastModelView } from '@optibid/contracts';
import { Badge, Table, type Tone } from '@/components/ui';
import { formatPercent, formatUsdPerMwh } from '@/lib/format';

type Metrics = NonNullable<ForecastModelVersionView['metrics']>;

export function stageTone(stage: string): Tone {
  return stage === 'production' ? 'success' : stage === 'staging' ? 'info' : stage === 'archived' ? 'neutral' : 'neutral';
}

export function versionStatusTone(status: string): Tone {
  return status === 'ready' ? 'success' : status === 'failed' ? 'danger' : 'info';
}

/** rMAE is a ratio to the weekly naive's MAE: below 1 beats it. */
export function formatRmae(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(3);
}

/** The metric columns shared by the model and version tables. */
export function metricColumns<T>(metricsOf: (row: T) => Metrics | null | undefined) {
  return [
    { key: 'mae', header: 'MAE', numeric: true, render: (r: T) => formatUsdPerMwh(metricsOf(r)?.mae) },
    { key: 'rmse', header: 'RMSE', numeric: true, render: (r: T) => formatUsdPerMwh(metricsOf(r)?.rmse) },
    { key: 'smape', header: 'sMAPE', numeric: true, render: (r: T) => formatPercent(metricsOf(r)?.smape, 2) },
    { key: 'rmae', header: <abbr title="MAE relative to the weekly naive forecast (below 1 beats it)">rMAE</abbr>, numeric: true, render: (r: T) => formatRmae(metricsOf(r)?.rmae) },
  ];
}

/** A link from the model's row to the reason under the table (a sentence would widen the table past the page). */
function WhyLink({ model }: { model: ForecastModelView }) {
  return model.not_trained_reason ? (
    <>
      {' · '}
      <a href={`#not-trained-${model.id}`}>why</a>
    </>
  ) : null;
}

/**
 * Registered models, one row each; the metrics are those of the production
 * version, else of the latest version. Clicking a name selects the model. Under the
 * table, why each model without a production version cannot be trained, when the
 * server says (the days of history stored against those needed).
 */
export function ModelTable({ models, selected, onSelect }: { models: ForecastModelView[]; selected: string | null; onSelect: (id: string) => void }) {
  const shown = (m: ForecastModelView) => m.production_version ?? m.latest_version;
  const untrained = models.filter((m) => !m.production_version && m.not_trained_reason);
  return (
    <>
      <Table
        columns={[
          {
            key: 'name',
            header: 'Model',
            render: (m) => (
              <button type="button" className={`ui-button ui-button--${m.id === selected ? 'secondary' : 'ghost'} ui-button--sm`} aria-pressed={m.id === selected} onClick={() => onSelect(m.id)}>
                {m.name}
              </button>
            ),
          },
          { key: 'loc', header: 'Market · location', render: (m) => `${m.market} · ${m.location}` },
          { key: 'type', header: 'Type', render: (m) => <span className="mono">{m.model_type}</span> },
          { key: 'n', header: 'Versions', numeric: true, render: (m) => m.version_count },
          {
            key: 'prod',
            header: 'Production',
            render: (m) =>
              m.production_version ? (
                <Badge tone="success">v{m.production_version.version}</Badge>
              ) : m.latest_version ? (
                <span className="muted">
                  none · latest v{m.latest_version.version} <Badge tone={versionStatusTone(m.latest_version.status)}>{m.latest_version.status}</Badge>
                  <WhyLink model={m} />
                </span>
              ) : (
                <span className="muted">
                  not trained
                  <WhyLink model={m} />
                </span>
              ),
          },
          ...metricColumns<ForecastModelView>((m) => shown(m)?.metrics),
        ]}
        rows={models}
        rowKey={(m) => m.id}
      />
      {untrained.map((m) => (
        <p key={m.id} id={`not-trained-${m.id}`} className="muted" style={{ fontSize: '0.85rem', margin: '0.5rem 0 0' }} data-testid="not-trained-reason">
          <strong>{m.name}</strong> not trained: {m.not_trained_reason}
        </p>
      ))}
    </>
  );
}
