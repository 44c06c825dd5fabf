'use client';
import { useEffect, useMemo, useState } from 'react';
import { Button, Card, EmptyState, ErrorMessage, Loading } from '@/components/ui';
import { ForecastChart } from '@/components/forecasting/forecast-chart';
import { ModelTable } from '@/components/forecasting/model-table';
import { RegisterModelForm } from '@/components/forecasting/register-model-form';
import { VersionsPanel } from '@/components/forecasting/versions-panel';
import { useForecastModels, useModelVersions } from '@/lib/forecast-queries';
import { hasPermission, useUser } from '@/lib/session';

export default function ForecastsPage() {
  const user = useUser();
  const canManage = hasPermission(user, 'forecast:manage');
  const models = useForecastModels();
  const [selected, setSelected] = useState<string | null>(null);
  const [registering, setRegistering] = useState(false);
  const items = useMemo(() => models.data?.items ?? [], [models.data]);
  const model = items.find((m) => m.id === selected) ?? null;
  const versions = useModelVersions(model?.id ?? null);

  // Start on the first model (with a production version if any).
  useEffect(() => {
    if (selected || !items.length) return;
    setSelected((items.find((m) => m.production_version) ?? items[0]!).id);
  }, [items, selected]);

  return (
    <>
      <div className="page-header">
        <h1>Forecasts</h1>
        <span className="muted">Day-ahead price models per location; metrics in $/MWh from a walk-forward evaluation on stored prices.</span>
      </div>
      <div className="stack">
        {registering && models.data ? (
          <RegisterModelForm
            modelTypes={models.data.model_types}
            onCancel={() => setRegistering(false)}
            onDone={(m) => {
              setRegistering(false);
              setSelected(m.id);
            }}
          />
        ) : null}
        <Card
          title="Models"
          actions={
            canManage && !registering ? (
              <Button size="sm" onClick={() => setRegistering(true)}>
                Register model
              </Button>
            ) : null
          }
        >
          {models.error ? (
            <ErrorMessage error={models.error} />
          ) : models.isPending ? (
            <Loading label="Loading models…" />
          ) : items.length === 0 ? (
            <EmptyState title="No models registered">
              {canManage ? 'Register a model for a location with stored prices, then train a version.' : 'An analyst or admin registers and trains models; the daily job also registers one for each location with assets.'}
            </EmptyState>
          ) : (
            <ModelTable models={items} selected={selected} onSelect={setSelected} />
          )}
          {!canManage ? (
            <p className="muted" style={{ fontSize: '0.85rem', margin: '0.5rem 0 0' }} data-testid="forecast-readonly">
              Your role ({user.role}) can read forecasts; registering, training and promoting need an analyst or admin.
            </p>
          ) : null}
        </Card>
        {model ? (
          <>
            <Card title={`Versions of ${model.name}`}>
              <VersionsPanel model={model} canManage={canManage} />
            </Card>
            <Card title={`Forecast vs actual · ${model.market} ${model.location}`}>
              {versions.error ? <ErrorMessage error={versions.error} /> : versions.isPending ? <Loading /> : <ForecastChart key={model.id} model={model} versions={versions.data} />}
            </Card>
          </>
        ) : null}
      </div>
    </>
  );
}
