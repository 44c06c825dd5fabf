'use client';
import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Badge, Button, Card, ErrorMessage, Field, Input, Loading, Select, useToast } from '@/components/ui';
import { api, fieldErrors } from '@/lib/api';
import { useAdminFlags, useAdminOrgs, type FeatureFlagView } from '@/lib/platform-queries';
import { ConfirmButton, When } from './common';

function useFlagChange() {
  const qc = useQueryClient();
  const toast = useToast();
  return useMutation({
    mutationFn: ({ method, path, body }: { method: 'patch' | 'put' | 'delete'; path: string; body?: unknown; done: string }) =>
      method === 'delete' ? api.delete(path) : api[method](path, body),
    onSuccess: (_r, v) => {
      qc.invalidateQueries({ queryKey: ['admin', 'features'] });
      qc.invalidateQueries({ queryKey: ['features'] });
      toast.show({ title: v.done, tone: 'success' });
    },
  });
}

function FlagCard({ flag, orgs }: { flag: FeatureFlagView; orgs: { id: string; name: string }[] }) {
  const change = useFlagChange();
  const [rollout, setRollout] = useState(String(flag.rollout_percentage));
  const [orgId, setOrgId] = useState('');
  const base = `/api/admin/features/${flag.key}`;
  const rolloutValue = Number(rollout);
  const rolloutValid = /^\d+$/.test(rollout) && rolloutValue >= 0 && rolloutValue <= 100;
  const candidates = orgs.filter((o) => !flag.overrides.some((x) => x.organization_id === o.id));
  const target = orgId || candidates[0]?.id || '';
  return (
    <Card
      data-testid={`flag-${flag.key}`}
      title={<code>{flag.key}</code>}
      actions={
        <div className="row" style={{ gap: '0.5rem' }}>
          <Badge tone={flag.enabled ? 'success' : 'neutral'} dot>
            {flag.enabled ? `on for ${flag.rollout_percentage} %` : 'off'}
          </Badge>
          <Button
            size="sm"
            variant="secondary"
            aria-label={`${flag.enabled ? 'Switch off' : 'Switch on'} ${flag.key}`}
            loading={change.isPending}
            onClick={() => change.mutate({ method: 'patch', path: base, body: { enabled: !flag.enabled }, done: `${flag.key} switched ${flag.enabled ? 'off' : 'on'}` })}
          >
            {flag.enabled ? 'Switch off' : 'Switch on'}
          </Button>
          <ConfirmButton aria-label={`Delete ${flag.key}`} confirmLabel="Confirm delete" onConfirm={() => change.mutate({ method: 'delete', path: base, done: `${flag.key} deleted` })}>
            Delete
          </ConfirmButton>
        </div>
      }
    >
      <ErrorMessage error={change.error} />
      <p style={{ marginTop: 0 }}>{flag.description || <span className="muted">No description.</span>}</p>
      <div className="row" style={{ alignItems: 'flex-end' }}>
        <div style={{ flex: '0 1 200px' }}>
          <Field label="Rollout %" error={rolloutValid ? undefined : 'From 0 to 100.'}>
            {(p) => <Input {...p} type="number" min={0} max={100} value={rollout} onChange={(e) => setRollout(e.target.value)} />}
          </Field>
        </div>
        <div style={{ marginBottom: '0.9rem' }}>
          <Button
            variant="secondary"
            disabled={!rolloutValid || rolloutValue === flag.rollout_percentage}
            onClick={() => change.mutate({ method: 'patch', path: base, body: { rollout_percentage: rolloutValue }, done: `${flag.key} rolled out to ${rolloutValue} %` })}
          >
            Save rollout
          </Button>
        </div>
        <span className="muted" style={{ marginBottom: '0.9rem', fontSize: '0.85rem' }}>
          Share of organisations that get the flag when it is on, stable per organisation (the same ones stay in as it grows). Updated <When at={flag.updated_at} />.
        </span>
      </div>
      <h3 style={{ margin: '0.25rem 0 0.4rem' }}>Per-organisation overrides</h3>
      {flag.overrides.length === 0 ? <p className="muted" style={{ marginTop: 0 }}>None: the switch and rollout decide for every organisation.</p> : null}
      <ul style={{ listStyle: 'none', padding: 0, margin: '0 0 0.6rem' }} data-testid={`overrides-${flag.key}`}>
        {flag.overrides.map((o) => (
          <li key={o.organization_id} className="row" style={{ padding: '0.25rem 0' }}>
            <span style={{ minWidth: 200 }}>{o.organization_name}</span>
            <Badge tone={o.enabled ? 'success' : 'danger'}>{o.enabled ? 'forced on' : 'forced off'}</Badge>
            <Button
              size="sm"
              variant="secondary"
              onClick={() => change.mutate({ method: 'put', path: `${base}/overrides/${o.organization_id}`, body: { enabled: !o.enabled }, done: `${flag.key} forced ${o.enabled ? 'off' : 'on'} for ${o.organization_name}` })}
            >
              Force {o.enabled ? 'off' : 'on'}
            </Button>
            <Button
              size="sm"
              variant="ghost"
              aria-label={`Remove the override of ${flag.key} for ${o.organization_name}`}
              onClick={() => change.mutate({ method: 'delete', path: `${base}/overrides/${o.organization_id}`, done: `Override removed for ${o.organization_name}` })}
            >
              Remove
            </Button>
          </li>
        ))}
      </ul>
      {candidates.length ? (
        <div className="row">
          <Select
            aria-label={`Organisation to override ${flag.key} for`}
            options={candidates.map((o) => ({ value: o.id, label: o.name }))}
            value={target}
            onChange={(e) => setOrgId(e.target.value)}
            style={{ maxWidth: 280 }}
          />
          <Button size="sm" variant="secondary" disabled={!target} onClick={() => change.mutate({ method: 'put', path: `${base}/overrides/${target}`, body: { enabled: true }, done: `${flag.key} forced on` })}>
            Force on
          </Button>
          <Button size="sm" variant="secondary" disabled={!target} onClick={() => change.mutate({ method: 'put', path: `${base}/overrides/${target}`, body: { enabled: false }, done: `${flag.key} forced off` })}>
            Force off
          </Button>
        </div>
      ) : null}
    </Card>
  );
}

