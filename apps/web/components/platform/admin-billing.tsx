'use client';
import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Badge, Button, Card, ErrorMessage, Field, Input, Loading, Select, Table, useToast } from '@/components/ui';
import { api } from '@/lib/api';
import { formatUsd } from '@/lib/format';
import { metricLabel, useAdminPlans, useAdminStatements, useAdminSubscriptions, type PlanView, type Statement, type Subscription } from '@/lib/platform-queries';
import { When } from './common';

const LIMIT_KEYS = ['assets', 'bids_per_day', 'api_requests_per_day', 'backtests_per_day', 'members'] as const;
type LimitKey = (typeof LIMIT_KEYS)[number];
const fmtLimit = (v: number | null | undefined) => (v === null || v === undefined ? 'unlimited' : v.toLocaleString('en-US'));

function PlanEditor({ plan, onClose }: { plan: PlanView; onClose: () => void }) {
  const qc = useQueryClient();
  const toast = useToast();
  const [price, setPrice] = useState(String(plan.price_usd_per_month));
  const [limits, setLimits] = useState<Record<LimitKey, string>>(
    Object.fromEntries(LIMIT_KEYS.map((k) => [k, plan.limits[k] === null ? '' : String(plan.limits[k])])) as Record<LimitKey, string>,
  );
  const [error, setError] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: (body: unknown) => api.patch(`/api/admin/plans/${plan.id}`, body),
    onSuccess: () => {
      qc.invalidateQueries({ queryKey: ['admin'] });
      toast.show({ title: `Plan ${plan.name} saved`, tone: 'success' });
      onClose();
    },
  });
  function submit() {
    const p = Number(price);
    if (!Number.isFinite(p) || p < 0) return setError('The price must be a number of 0 or more.');
    const out: Partial<Record<LimitKey, number | null>> = {};
    for (const k of LIMIT_KEYS) {
      const v = limits[k].trim();
      if (v === '') out[k] = null;
      else if (!/^\d+$/.test(v)) return setError(`${metricLabel(k)}: a whole number, or empty for unlimited.`);
      else out[k] = Number(v);
    }
    setError(null);
    save.mutate({ price_usd_per_month: p, limits: out });
  }
  return (
    <div style={{ borderTop: '1px solid var(--border)', paddingTop: '0.75rem', marginTop: '0.75rem' }} data-testid="plan-editor">
      <h3 style={{ marginTop: 0 }}>Edit plan {plan.name}</h3>
      <ErrorMessage error={error ?? save.error} />
      <div className="row" style={{ alignItems: 'flex-start' }}>
        <div style={{ flex: '0 1 160px' }}>
          <Field label="Price (USD/month)">{(p) => <Input {...p} type="number" min={0} step="0.01" value={price} onChange={(e) => setPrice(e.target.value)} />}</Field>
        </div>
        {LIMIT_KEYS.map((k) => (
          <div key={k} style={{ flex: '0 1 160px' }}>
            <Field label={metricLabel(k)} hint="empty = unlimited">
              {(p) => <Input {...p} inputMode="numeric" value={limits[k]} onChange={(e) => setLimits((l) => ({ ...l, [k]: e.target.value }))} />}
            </Field>
          </div>
        ))}
      </div>
      <div className="row">
        <Button onClick={submit} loading={save.isPending}>
          Save plan
        </Button>
        <Button variant="secondary" onClick={onClose}>
          Cancel
        </Button>
      </div>
    </div>
  );
}

function PlansCard() {
  const plans = useAdminPlans();
  const [editing, setEditing] = useState<string | null>(null);
  const plan = plans.data?.items.find((p) => p.id === editing);
  return (
    <Card title="Plans">
      <ErrorMessage error={plans.error} />
      {plans.isPending ? <Loading /> : null}
      {plans.data ? (
        <Table<PlanView>
          columns={[
            { key: 'name', header: 'Plan', render: (p) => <strong>{p.name}</strong> },
            { key: 'price', header: 'Price / month', numeric: true, render: (p) => formatUsd(p.price_usd_per_month) },
            ...LIMIT_KEYS.map((k) => ({ key: k, header: metricLabel(k), numeric: true, render: (p: PlanView) => fmtLimit(p.limits[k]) })),
            {
              key: 'edit',
              header: '',
              render: (p) => (
                <Button size="sm" variant="secondary" onClick={() => setEditing(p.id)} aria-label={`Edit plan ${p.name}`}>
                  Edit
                </Button>
              ),
            },
          ]}
          rows={plans.data.items}
          rowKey={(p) => p.id}
        />
      ) : null}
      {plan ? <PlanEditor key={plan.id} plan={plan} onClose={() => setEditing(null)} /> : null}
    </Card>
  );
}

