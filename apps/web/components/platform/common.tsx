'use client';
import { useEffect, useState, type ReactNode } from 'react';
import { Badge, Button, type ButtonProps } from '@/components/ui';
import { formatDateTime } from '@/lib/format';
import { useDisplayTimeZone } from '@/lib/preferences';

/** A time in the display zone; "—" for null. */
export function When({ at, seconds = false }: { at: string | null | undefined; seconds?: boolean }) {
  const tz = useDisplayTimeZone();
  if (!at) return <span className="muted">—</span>;
  return (
    <span className="mono" style={{ whiteSpace: 'nowrap' }}>
      {formatDateTime(at, tz, { seconds })}
    </span>
  );
}

/**
 * A destructive action in two clicks: the first arms it ("Confirm …"), the second runs it.
 * Avoids window.confirm, which blocks the page and cannot be styled.
 */
export function ConfirmButton({
  onConfirm,
  children,
  confirmLabel,
  ...rest
}: Omit<ButtonProps, 'onClick'> & { onConfirm: () => void; confirmLabel?: ReactNode }) {
  const [armed, setArmed] = useState(false);
  useEffect(() => {
    if (!armed) return;
    const t = setTimeout(() => setArmed(false), 5000);
    return () => clearTimeout(t);
  }, [armed]);
  return (
    <Button
      variant={armed ? 'danger' : 'secondary'}
      size="sm"
      {...rest}
      onClick={() => {
        if (!armed) setArmed(true);
        else {
          setArmed(false);
          onConfirm();
        }
      }}
    >
      {armed ? (confirmLabel ?? 'Click again to confirm') : children}
    </Button>
  );
}

export function ActiveBadge({ active, activeLabel = 'active', inactiveLabel = 'deactivated' }: { active: boolean; activeLabel?: string; inactiveLabel?: string }) {
  return (
    <Badge tone={active ? 'success' : 'neutral'} dot>
      {active ? activeLabel : inactiveLabel}
    </Badge>
  );
}

/** A read-only value the user should copy (token, key, secret), selectable in one click. */
export function CopyValue({ value, label, testId }: { value: string; label: string; testId?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="row" style={{ gap: '0.5rem', flexWrap: 'nowrap' }}>
      <code
        aria-label={label}
        data-testid={testId}
        style={{ userSelect: 'all', wordBreak: 'break-all', padding: '0.35rem 0.5rem', border: '1px solid var(--border)', borderRadius: 6, flex: 1 }}
      >
        {value}
      </code>
      <Button
        variant="secondary"
        size="sm"
        onClick={() => {
          navigator.clipboard?.writeText(value).then(
            () => setCopied(true),
            () => setCopied(false),
          );
        }}
      >
        {copied ? 'Copied' : 'Copy'}
      </Button>
    </div>
  );
}

/** Section shown instead of a page or tab the user's role cannot use. */
export function NeedsPermission({ children }: { children: ReactNode }) {
  return (
    <div className="ui-alert ui-alert--warning" role="status" data-testid="needs-permission">
      {children}
    </div>
  );
}
