'use client';
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { ForecastModelView, ModelTypeInfo } from '@optibid/contracts';
import { Button, Card, ErrorMessage, Field, Input, Select } from '@/components/ui';
import { api, fieldErrors } from '@/lib/api';
import { locationOptions, useLocations, useMarkets } from '@/lib/market-queries';

/** `lear:<days>`, `gbm:<days>` and `ridge:<days>` are families: offer windows the stored history can usually support. */
const FAMILY_WINDOWS: Record<string, { windows: number[]; what: string }> = {
  'lear:<days>': { windows: [14, 28, 56, 84], what: 'LEAR with a %d-day calibration window' },
  'gbm:<days>': { windows: [56, 84, 364], what: 'Gradient-boosted trees on %d days' },
  'ridge:<days>': { windows: [56, 84, 364], what: 'Ridge regression on %d days' },
};

export function modelTypeOptions(types: ModelTypeInfo[]): { value: string; label: string; description: string }[] {
  return types.flatMap((t) => {
    const family = FAMILY_WINDOWS[t.spec];
    if (!family) return [{ value: t.spec, label: t.spec, description: t.description }];
    const prefix = t.spec.slice(0, t.spec.indexOf(':'));
    return family.windows.map((d) => ({ value: `${prefix}:${d}`, label: `${prefix}:${d}`, description: `${family.what.replace('%d', String(d))} (${t.description})` }));
  });
}

/**
 * Registers a forecast model for a market location. The API's refusals (an
 * unknown location, a name in use, a model behind a feature flag) are shown as
 * it words them, under the field they concern where it names one.
 */
export function RegisterModelForm({ modelTypes, onDone, onCancel }: { modelTypes: ModelTypeInfo[]; onDone: (m: ForecastModelView) => void; onCancel: () => void }) {
  const queryClient = useQueryClient();
  const markets = useMarkets();
  const [market, setMarket] = useState('');
  const [location, setLocation] = useState('');
  const [name, setName] = useState('');
  const [modelType, setModelType] = useState('naive');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const locations = useLocations(market || undefined);
  const types = useMemo(() => modelTypeOptions(modelTypes), [modelTypes]);

  useEffect(() => {
    if (!market && markets.data?.length) setMarket(markets.data[0]!.iso);
  }, [market, markets.data]);
  // Locations with stored prices first: a model trains on them.
  const locOptions = useMemo(() => locationOptions(locations.data), [locations.data]);
  useEffect(() => {
    if (locOptions.length && !locOptions.some((o) => o.value === location)) setLocation(locOptions[0]!.value);
  }, [locOptions, location]);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!name.trim()) local.name = 'Enter a name.';
    if (!location) local.location = 'Pick a location.';
    setErrors(local);
    setError(null);
    if (Object.keys(local).length) return;
    setBusy(true);
    try {
      const m = await api.post<ForecastModelView>('/api/models', { name: name.trim(), market, location, model_type: modelType });
      await queryClient.invalidateQueries({ queryKey: ['forecast-models'] });
      onDone(m);
    } catch (err) {
      setErrors(fieldErrors(err));
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const desc = types.find((t) => t.value === modelType)?.description;
  return (
    <Card title="Register a model">
      <form onSubmit={onSubmit} noValidate className="stack" style={{ gap: '0.25rem' }} data-testid="register-model-form">
        <div className="form-grid">
          <Field label="Model name" error={errors.name}>
            {(p) => <Input {...p} value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" placeholder="e.g. NYC day-ahead LEAR" />}
          </Field>
          <Field label="Market" error={errors.market}>
            {(p) => <Select {...p} value={market} onChange={(e) => setMarket(e.target.value)} options={(markets.data ?? []).map((m) => ({ value: m.iso, label: `${m.iso} · ${m.name}` }))} />}
          </Field>
          <Field label="Location" error={errors.location}>
            {(p) => <Select {...p} value={location} onChange={(e) => setLocation(e.target.value)} options={locOptions.length ? locOptions : [{ value: '', label: 'Loading…' }]} />}
          </Field>
          <Field label="Model type" error={errors.model_type} hint={desc}>
            {(p) => <Select {...p} value={modelType} onChange={(e) => setModelType(e.target.value)} options={types.map((t) => ({ value: t.value, label: t.label }))} />}
          </Field>
        </div>
        <ErrorMessage error={error} />
        <div className="row" style={{ marginTop: '0.5rem' }}>
          <Button type="submit" loading={busy}>
            Register model
          </Button>
          <Button variant="ghost" onClick={onCancel}>
            Cancel
          </Button>
        </div>
      </form>
    </Card>
  );
}
