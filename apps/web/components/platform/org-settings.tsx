'use client';
import { useEffect, useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Button, Card, ErrorMessage, Field, Input, Loading, Notice, useToast } from '@/components/ui';
import { api, fieldErrors } from '@/lib/api';
import { platformKeys, useOrgSettings, type OrgSettingsView } from '@/lib/platform-queries';
import { queryKeys } from '@/lib/queries';
import { hasPermission, useUser } from '@/lib/session';
import { When } from './common';

/** Organisation name and the two-factor requirement for its members. */
export function OrgSettings() {
  const user = useUser();
  const canManage = hasPermission(user, 'org:manage');
  const settings = useOrgSettings();
  const qc = useQueryClient();
  const toast = useToast();
  const [name, setName] = useState('');
  const [requireMfa, setRequireMfa] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  useEffect(() => {
    if (settings.data) {
      setName(settings.data.name);
      setRequireMfa(settings.data.require_mfa);
    }
  }, [settings.data]);

  const save = useMutation({
    mutationFn: (body: { name?: string; require_mfa?: boolean }) => api.patch<OrgSettingsView>('/api/org/settings', body),
    onSuccess: (s) => {
      qc.setQueryData(platformKeys.orgSettings, s);
      qc.invalidateQueries({ queryKey: queryKeys.me });
      toast.show({ title: 'Organisation settings saved', tone: 'success' });
    },
    onError: (err) => setErrors(fieldErrors(err)),
  });

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (!name.trim()) return setErrors({ name: 'Enter a name.' });
    setErrors({});
    save.mutate({ name: name.trim(), require_mfa: requireMfa });
  }

  return (
    <Card title="Organisation settings">
      <ErrorMessage error={settings.error ?? save.error} />
      {settings.isPending ? <Loading /> : null}
      {settings.data ? (
        <form onSubmit={onSubmit} noValidate aria-label="Organisation settings">
          <Field label="Organisation name" error={errors.name}>
            {(p) => <Input {...p} value={name} disabled={!canManage} maxLength={200} onChange={(e) => setName(e.target.value)} />}
          </Field>
          <label style={{ display: 'block', marginBottom: '0.5rem' }}>
            <input type="checkbox" name="require_mfa" checked={requireMfa} disabled={!canManage} onChange={(e) => setRequireMfa(e.target.checked)} /> Require two-factor
            sign-in for every member
          </label>
          {requireMfa && !settings.data.require_mfa ? (
            <Notice tone="warning">Members without two-factor authentication will have to enrol before they can use anything else.</Notice>
          ) : null}
          <dl className="ui-dl">
            <dt>Plan</dt>
            <dd>{settings.data.plan_id}</dd>
            <dt>Created</dt>
            <dd>
              <When at={settings.data.created_at} />
            </dd>
          </dl>
          {canManage ? (
            <Button type="submit" loading={save.isPending}>
              Save settings
            </Button>
          ) : (
            <p className="muted">Only owners and admins change these settings.</p>
          )}
        </form>
      ) : null}
    </Card>
  );
}
