'use client';
import { useEffect, useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { ForecastModelVersionView, ForecastModelView, ForecastRunView } from '@optibid/contracts';
import { Badge, Button, EmptyState, ErrorMessage, Loading, ProgressBar, Table } from '@/components/ui';
import { api } from '@/lib/api';
import { exogenousLabel, inputsLabel } from '@/lib/exogenous';
import { formatDateTime, formatUsdPerMwh } from '@/lib/format';
import { useModelVersions, useRun } from '@/lib/forecast-queries';
import { useDisplayTimeZone } from '@/lib/preferences';
import { metricColumns, stageTone, versionStatusTone } from './model-table';

/** A training run's progress: days of the walk-forward evaluation done, then its outcome. */
export function RunProgress({ runId }: { runId: string }) {
  const run = useRun(runId);
  if (run.error) return <ErrorMessage error={run.error} />;
  if (run.isPending) return <Loading label="Loading the training run…" />;
  const r = run.data;
  const { done, total, date } = r.progress;
  const seconds = typeof r.metrics?.seconds === 'number' ? r.metrics.seconds : null;
  const text =
    r.status === 'running'
      ? total
        ? `Training: ${done} of ${total} days forecast${date ? ` (at ${date})` : ''}`
        : 'Training: loading history…'
      : r.status === 'finished'
        ? `Finished: ${done} of ${total} days forecast (warm-up and evaluation)${seconds !== null ? ` in ${seconds.toFixed(1)} s` : ''}`
        : 'Training failed';
  return (
    <div className="stack" style={{ gap: '0.35rem' }} data-testid="training-progress" data-status={r.status}>
      <div className="row" style={{ fontSize: '0.9rem' }}>
        <span>{text}</span>
        <span className="spacer" />
        <span className="muted mono" style={{ fontSize: '0.8rem' }}>
          run {r.id.slice(0, 8)}
        </span>
      </div>
      <ProgressBar
        label="Training progress"
        value={r.status === 'running' ? (total ? done : undefined) : total || 1}
        max={total || 1}
        tone={r.status === 'finished' ? 'success' : r.status === 'failed' ? 'danger' : undefined}
      />
      {r.status !== 'running' || r.exogenous.length || r.exogenous_note ? (
        <span className="muted" style={{ fontSize: '0.85rem' }} data-testid="training-inputs">
          Evaluated {exogenousLabel(r.exogenous)}
          {r.price_scope === 'own' ? " on your organisation's imported prices" : ''}
          {r.exogenous_note ? ` (${r.exogenous_note})` : ''}
          {withoutMae(r.metrics) !== null ? `; MAE without it ${formatUsdPerMwh(withoutMae(r.metrics))}` : ''}
        </span>
      ) : null}
      {r.error ? <ErrorMessage error={r.error} /> : null}
    </div>
  );
}

/** The prices-only MAE of a run trained with `compare_without_exogenous`. */
function withoutMae(metrics: Record<string, unknown> | null): number | null {
  const w = metrics?.without_exogenous as { mae?: unknown } | undefined;
  return typeof w?.mae === 'number' ? w.mae : null;
}

/**
 * One model's versions with their metrics and stages; analysts and admins train a
 * new version and move versions between stages (production archives the previous
 * production version on the server). Others see the table only.
 */
export function VersionsPanel({ model, canManage }: { model: ForecastModelView; canManage: boolean }) {
  const queryClient = useQueryClient();
  const tz = useDisplayTimeZone();
  const versions = useModelVersions(model.id);
  const [runId, setRunId] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  const refresh = () => Promise.all([queryClient.invalidateQueries({ queryKey: ['forecast-models'] }), queryClient.invalidateQueries({ queryKey: ['forecasts'] })]);

  async function train() {
    setBusy('train');
    setError(null);
    try {
      const r = await api.post<{ version: ForecastModelVersionView; run: ForecastRunView }>(`/api/models/${model.id}/versions`, {});
      // Show the run as the server started it (running, 0 days) before the first poll.
      queryClient.setQueryData(['forecast-runs', r.run.id], r.run);
      setRunId(r.run.id);
      queryClient.setQueryData(['forecast-models', model.id, 'versions'], (old: ForecastModelVersionView[] | undefined) => [r.version, ...(old ?? [])]);
      await refresh();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  }

  async function stage(v: ForecastModelVersionView, to: 'production' | 'staging' | 'archived') {
    setBusy(`${v.version}:${to}`);
    setError(null);
    try {
      await api.post(`/api/models/${model.id}/versions/${v.version}/stage`, { stage: to });
      await refresh();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  }

  const list = versions.data ?? [];
  // The run to follow: the one just started here, else the newest version's.
  const followRun = runId ?? list[0]?.run_id ?? null;
  const training = list.some((v) => v.status === 'training');
  // Keep the model list's metrics in step once a training ends.
  useOnEnd(training, refresh);

  return (
    <div className="stack" style={{ gap: '0.75rem' }} data-testid="versions-panel">
      <div className="row">
        <span className="muted" style={{ fontSize: '0.9rem' }}>
          {model.market} · {model.location} · <span className="mono">{model.model_type}</span>
          {model.managed_by_job ? ' · managed by the daily forecast job' : ''}
        </span>
        <span className="spacer" />
        {canManage ? (
          <Button size="sm" onClick={train} loading={busy === 'train'} disabled={training}>
            Train new version
          </Button>
        ) : null}
      </div>
      <ErrorMessage error={error} />
      {followRun ? <RunProgress runId={followRun} /> : null}
      {versions.error ? <ErrorMessage error={versions.error} /> : null}
      {versions.isPending ? (
        <Loading label="Loading versions…" />
      ) : (
        <Table
          caption="Versions (metrics from the walk-forward evaluation on stored history)"
          columns={[
            { key: 'v', header: 'Version', render: (v) => <strong>v{v.version}</strong> },
            { key: 'status', header: 'Status', render: (v) => <Badge tone={versionStatusTone(v.status)}>{v.status}</Badge> },
            { key: 'stage', header: 'Stage', render: (v) => <Badge tone={stageTone(v.stage)}>{v.stage}</Badge> },
            ...metricColumns<ForecastModelVersionView>((v) => v.metrics),
            { key: 'days', header: 'Eval. days', numeric: true, render: (v) => v.metrics?.days ?? '—' },
            { key: 'inputs', header: 'Inputs', render: (v) => <span data-testid="version-inputs">{inputsLabel(v.exogenous)}</span> },
            { key: 'through', header: 'Trained through', render: (v) => v.trained_through ?? '—' },
            { key: 'at', header: 'Created', render: (v) => formatDateTime(v.created_at, tz, { seconds: false }) },
            ...(canManage
              ? [
                  {
                    key: 'actions',
                    header: 'Actions',
                    render: (v: ForecastModelVersionView) => (
                      <div className="row" style={{ gap: '0.35rem' }}>
                        {v.stage !== 'production' ? (
                          <Button size="sm" variant="secondary" disabled={v.status !== 'ready'} loading={busy === `${v.version}:production`} onClick={() => stage(v, 'production')} aria-label={`Promote v${v.version} to production`}>
                            Promote
                          </Button>
                        ) : null}
                        {v.stage !== 'archived' && v.status !== 'training' ? (
                          <Button size="sm" variant="ghost" loading={busy === `${v.version}:archived`} onClick={() => stage(v, 'archived')} aria-label={`Archive v${v.version}`}>
                            Archive
                          </Button>
                        ) : null}
                      </div>
                    ),
                  },
                ]
              : []),
          ]}
          rows={list}
          rowKey={(v) => v.id}
          empty={<EmptyState title="No versions yet">{canManage ? 'Train a version: it is evaluated walk-forward on the stored prices.' : 'An analyst or admin trains versions.'}</EmptyState>}
        />
      )}
    </div>
  );
}

/** Calls `onEnd` when `active` goes from true to false. */
function useOnEnd(active: boolean, onEnd: () => unknown): void {
  const prev = useRef(active);
  useEffect(() => {
    if (prev.current && !active) void onEnd();
    prev.current = active;
  }, [active, onEnd]);
}
