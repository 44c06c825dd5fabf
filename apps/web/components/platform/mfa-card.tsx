'use client';
import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Badge, Button, Card, ErrorMessage, Field, Input, Loading, Notice, useToast } from '@/components/ui';
import { ApiError, api, fieldErrors, refreshSession } from '@/lib/api';
import { platformKeys, useMfaStatus, type MfaEnrollBody, type MfaStatusBody, type MfaVerifyBody } from '@/lib/platform-queries';
import { CopyValue } from './common';

/** Recovery codes, shown once right after enrolment. */
function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  return (
    <div className="stack" style={{ gap: '0.6rem' }} data-testid="recovery-codes">
      <Notice tone="success">Two-factor authentication is on.</Notice>
      <Notice tone="warning">
        Save these recovery codes somewhere safe: each one signs you in once if you lose your device. They are shown only now.
      </Notice>
      <ol className="mono" style={{ columns: 2, margin: 0 }}>
        {codes.map((c) => (
          <li key={c}>{c}</li>
        ))}
      </ol>
      <CopyValue value={codes.join('\n')} label="All recovery codes" />
      <div>
        <Button onClick={onDone}>I have saved them</Button>
      </div>
    </div>
  );
}

function Enrolment({ onEnabled }: { onEnabled: (codes: string[]) => void }) {
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | undefined>();
  const enroll = useMutation({ mutationFn: () => api.post<MfaEnrollBody>('/api/auth/mfa/enroll') });
  const verify = useMutation({
    mutationFn: (c: string) => api.post<MfaVerifyBody>('/api/auth/mfa/verify', { code: c }),
    onSuccess: async (r) => {
      // The access token still says "enrolment pending" until it is refreshed.
      await refreshSession().catch(() => undefined);
      onEnabled(r.recovery_codes);
    },
    onError: (err) => setError(fieldErrors(err).code),
  });

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    const c = code.replace(/\s/g, '');
    if (!/^\d{6}$/.test(c)) return setError('Enter the 6-digit code your app shows.');
    setError(undefined);
    verify.mutate(c);
  }

  if (!enroll.data) {
    return (
      <div>
        <ErrorMessage error={enroll.error} />
        <p style={{ marginTop: 0 }}>
          Protect your account with a time-based code from an authenticator app (Google Authenticator, 1Password, Aegis, …) in addition to your password.
        </p>
        <Button onClick={() => enroll.mutate()} loading={enroll.isPending}>
          Set up two-factor authentication
        </Button>
      </div>
    );
  }
  const e = enroll.data;
  return (
    <div className="row" style={{ alignItems: 'flex-start', gap: '1.5rem' }} data-testid="mfa-enrolment">
      <div>
        {e.qr_svg_data_url ? (
          // A data: URL from our own server; next/image adds nothing for it.
          // eslint-disable-next-line @next/next/no-img-element
          <img src={e.qr_svg_data_url} alt="QR code to scan with your authenticator app" width={200} height={200} data-testid="mfa-qr" style={{ background: '#fff', borderRadius: 6 }} />
        ) : (
          <Notice tone="info">No QR code available: enter the secret by hand.</Notice>
        )}
      </div>
      <div className="stack" style={{ flex: '1 1 320px', gap: '0.6rem' }}>
        <div>1. Scan the QR code with your authenticator app, or enter this secret by hand:</div>
        <CopyValue value={e.secret} label="TOTP secret" testId="mfa-secret" />
        <div>2. Enter the 6-digit code the app shows to confirm:</div>
        <ErrorMessage error={verify.error && !fieldErrors(verify.error).code ? verify.error : null} />
        <form onSubmit={onSubmit} noValidate aria-label="Confirm two-factor enrolment" className="row" style={{ alignItems: 'flex-end' }}>
          <div style={{ flex: '0 1 200px' }}>
            <Field label="Authentication code" error={error}>
              {(p) => (
                <Input {...p} name="code" inputMode="numeric" autoComplete="one-time-code" maxLength={7} value={code} onChange={(ev) => setCode(ev.target.value)} />
              )}
            </Field>
          </div>
          <div style={{ marginBottom: '0.9rem' }}>
            <Button type="submit" loading={verify.isPending}>
              Confirm and turn on
            </Button>
          </div>
        </form>
      </div>
    </div>
  );
}

