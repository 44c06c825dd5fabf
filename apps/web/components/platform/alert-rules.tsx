'use client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Badge, Button, Card, ErrorMessage, Loading, Table, type Column } from '@/components/ui';
import { api } from '@/lib/api';
import { platformKeys, useAlertRules, type AlertRuleView } from '@/lib/platform-queries';
import { RULE_TYPES, describeRule } from './alert-rule-form';
import { ConfirmButton, When } from './common';

/** The signed-in user's alert rules: switch on/off, email on/off, delete. */
export function AlertRulesTable() {
  const qc = useQueryClient();
  const rules = useAlertRules();
  const patch = useMutation({
    mutationFn: ({ id, body }: { id: string; body: { enabled?: boolean; email?: boolean } }) => api.patch<AlertRuleView>(`/api/alerts/rules/${id}`, body),
    onSuccess: () => qc.invalidateQueries({ queryKey: platformKeys.alertRules }),
  });
  const remove = useMutation({
    mutationFn: (id: string) => api.delete(`/api/alerts/rules/${id}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: platformKeys.alertRules }),
  });
  const columns: Column<AlertRuleView>[] = [
    { key: 'name', header: 'Rule', render: (r) => <strong>{r.name}</strong> },
    {
      key: 'when',
      header: 'Condition',
      render: (r) => (
        <span>
          <span className="muted">{RULE_TYPES.find((t) => t.value === r.type)?.label ?? r.type}: </span>
          {describeRule(r)}
        </span>
      ),
    },
    {
      key: 'enabled',
      header: 'State',
      render: (r) => (
        <Button variant="ghost" size="sm" aria-label={`${r.enabled ? 'Pause' : 'Resume'} ${r.name}`} onClick={() => patch.mutate({ id: r.id, body: { enabled: !r.enabled } })}>
          <Badge tone={r.enabled ? 'success' : 'neutral'} dot>
            {r.enabled ? 'on' : 'paused'}
          </Badge>
        </Button>
      ),
    },
    {
      key: 'email',
      header: 'Email',
      render: (r) => (
        <label>
          <input type="checkbox" checked={r.email} aria-label={`Email for ${r.name}`} onChange={(e) => patch.mutate({ id: r.id, body: { email: e.target.checked } })} /> email
        </label>
      ),
    },
    { key: 'last', header: 'Last triggered', render: (r) => <When at={r.last_triggered_at} /> },
    {
      key: 'actions',
      header: '',
      render: (r) => (
        <ConfirmButton aria-label={`Delete ${r.name}`} confirmLabel="Confirm delete" onConfirm={() => remove.mutate(r.id)}>
          Delete
        </ConfirmButton>
      ),
    },
  ];
  return (
    <Card title="Your alert rules" actions={rules.data ? <span className="muted">{rules.data.items.length} rule{rules.data.items.length === 1 ? '' : 's'}</span> : null}>
      <ErrorMessage error={rules.error ?? patch.error ?? remove.error} />
      {rules.isPending ? <Loading /> : null}
      {rules.data ? (
        <div data-testid="alert-rules">
          <Table columns={columns} rows={rules.data.items} rowKey={(r) => r.id} empty={<p className="muted">No rules yet: create one below. Alerts arrive live and stay in the list above.</p>} />
        </div>
      ) : null}
    </Card>
  );
}
