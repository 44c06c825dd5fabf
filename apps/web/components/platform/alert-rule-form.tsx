'use client';
import { useEffect, useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { CreateAlertRuleBody } from '@optibid/contracts';
import { Button, Card, ErrorMessage, Field, Input, Select, useToast } from '@/components/ui';
import { api, fieldErrors } from '@/lib/api';
import { useLocations, useMarkets } from '@/lib/market-queries';
import { platformKeys, type AlertRuleView } from '@/lib/platform-queries';
import { useAssets } from '@/lib/trading-queries';

export type RuleType = AlertRuleView['type'];

export const RULE_TYPES: { value: RuleType; label: string }[] = [
  { value: 'price_above', label: 'Price above a threshold' },
  { value: 'price_below', label: 'Price below a threshold' },
  { value: 'daily_spread_above', label: 'Daily spread (max − min) above' },
  { value: 'bid_rejected', label: 'A bid is rejected' },
  { value: 'award_received', label: 'An award is received' },
  { value: 'gate_closure_drafts', label: 'Gate closure soon with bids still in draft' },
  { value: 'forecast_error_above', label: 'Forecast error above' },
];

const needsPlace = (t: RuleType) => t === 'price_above' || t === 'price_below' || t === 'daily_spread_above';
const needsThreshold = (t: RuleType) => needsPlace(t) || t === 'forecast_error_above';

/** One-line description of a rule's condition. */
export function describeRule(r: Pick<AlertRuleView, 'type' | 'params'>): string {
  const p = r.params;
  const where = [p.market_zone?.toUpperCase(), p.location, p.run].filter(Boolean).join(' ');
  const t = p.threshold_usd_per_mwh;
  switch (r.type) {
    case 'price_above':
      return `${where} price above ${t} $/MWh`;
    case 'price_below':
      return `${where} price below ${t} $/MWh`;
    case 'daily_spread_above':
      return `${where} daily spread above ${t} $/MWh`;
    case 'bid_rejected':
      return 'a bid is rejected';
    case 'award_received':
      return p.asset_id ? `an award for asset ${p.asset_id.slice(0, 8)}` : 'any award';
    case 'gate_closure_drafts':
      return `${p.minutes_before} min before gate closure with drafts${p.market_zone ? ` (${p.market_zone.toUpperCase()})` : ''}`;
    case 'forecast_error_above':
      return `forecast error above ${t} $/MWh${where ? ` at ${where}` : ''}`;
    default:
      return r.type;
  }
}

/** Creates an alert rule; the parameters asked for follow the rule type. */
export function AlertRuleForm() {
  const qc = useQueryClient();
  const toast = useToast();
  const markets = useMarkets();
  const assets = useAssets();
  const [form, setForm] = useState({ name: '', type: 'price_above' as RuleType, zone: '', location: '', run: '', threshold: '', minutes: '60', asset: '', email: false });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const iso = form.zone || undefined;
  const locations = useLocations(needsPlace(form.type) || form.type === 'forecast_error_above' ? iso : undefined);

  useEffect(() => {
    const first = markets.data?.[0];
    if (first && !form.zone) setForm((f) => ({ ...f, zone: first.iso, location: first.default_location }));
  }, [markets.data, form.zone]);

  const create = useMutation({
    mutationFn: (body: CreateAlertRuleBody) => api.post<AlertRuleView>('/api/alerts/rules', body),
    onSuccess: (r) => {
      qc.invalidateQueries({ queryKey: platformKeys.alertRules });
      toast.show({ title: `Alert rule "${r.name}" created`, tone: 'success' });
      setForm((f) => ({ ...f, name: '' }));
    },
    onError: (err) => setErrors(fieldErrors(err)),
  });

  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    const next: Record<string, string> = {};
    if (!form.name.trim()) next.name = 'Name the rule.';
    const threshold = Number(form.threshold);
    if (needsThreshold(form.type) && (form.threshold.trim() === '' || !Number.isFinite(threshold))) next.threshold = 'Enter a threshold in $/MWh.';
    if ((form.type === 'daily_spread_above' || form.type === 'forecast_error_above') && threshold < 0) next.threshold = 'Use a threshold of 0 or more.';
    if (needsPlace(form.type) && (!form.zone || !form.location)) next.location = 'Pick a market and location.';
    const minutes = Number(form.minutes);
    if (form.type === 'gate_closure_drafts' && (!Number.isInteger(minutes) || minutes < 1 || minutes > 10080)) next.minutes = 'From 1 to 10080 minutes.';
    setErrors(next);
    if (Object.keys(next).length) return;
    const params: CreateAlertRuleBody['params'] = {};
    if (needsPlace(form.type) || (form.type === 'forecast_error_above' && form.location)) {
      params.market_zone = form.zone.toLowerCase();
      params.location = form.location;
      if (form.run === 'DA' || form.run === 'RT') params.run = form.run;
    }
    if (form.type === 'gate_closure_drafts') {
      params.minutes_before = minutes;
      if (form.zone) params.market_zone = form.zone.toLowerCase();
    }
    if (needsThreshold(form.type)) params.threshold_usd_per_mwh = threshold;
    if (form.type === 'award_received' && form.asset) params.asset_id = form.asset;
    create.mutate({ name: form.name.trim(), type: form.type, params, email: form.email, enabled: true });
  }

  const marketOptions = (markets.data ?? []).map((m) => ({ value: m.iso, label: `${m.iso.toUpperCase()} · ${m.name}` }));
  const locationOptions = (locations.data ?? []).map((l) => ({ value: l.id, label: l.has_data ? l.name : `${l.name} (no data yet)` }));
  if (form.location && !locationOptions.some((o) => o.value === form.location)) locationOptions.unshift({ value: form.location, label: form.location });

  return (
    <Card title="New alert rule">
      <ErrorMessage error={create.error && !fieldErrors(create.error).name ? create.error : null} />
      <form onSubmit={onSubmit} noValidate aria-label="New alert rule">
        <div className="row" style={{ alignItems: 'flex-start' }}>
          <div style={{ flex: '1 1 220px' }}>
            <Field label="Rule name" error={errors.name}>
              {(p) => <Input {...p} name="name" value={form.name} maxLength={200} onChange={set('name')} />}
            </Field>
          </div>
          <div style={{ flex: '1 1 260px' }}>
            <Field label="When">
              {(p) => <Select {...p} name="type" options={RULE_TYPES} value={form.type} onChange={set('type')} />}
            </Field>
          </div>
        </div>
        {needsPlace(form.type) || form.type === 'forecast_error_above' || form.type === 'gate_closure_drafts' ? (
          <div className="row" style={{ alignItems: 'flex-start' }}>
            <div style={{ flex: '1 1 180px' }}>
              <Field label="Market">
                {(p) => (
                  <Select
                    {...p}
                    name="market"
                    options={form.type === 'gate_closure_drafts' ? [{ value: '', label: 'Any market' }, ...marketOptions] : marketOptions}
                    value={form.zone}
                    onChange={(e) => setForm((f) => ({ ...f, zone: e.target.value, location: markets.data?.find((m) => m.iso === e.target.value)?.default_location ?? '' }))}
                  />
                )}
              </Field>
            </div>
            {form.type !== 'gate_closure_drafts' ? (
              <>
                <div style={{ flex: '1 1 220px' }}>
                  <Field label="Location" error={errors.location}>
                    {(p) => <Select {...p} name="location" options={locationOptions} value={form.location} onChange={set('location')} />}
                  </Field>
                </div>
                <div style={{ flex: '0 1 140px' }}>
                  <Field label="Run">
                    {(p) => (
                      <Select
                        {...p}
                        name="run"
                        options={[
                          { value: '', label: 'Any' },
                          { value: 'DA', label: 'Day-ahead' },
                          { value: 'RT', label: 'Real-time' },
                        ]}
                        value={form.run}
                        onChange={set('run')}
                      />
                    )}
                  </Field>
                </div>
              </>
            ) : (
              <div style={{ flex: '0 1 200px' }}>
                <Field label="Minutes before gate closure" error={errors.minutes}>
                  {(p) => <Input {...p} name="minutes_before" type="number" min={1} max={10080} value={form.minutes} onChange={set('minutes')} />}
                </Field>
              </div>
            )}
          </div>
        ) : null}
        {needsThreshold(form.type) ? (
          <div style={{ maxWidth: 240 }}>
            <Field label="Threshold ($/MWh)" error={errors.threshold}>
              {(p) => <Input {...p} name="threshold" type="number" step="0.01" inputMode="decimal" value={form.threshold} onChange={set('threshold')} />}
            </Field>
          </div>
        ) : null}
        {form.type === 'award_received' ? (
          <div style={{ maxWidth: 360 }}>
            <Field label="Asset">
              {(p) => (
                <Select
                  {...p}
                  name="asset"
                  options={[{ value: '', label: 'Any asset' }, ...(assets.data?.items ?? []).map((a) => ({ value: a.id, label: a.name }))]}
                  value={form.asset}
                  onChange={set('asset')}
                />
              )}
            </Field>
          </div>
        ) : null}
        <label style={{ display: 'block', marginBottom: '0.75rem' }}>
          <input type="checkbox" checked={form.email} onChange={(e) => setForm((f) => ({ ...f, email: e.target.checked }))} /> Also send me an email
        </label>
        <Button type="submit" loading={create.isPending}>
          Create rule
        </Button>
      </form>
    </Card>
  );
}
