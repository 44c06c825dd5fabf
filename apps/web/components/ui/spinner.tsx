import type { Tone } from './badge';

/** An inline spinner; `label` is announced to screen readers (empty for decorative use). */
export function Spinner({ label = 'Loading' }: { label?: string }) {
  return (
    <span role={label ? 'status' : undefined} className="ui-spinner-wrap">
      <span className="ui-spinner" aria-hidden="true" />
      {label ? <span className="visually-hidden">{label}</span> : null}
    </span>
  );
}

/** A block "loading…" placeholder for a region whose data has not arrived. */
export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="ui-loading" role="status">
      <span className="ui-spinner" aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}

export interface ProgressBarProps {
  /** 0..max; undefined renders an indeterminate bar at 100%. */
  value: number | undefined;
  max?: number;
  label: string;
  tone?: Exclude<Tone, 'neutral' | 'info'>;
}

export function ProgressBar({ value, max = 100, label, tone }: ProgressBarProps) {
  const pct = value === undefined ? 100 : Math.max(0, Math.min(100, (value / max) * 100));
  return (
    <div
      className="ui-progress"
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={max}
      aria-valuenow={value === undefined ? undefined : Math.round(value * 100) / 100}
    >
      <div className={`ui-progress__bar${tone ? ` ui-progress__bar--${tone}` : ''}`} style={{ width: `${pct}%` }} />
    </div>
  );
}