function SubscriptionsCard() {
  const qc = useQueryClient();
  const toast = useToast();
  const subs = useAdminSubscriptions();
  const plans = useAdminPlans();
  const change = useMutation({
    mutationFn: ({ sub, plan_id }: { sub: Subscription; plan_id: string }) =>
      api.put<Subscription>(`/api/admin/subscriptions/${sub.organization_id}`, { plan_id, limit_overrides: sub.limit_overrides }),
    onSuccess: (s) => {
      qc.invalidateQueries({ queryKey: ['admin'] });
      qc.invalidateQueries({ queryKey: ['usage'] });
      toast.show({ title: `${s.organization_name} is now on ${s.plan_id}`, tone: 'success' });
    },
  });
  const planOptions = (plans.data?.items ?? []).map((p) => ({ value: p.id, label: `${p.name} (${formatUsd(p.price_usd_per_month)})` }));
  return (
    <Card title="Subscriptions">
      <ErrorMessage error={subs.error ?? change.error} />
      {subs.isPending ? <Loading /> : null}
      {subs.data ? (
        <Table<Subscription>
          columns={[
            { key: 'org', header: 'Organisation', render: (s) => s.organization_name },
            {
              key: 'plan',
              header: 'Plan',
              render: (s) => (
                <Select
                  aria-label={`Plan of ${s.organization_name}`}
                  options={planOptions.length ? planOptions : [{ value: s.plan_id, label: s.plan_id }]}
                  value={s.plan_id}
                  disabled={change.isPending}
                  onChange={(e) => change.mutate({ sub: s, plan_id: e.target.value })}
                />
              ),
            },
            { key: 'status', header: 'Status', render: (s) => <Badge tone={s.status === 'active' ? 'success' : 'neutral'}>{s.status}</Badge> },
            {
              key: 'overrides',
              header: 'Limit overrides',
              render: (s) => {
                const o = Object.entries(s.limit_overrides);
                return o.length ? <span style={{ fontSize: '0.85rem' }}>{o.map(([k, v]) => `${metricLabel(k)}: ${fmtLimit(v as number | null)}`).join(', ')}</span> : <span className="muted">none</span>;
              },
            },
            { key: 'since', header: 'Since', render: (s) => <When at={s.started_at} /> },
          ]}
          rows={subs.data.items}
          rowKey={(s) => s.organization_id}
        />
      ) : null}
    </Card>
  );
}

function StatementsCard() {
  const [month, setMonth] = useState(() => new Date().toISOString().slice(0, 7));
  const statements = useAdminStatements(month);
  const total = (statements.data?.items ?? []).reduce((s, x) => s + x.total_usd, 0);
  return (
    <Card
      title="Monthly statements and usage"
      actions={
        <div className="row" style={{ gap: '0.5rem' }}>
          <label htmlFor="statement-month" className="muted">
            Month
          </label>
          <Input id="statement-month" type="month" value={month} onChange={(e) => e.target.value && setMonth(e.target.value)} style={{ width: 160 }} />
        </div>
      }
    >
      <ErrorMessage error={statements.error} />
      {statements.isPending ? <Loading /> : null}
      {statements.data ? (
        <>
          <Table<Statement>
            columns={[
              { key: 'org', header: 'Organisation', render: (s) => s.organization_name },
              { key: 'plan', header: 'Plan', render: (s) => `${s.plan.name} (${formatUsd(s.plan.price_usd_per_month)})` },
              { key: 'days', header: 'Days billed', numeric: true, render: (s) => `${s.days_billed} / ${s.days_in_month}` },
              {
                key: 'usage',
                header: 'Usage this month (peak day)',
                render: (s) => (
                  <span style={{ fontSize: '0.85rem' }}>
                    {s.usage.length
                      ? s.usage.map((u) => `${metricLabel(u.metric)}: ${u.total.toLocaleString('en-US')}${u.peak_day ? ` (peak ${u.peak_count.toLocaleString('en-US')} on ${u.peak_day})` : ''}`).join(' · ')
                      : 'none'}
                  </span>
                ),
              },
              { key: 'fee', header: 'Fee', numeric: true, render: (s) => formatUsd(s.fee_usd) },
              { key: 'total', header: 'Total', numeric: true, render: (s) => <strong>{formatUsd(s.total_usd)}</strong> },
            ]}
            rows={statements.data.items}
            rowKey={(s) => s.organization_id}
            empty={<p className="muted">No subscriptions in {month}.</p>}
          />
          <p style={{ marginBottom: 0 }}>
            Total for {month}: <strong data-testid="statements-total">{formatUsd(total)}</strong>{' '}
            <span className="muted">(prorated by the days subscribed; no payment provider is connected)</span>
          </p>
        </>
      ) : null}
    </Card>
  );
}

/** Plans with limits, every organisation's subscription, and monthly statements from plan and usage. */
export function AdminBilling() {
  return (
    <div className="stack">
      <SubscriptionsCard />
      <PlansCard />
      <StatementsCard />
    </div>
  );
}
