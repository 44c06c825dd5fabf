'use client';
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { PriceScope } from '@optibid/contracts';
import { PriceScopeToggle } from '@/components/market/price-scope-toggle';
import { Button, Card, ErrorMessage, Field, Input, Select } from '@/components/ui';
import { defaultValues, inputKeyOf, paramsFromValues, PARAM_FIELDS } from '@/components/trading/asset-fields';
import { api, fieldErrors } from '@/lib/api';
import { AS_MODELS, BACKTEST_STRATEGIES, type Backtest } from '@/lib/backtest-queries';
import { locationOptions, useLocations, useMarkets } from '@/lib/market-queries';
import { addDaysYmd, localDateOf } from '@optibid/core/time';
import { useAssets } from '@/lib/trading-queries';

const CUSTOM = '__custom__';

/**
 * Configures backtests: a battery (one of the organisation's or custom
 * parameters), a location with stored prices, a period of market-local delivery
 * days (inclusive) and one or more strategies; each strategy becomes its own
 * backtest over the same configuration so they can be compared.
 */
export function BacktestForm({ onStarted }: { onStarted: (runs: Backtest[]) => void }) {
  const queryClient = useQueryClient();
  const markets = useMarkets();
  const assets = useAssets();
  const batteries = useMemo(() => (assets.data?.items ?? []).filter((a) => a.type === 'battery'), [assets.data]);
  const [battery, setBattery] = useState(CUSTOM);
  const [values, setValues] = useState<Record<string, string>>(() => defaultValues('battery'));
  const [market, setMarket] = useState('');
  const [location, setLocation] = useState('');
  const [range, setRange] = useState<{ start: string; end: string } | null>(null);
  const [strategies, setStrategies] = useState<string[]>(['persistence', 'perfect']);
  const [withAs, setWithAs] = useState(false);
  const [asModel, setAsModel] = useState<string>('default');
  const [scope, setScope] = useState<PriceScope>('shared');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const asset = batteries.find((a) => a.id === battery);
  const m = markets.data?.find((x) => x.iso === market);
  const locations = useLocations(market || undefined);

  useEffect(() => {
    if (!market && markets.data?.length) setMarket(markets.data[0]!.iso);
  }, [market, markets.data]);
  // The last two complete weeks before today (market-local): stored history, not the future.
  const tz = m?.timezone;
  useEffect(() => {
    if (!tz) return;
    const end = addDaysYmd(localDateOf(Date.now(), tz), -1);
    setRange({ start: addDaysYmd(end, -13), end });
  }, [tz]);
  const locOptions = useMemo(() => locationOptions(locations.data), [locations.data]);
  useEffect(() => {
    if (asset) {
      setMarket(asset.market);
      setLocation(asset.location);
    }
  }, [asset]);
  useEffect(() => {
    if (locOptions.length && !locOptions.some((o) => o.value === location)) setLocation(asset?.location ?? locOptions[0]!.value);
  }, [locOptions, location, asset]);

  function toggle(s: string) {
    setStrategies((list) => (list.includes(s) ? list.filter((x) => x !== s) : [...list, s]));
  }

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const local: Record<string, string> = {};
    let params: Record<string, unknown> | undefined;
    if (!asset) {
      const r = paramsFromValues('battery', values);
      Object.assign(local, r.errors);
      params = r.params;
    }
    if (!strategies.length) local.strategy = 'Pick at least one strategy.';
    if (!range?.start || !range.end) local.end = 'Pick the period.';
    else if (range.end < range.start) local.end = 'The last day is before the first.';
    setErrors(local);
    setError(null);
    if (Object.keys(local).length || !range) return;
    setBusy(true);
    const started: Backtest[] = [];
    try {
      for (const strategy of strategies) {
        const body = {
          market,
          location,
          start: range.start,
          end: range.end,
          strategy,
          price_scope: scope,
          ...(asset ? { asset_id: asset.id } : { battery: params }),
          ...(withAs ? { ancillary: { as_model: asModel } } : {}),
        };
        started.push(await api.post<Backtest>('/api/backtests', body));
      }
    } catch (err) {
      const fe = fieldErrors(err);
      const mapped: Record<string, string> = {};
      for (const [k, v] of Object.entries(fe)) mapped[inputKeyOf(k.replace(/^battery\./, ''))] ??= v;
      setErrors(mapped);
      setError(err);
    } finally {
      setBusy(false);
      if (started.length) {
        // Show them queued at once; the list then polls (and hears backtest_progress) until they end.
        queryClient.setQueryData(['backtests', 'list'], (old: Backtest[] | undefined) => [...[...started].reverse(), ...(old ?? []).filter((b) => !started.some((s) => s.id === b.id))]);
        onStarted(started);
      }
    }
  }

  const set = (k: string, v: string) => setValues((s) => ({ ...s, [k]: v }));
  return (
    <Card title="New backtest">
      <form onSubmit={onSubmit} noValidate className="stack" style={{ gap: '0.25rem' }} data-testid="backtest-form">
        <div className="form-grid">
          <Field label="Battery" hint={asset ? `${asset.market} · ${asset.location}` : 'Parameters below; backtests run batteries only.'}>
            {(p) => (
              <Select
                {...p}
                value={battery}
                onChange={(e) => setBattery(e.target.value)}
                options={[{ value: CUSTOM, label: 'Custom battery' }, ...batteries.map((a) => ({ value: a.id, label: `${a.name}` }))]}
              />
            )}
          </Field>
          <Field label="Market" error={errors.market}>
            {(p) => <Select {...p} value={market} disabled={!!asset} onChange={(e) => setMarket(e.target.value)} options={(markets.data ?? []).map((x) => ({ value: x.iso, label: `${x.iso} · ${x.name}` }))} />}
          </Field>
          <Field label="Location" error={errors.location}>
            {(p) => <Select {...p} value={location} disabled={!!asset} onChange={(e) => setLocation(e.target.value)} options={locOptions.length ? locOptions : [{ value: location, label: location || 'Loading…' }]} />}
          </Field>
          <Field label={`First delivery day${m ? ` (${m.iso} date)` : ''}`} error={errors.start}>
            {(p) => <Input {...p} type="date" value={range?.start ?? ''} onChange={(e) => range && e.target.value && setRange({ ...range, start: e.target.value })} />}
          </Field>
          <Field label="Last delivery day (inclusive)" error={errors.end}>
            {(p) => <Input {...p} type="date" value={range?.end ?? ''} onChange={(e) => range && e.target.value && setRange({ ...range, end: e.target.value })} />}
          </Field>
        </div>
        <PriceScopeToggle value={scope} onChange={setScope} market={market} location={location} />
        {!asset ? (
          <details>
            <summary style={{ cursor: 'pointer', margin: '0.25rem 0' }}>
              Battery parameters ({values.discharge_power_mw} MW / {values.energy_mwh} MWh)
            </summary>
            <div className="form-grid">
              {PARAM_FIELDS.battery.map((f) => (
                <Field key={f.key} label={f.label} error={errors[f.key]}>
                  {(p) => <Input {...p} inputMode="decimal" value={values[f.key] ?? ''} onChange={(e) => set(f.key, e.target.value)} />}
                </Field>
              ))}
            </div>
          </details>
        ) : null}
        <fieldset style={{ border: 'none', padding: 0, margin: '0.5rem 0 0' }} aria-describedby={errors.strategy ? 'bt-strategy-error' : undefined}>
          <legend style={{ fontWeight: 500, marginBottom: '0.35rem' }}>Strategies (one backtest each, same battery and period)</legend>
          <div className="row" style={{ flexWrap: 'wrap', gap: '0.5rem 1.25rem' }}>
            {BACKTEST_STRATEGIES.map((s) => (
              <label key={s.value} className="row" style={{ gap: '0.35rem' }}>
                <input type="checkbox" checked={strategies.includes(s.value)} onChange={() => toggle(s.value)} />
                {s.label}
              </label>
            ))}
          </div>
          {errors.strategy ? (
            <div id="bt-strategy-error" className="ui-field__error" role="alert">
              {errors.strategy}
            </div>
          ) : null}
        </fieldset>
        <fieldset style={{ border: 'none', padding: 0, margin: '0.5rem 0 0' }}>
          <legend style={{ fontWeight: 500, marginBottom: '0.35rem' }}>Ancillary services</legend>
          <div className="row" style={{ flexWrap: 'wrap', gap: '0.5rem 1.25rem', alignItems: 'center' }}>
            <label className="row" style={{ gap: '0.35rem' }}>
              <input type="checkbox" checked={withAs} onChange={(e) => setWithAs(e.target.checked)} />
              Sell ancillary services too (co-optimised on the stored AS clearing prices)
            </label>
            {withAs ? (
              <Field label="AS model">
                {(p) => <Select {...p} value={asModel} onChange={(e) => setAsModel(e.target.value)} options={AS_MODELS.map((x) => ({ value: x.value, label: x.label }))} />}
              </Field>
            ) : null}
          </div>
        </fieldset>
        <ErrorMessage error={error} />
        <div className="row" style={{ marginTop: '0.5rem' }}>
          <Button type="submit" loading={busy}>
            Run {strategies.length > 1 ? `${strategies.length} backtests` : 'backtest'}
          </Button>
          <span className="muted" style={{ fontSize: '0.85rem' }}>
            Each day is optimised on what was known before its gate closure, bid, cleared price-taker against the stored day-ahead prices and settled.
          </span>
        </div>
      </form>
    </Card>
  );
}
