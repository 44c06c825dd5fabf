'use client';
import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Badge, Button, Card, ErrorMessage, Field, Input, Loading, Notice, Table, type Column } from '@/components/ui';
import { api, fieldErrors } from '@/lib/api';
import { platformKeys, useApiKeys, type ApiKeyView, type CreatedApiKeyBody } from '@/lib/platform-queries';
import { ConfirmButton, CopyValue, When } from './common';

type Scope = 'read' | 'trade';

/** API keys of the organisation: created with scopes, shown once, revocable, with last use. */
export function OrgApiKeys() {
  const qc = useQueryClient();
  const keys = useApiKeys();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Record<Scope, boolean>>({ read: true, trade: false });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [created, setCreated] = useState<CreatedApiKeyBody | null>(null);

  const create = useMutation({
    mutationFn: (body: { name: string; scopes: Scope[] }) => api.post<CreatedApiKeyBody>('/api/org/api-keys', body),
    onSuccess: (k) => {
      setCreated(k);
      setName('');
      qc.invalidateQueries({ queryKey: platformKeys.apiKeys });
    },
    onError: (err) => setErrors(fieldErrors(err)),
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api.delete(`/api/org/api-keys/${id}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: platformKeys.apiKeys }),
  });

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    const chosen = (Object.keys(scopes) as Scope[]).filter((s) => scopes[s]);
    const next: Record<string, string> = {};
    if (!name.trim()) next.name = 'Name the key (e.g. the system that uses it).';
    if (chosen.length === 0) next.scopes = 'Pick at least one scope.';
    setErrors(next);
    setCreated(null);
    if (Object.keys(next).length === 0) create.mutate({ name: name.trim(), scopes: chosen });
  }

  const columns: Column<ApiKeyView>[] = [
    { key: 'name', header: 'Name', render: (k) => <strong>{k.name}</strong> },
    { key: 'prefix', header: 'Key', render: (k) => <code>{k.prefix}…</code> },
    { key: 'scopes', header: 'Scopes', render: (k) => <span className="row" style={{ gap: '0.25rem' }}>{k.scopes.map((s) => <Badge key={s} tone="info">{s}</Badge>)}</span> },
    { key: 'created', header: 'Created', render: (k) => <When at={k.created_at} /> },
    { key: 'used', header: 'Last used', render: (k) => <When at={k.last_used_at} /> },
    {
      key: 'state',
      header: '',
      render: (k) =>
        k.revoked_at ? (
          <Badge tone="neutral">revoked</Badge>
        ) : (
          <ConfirmButton aria-label={`Revoke the key ${k.name}`} confirmLabel="Confirm revoke" onConfirm={() => revoke.mutate(k.id)}>
            Revoke
          </ConfirmButton>
        ),
    },
  ];

  return (
    <div className="stack">
      <Card title="Create an API key">
        <ErrorMessage error={create.error} />
        <form onSubmit={onSubmit} noValidate aria-label="Create an API key">
          <Field label="Key name" error={errors.name}>
            {(p) => <Input {...p} name="name" value={name} maxLength={100} onChange={(e) => setName(e.target.value)} />}
          </Field>
          <fieldset style={{ border: 0, padding: 0, margin: '0 0 0.9rem' }}>
            <legend style={{ fontWeight: 600, marginBottom: '0.3rem' }}>Scopes</legend>
            {(['read', 'trade'] as const).map((s) => (
              <label key={s} style={{ marginRight: '1.25rem' }}>
                <input type="checkbox" checked={scopes[s]} onChange={(e) => setScopes((v) => ({ ...v, [s]: e.target.checked }))} />{' '}
                {s === 'read' ? 'read (acts as a viewer)' : 'trade (acts as a trader, never above your role)'}
              </label>
            ))}
            {errors.scopes ? <div className="ui-field__error" role="alert">{errors.scopes}</div> : null}
          </fieldset>
          <Button type="submit" loading={create.isPending}>
            Create key
          </Button>
        </form>
        {created ? (
          <div className="stack" style={{ gap: '0.5rem', marginTop: '0.75rem' }} data-testid="api-key-created">
            <Notice tone="warning">Copy this key now: it is shown only once (only its hash is stored). Send it as <code>X-API-Key</code> or <code>Authorization: Bearer</code>.</Notice>
            <CopyValue value={created.key} label="New API key" testId="api-key-value" />
          </div>
        ) : null}
      </Card>
      <Card title="API keys">
        <ErrorMessage error={keys.error ?? revoke.error} />
        {keys.isPending ? <Loading /> : null}
        {keys.data ? <Table columns={columns} rows={keys.data.items} rowKey={(k) => k.id} empty={<p className="muted">No API keys yet.</p>} /> : null}
      </Card>
    </div>
  );
}
