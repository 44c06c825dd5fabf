import type { HTMLAttributes, ReactNode } from 'react';

export interface CardProps extends Omit<HTMLAttributes<HTMLElement>, 'title'> {
  title?: ReactNode;
  /** Controls on the right of the title (buttons, badges). */
  actions?: ReactNode;
  children?: ReactNode;
}

/** A surface grouping one topic; the title becomes a labelled region for screen readers. */
export function Card({ title, actions, children, className, ...rest }: CardProps) {
  return (
    <section className={['ui-card', className ?? ''].join(' ').trim()} {...rest}>
      {title || actions ? (
        <div className="ui-card__header">
          {title ? <h2>{title}</h2> : null}
          {actions ? <div className="ui-card__actions">{actions}</div> : null}
        </div>
      ) : null}
      <div className="ui-card__body">{children}</div>
    </section>
  );
}
