import type { ReactNode } from 'react';

export type Tone = 'neutral' | 'success' | 'warning' | 'danger' | 'info';

export interface BadgeProps {
  tone?: Tone | 'demo';
  /** Adds a coloured dot before the text (status indicators). */
  dot?: boolean;
  title?: string;
  children: ReactNode;
}

export function Badge({ tone = 'neutral', dot, title, children }: BadgeProps) {
  return (
    <span className={`ui-badge ui-badge--${tone}`} title={title}>
      {dot ? <span className="ui-dot" aria-hidden="true" /> : null}
      {children}
    </span>
  );
}

/** Maps a service/overall health status to a badge tone. */
export function statusTone(status: string | undefined): Tone {
  switch (status) {
    case 'ok':
    case 'connected':
      return 'success';
    case 'degraded':
    case 'reconnecting':
      return 'warning';
    case 'down':
    case 'offline':
      return 'danger';
    default:
      return 'neutral';
  }
}

/** The "DEMO" marker shown wherever demo mode matters (header, login). */
export function DemoBadge() {
  return (
    <Badge tone="demo" title="Demo mode: sample organisation and accounts">
      Demo
    </Badge>
  );
}
