import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { useSession } from '@app/lib/session';

/** Sends guests to the log-in page (and back here afterwards). */
export function RequireAccount({ children }: { children: ReactNode }) {
  const { account } = useSession();
  const location = useLocation();
  if (account === null) {
    const next = encodeURIComponent(location.pathname + location.search);
    return <Navigate to={`/login?next=${next}`} replace />;
  }
  return <>{children}</>;
}

/** Where to go after logging in: a local path from ?next=, else home. */
export function nextPath(search: URLSearchParams): string {
  const next = search.get('next');
  return next !== null && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}
