import type { ReactNode } from 'react';
import { ApiError } from '@/lib/api';

/** Text to show for any thrown value: the API's own message when the error came from the API. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

/**
 * Shows an error as the API worded it (never a generic "something went wrong"
 * when the server said why). Renders nothing for a null error.
 */
export function ErrorMessage({ error, title, action }: { error: unknown; title?: string; action?: ReactNode }) {
  if (error === null || error === undefined || error === false) return null;
  const code = error instanceof ApiError ? error.code : undefined;
  return (
    <div className="ui-alert ui-alert--danger" role="alert" data-error-code={code}>
      {title ? <div className="ui-alert__title">{title}</div> : null}
      <div>{errorText(error)}</div>
      {action ? <div style={{ marginTop: '0.4rem' }}>{action}</div> : null}
    </div>
  );
}

/** A non-error notice (info, warning, success) with the same look as ErrorMessage. */
export function Notice({ tone = 'info', children }: { tone?: 'info' | 'warning' | 'success'; children: ReactNode }) {
  return (
    <div className={`ui-alert ui-alert--${tone}`} role={tone === 'warning' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}
