'use client';
import { useMemo, useState, type FormEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { AssetView } from '@optibid/contracts';
import { Button, Card, ErrorMessage, Field, Input, Select } from '@/components/ui';
import { api, ApiError, fieldErrors } from '@/lib/api';
import { useLocations, useMarkets } from '@/lib/market-queries';
import { ASSET_TYPES, ASSET_TYPE_LABELS, type AssetType } from '@/lib/trading-queries';
import { defaultValues, inputKeyOf, paramsFromValues, PARAM_FIELDS, valuesFromParams } from './asset-fields';

/** Create (no `asset`) or edit an asset; the API's 422 details appear under the inputs they concern. */
export function AssetForm({ asset, onDone, onCancel }: { asset?: AssetView; onDone: (a: AssetView) => void; onCancel: () => void }) {
  const queryClient = useQueryClient();
  const markets = useMarkets();
  const [type, setType] = useState<AssetType>((asset?.type as AssetType) ?? 'battery');
  const [name, setName] = useState(asset?.name ?? '');
  const [market, setMarket] = useState(asset?.market ?? 'ERCOT');
  const [location, setLocation] = useState(asset?.location ?? '');
  const [values, setValues] = useState<Record<string, string>>(() => (asset ? valuesFromParams(asset.type as AssetType, asset.params) : defaultValues('battery')));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const locations = useLocations(market);
  const m = markets.data?.find((x) => x.iso === market);
  const locOptions = useMemo(() => (locations.data ?? []).map((l) => ({ value: l.id, label: `${l.id} · ${l.name}` })), [locations.data]);
  const loc = location || m?.default_location || '';

  function changeType(t: AssetType) {
    setType(t);
    setValues(defaultValues(t));
    setErrors({});
  }

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!name.trim()) local.name = 'Enter a name.';
    const { params, errors: pe } = paramsFromValues(type, values);
    Object.assign(local, pe);
    setErrors(local);
    setError(null);
    if (Object.keys(local).length) return;
    setBusy(true);
    try {
      const saved = asset
        ? await api.patch<AssetView>(`/api/assets/${asset.id}`, { name: name.trim(), location: loc, params })
        : await api.post<AssetView>('/api/assets', { name: name.trim(), type, market, location: loc, params });
      await queryClient.invalidateQueries({ queryKey: ['assets'] });
      onDone(saved);
    } catch (err) {
      const fe = fieldErrors(err);
      const mapped: Record<string, string> = {};
      for (const [k, v] of Object.entries(fe)) mapped[inputKeyOf(k)] ??= v;
      setErrors(mapped);
      // Field messages show inline; the summary keeps the API's own sentence.
      setError(err instanceof ApiError ? err : err);
    } finally {
      setBusy(false);
    }
  }

  const set = (k: string, v: string) => setValues((s) => ({ ...s, [k]: v }));
  return (
    <Card title={asset ? `Edit ${asset.name}` : 'New asset'}>
      <form onSubmit={onSubmit} noValidate className="stack" style={{ gap: '0.25rem' }} data-testid="asset-form">
        <div className="form-grid">
          <Field label="Name" error={errors.name}>
            {(p) => <Input {...p} value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />}
          </Field>
          <Field label="Type" hint={asset ? 'The type of an existing asset cannot change.' : undefined}>
            {(p) => (
              <Select {...p} value={type} disabled={!!asset} onChange={(e) => changeType(e.target.value as AssetType)} options={ASSET_TYPES.map((t) => ({ value: t, label: ASSET_TYPE_LABELS[t] }))} />
            )}
          </Field>
          <Field label="Market" error={errors.market}>
            {(p) => (
              <Select
                {...p}
                value={market}
                disabled={!!asset}
                onChange={(e) => {
                  setMarket(e.target.value);
                  setLocation('');
                }}
                options={(markets.data ?? [{ iso: market, name: market }]).map((x) => ({ value: x.iso, label: `${x.iso} · ${x.name}` }))}
              />
            )}
          </Field>
          <Field label="Location" error={errors.location}>
            {(p) => <Select {...p} value={loc} onChange={(e) => setLocation(e.target.value)} options={locOptions.length ? locOptions : [{ value: loc, label: loc || '…' }]} />}
          </Field>
        </div>
        <h3 style={{ fontSize: '0.95rem', margin: '0.5rem 0' }}>{ASSET_TYPE_LABELS[type]} parameters</h3>
        <div className="form-grid">
          {PARAM_FIELDS[type].map((f) => (
            <div key={f.key} style={f.kind === 'profile' || f.kind === 'segments' ? { gridColumn: '1 / -1' } : undefined}>
              <Field label={f.label} error={errors[f.key]} hint={f.hint}>
                {(p) =>
                  f.kind === 'boolean' ? (
                    <Select {...p} value={values[f.key]} onChange={(e) => set(f.key, e.target.value)} options={[{ value: 'true', label: 'Yes' }, { value: 'false', label: 'No' }]} />
                  ) : f.kind === 'profile' || f.kind === 'segments' ? (
                    <textarea {...p} className="ui-input mono" rows={f.kind === 'segments' ? 4 : 2} value={values[f.key]} onChange={(e) => set(f.key, e.target.value)} />
                  ) : (
                    <Input {...p} inputMode="decimal" name={f.key} value={values[f.key]} onChange={(e) => set(f.key, e.target.value)} />
                  )
                }
              </Field>
            </div>
          ))}
        </div>
        <ErrorMessage error={error} title="The asset was not saved" />
        <div className="row" style={{ marginTop: '0.5rem' }}>
          <Button type="submit" loading={busy}>
            {asset ? 'Save changes' : 'Create asset'}
          </Button>
          <Button variant="secondary" onClick={onCancel}>
            Cancel
          </Button>
        </div>
      </form>
    </Card>
  );
}
