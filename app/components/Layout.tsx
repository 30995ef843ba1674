import { useEffect, type ReactNode } from 'react';
import { Icon, type IconName } from './Icon';

/** Sets the browser tab's title to "<title> · Commonhall". */
export function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = title === '' ? 'Commonhall' : `${title} · Commonhall`;
  }, [title]);
}

/** The title block of a page: one h1 (also the tab title), a lead paragraph and actions. */
export function PageHeader({
  title,
  description,
  actions,
}: {
  title: string;
  description?: ReactNode;
  actions?: ReactNode;
}) {
  useDocumentTitle(title);
  return (
    <header className="page-header">
      <div>
        <h1>{title}</h1>
        {description && <p className="lead">{description}</p>}
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </header>
  );
}

/** A surface grouping related content; `title` becomes an h2. */
export function Card({
  title,
  description,
  children,
  className,
  footer,
}: {
  title?: ReactNode;
  description?: ReactNode;
  children?: ReactNode;
  className?: string;
  footer?: ReactNode;
}) {
  return (
    <section className={`card${className ? ` ${className}` : ''}`}>
      {(title || description) && (
        <div className="card-head">
          {title && <h2>{title}</h2>}
          {description && <p className="muted">{description}</p>}
        </div>
      )}
      {children}
      {footer && <div className="card-foot">{footer}</div>}
    </section>
  );
}

/** What a place shows when it has nothing (yet). */
export function EmptyState({
  icon,
  title,
  children,
  action,
  level = 2,
}: {
  icon: IconName;
  title: ReactNode;
  children?: ReactNode;
  action?: ReactNode;
  /** 1 when the empty state is the whole page (no PageHeader above it). */
  level?: 1 | 2;
}) {
  const Heading = level === 1 ? 'h1' : 'h2';
  return (
    <div className="empty">
      <div className="empty-icon">
        <Icon name={icon} size={32} />
      </div>
      <Heading className="empty-title">{title}</Heading>
      {children && <div className="empty-body">{children}</div>}
      {action && <div className="empty-action">{action}</div>}
    </div>
  );
}

/** A narrow centred column for forms such as log in and sign up. */
export function Narrow({ children }: { children: ReactNode }) {
  return <div className="narrow">{children}</div>;
}

/** A small label, e.g. a role or a status. */
export function Badge({
  tone = 'neutral',
  children,
}: {
  tone?: 'neutral' | 'primary' | 'warning' | 'danger' | 'success';
  children: ReactNode;
}) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}

/** Shown while a page loads its data. */
export function Loading({ label }: { label: string }) {
  return (
    <div className="loading" role="status">
      <span className="spinner" aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}