function Disable({ status }: { status: MfaStatusBody }) {
  const qc = useQueryClient();
  const toast = useToast();
  const [form, setForm] = useState({ password: '', code: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const disable = useMutation({
    mutationFn: () => api.post('/api/auth/mfa/disable', form),
    onSuccess: () => {
      setForm({ password: '', code: '' });
      qc.invalidateQueries({ queryKey: platformKeys.mfa });
      toast.show({ title: 'Two-factor authentication turned off', tone: 'warning' });
    },
    onError: (err) => setErrors(fieldErrors(err)),
  });
  function onSubmit(e: FormEvent) {
    e.preventDefault();
    const next: Record<string, string> = {};
    if (!form.password) next.password = 'Enter your password.';
    if (form.code.trim().length < 6) next.code = 'Enter a code from your app or a recovery code.';
    setErrors(next);
    if (Object.keys(next).length === 0) disable.mutate();
  }
  return (
    <div className="stack" style={{ gap: '0.6rem' }}>
      <div className="row">
        <Badge tone="success" dot>
          on
        </Badge>
        <span data-testid="recovery-codes-left">{status.recovery_codes_left} recovery codes left</span>
      </div>
      {status.required_by_organization ? (
        <Notice tone="info">Your organisation requires two-factor sign-in, so it cannot be turned off while you belong to it.</Notice>
      ) : (
        <form onSubmit={onSubmit} noValidate aria-label="Turn off two-factor authentication">
          <ErrorMessage error={disable.error && Object.keys(fieldErrors(disable.error)).length === 0 ? disable.error : null} />
          <div className="row" style={{ alignItems: 'flex-end' }}>
            <div style={{ flex: '1 1 200px' }}>
              <Field label="Password" error={errors.password}>
                {(p) => <Input {...p} type="password" autoComplete="current-password" value={form.password} onChange={(e) => setForm((f) => ({ ...f, password: e.target.value }))} />}
              </Field>
            </div>
            <div style={{ flex: '1 1 200px' }}>
              <Field label="Code or recovery code" error={errors.code}>
                {(p) => <Input {...p} autoComplete="one-time-code" value={form.code} onChange={(e) => setForm((f) => ({ ...f, code: e.target.value }))} />}
              </Field>
            </div>
            <div style={{ marginBottom: '0.9rem' }}>
              <Button type="submit" variant="danger" loading={disable.isPending}>
                Turn off
              </Button>
            </div>
          </div>
        </form>
      )}
    </div>
  );
}

/** Two-factor status, enrolment with QR code and recovery codes, and turning it off. */
export function MfaCard() {
  const qc = useQueryClient();
  const status = useMfaStatus();
  const [codes, setCodes] = useState<string[] | null>(null);
  // A member who must enrol cannot read their status yet: the answer is implied.
  const pending = status.error instanceof ApiError && status.error.code === 'mfa_enrollment_required';
  const effective: MfaStatusBody | undefined = pending ? { enabled: false, required_by_organization: true, recovery_codes_left: 0 } : status.data;

  return (
    <Card title="Two-factor authentication" actions={effective?.required_by_organization ? <Badge tone="warning">required by your organisation</Badge> : null}>
      {pending ? (
        <Notice tone="warning">
          Your organisation requires two-factor authentication. Set it up now to continue using OptiBid.
        </Notice>
      ) : (
        <ErrorMessage error={status.error} />
      )}
      {status.isPending ? <Loading /> : null}
      {codes ? (
        <RecoveryCodes
          codes={codes}
          onDone={() => {
            setCodes(null);
            qc.invalidateQueries();
          }}
        />
      ) : effective ? (
        effective.enabled ? (
          <Disable status={effective} />
        ) : (
          <Enrolment
            onEnabled={(c) => {
              setCodes(c);
              qc.invalidateQueries({ queryKey: platformKeys.mfa });
            }}
          />
        )
      ) : null}
    </Card>
  );
}