function NewFlag() {
  const qc = useQueryClient();
  const [form, setForm] = useState({ key: '', description: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const create = useMutation({
    mutationFn: () => api.post('/api/admin/features', { key: form.key.trim(), description: form.description.trim(), enabled: false, rollout_percentage: 100 }),
    onSuccess: () => {
      setForm({ key: '', description: '' });
      qc.invalidateQueries({ queryKey: ['admin', 'features'] });
    },
    onError: (err) => setErrors(fieldErrors(err)),
  });
  function onSubmit(e: FormEvent) {
    e.preventDefault();
    const ok = /^[a-z][a-z0-9_]{1,62}$/.test(form.key.trim());
    setErrors(ok ? {} : { key: 'Lower-case letters, digits and _, starting with a letter (2–63 characters).' });
    if (ok) create.mutate();
  }
  return (
    <Card title="New flag">
      <ErrorMessage error={create.error && !fieldErrors(create.error).key ? create.error : null} />
      <form onSubmit={onSubmit} noValidate className="row" style={{ alignItems: 'flex-end' }} aria-label="New feature flag">
        <div style={{ flex: '0 1 240px' }}>
          <Field label="Key" error={errors.key}>
            {(p) => <Input {...p} value={form.key} onChange={(e) => setForm((f) => ({ ...f, key: e.target.value }))} />}
          </Field>
        </div>
        <div style={{ flex: '1 1 300px' }}>
          <Field label="Description">{(p) => <Input {...p} value={form.description} maxLength={500} onChange={(e) => setForm((f) => ({ ...f, description: e.target.value }))} />}</Field>
        </div>
        <div style={{ marginBottom: '0.9rem' }}>
          <Button type="submit" loading={create.isPending}>
            Create (off)
          </Button>
        </div>
      </form>
    </Card>
  );
}

/** Global feature flags: switch, rollout percentage, per-organisation overrides. Changes are audited by the server. */
export function AdminFeatures() {
  const flags = useAdminFlags();
  const orgs = useAdminOrgs('');
  const orgList = (orgs.data?.items ?? []).map((o) => ({ id: o.id, name: o.name }));
  return (
    <div className="stack">
      <ErrorMessage error={flags.error} />
      {flags.isPending ? <Loading /> : null}
      {flags.data?.items.map((f) => <FlagCard key={`${f.key}-${f.updated_at}`} flag={f} orgs={orgList} />)}
      <NewFlag />
    </div>
  );
}
