/**
 * The route table. Each feature exports its routes from app/features/<domain>/routes.tsx and is
 * listed here once; pages inside the shell go in `children`, full-screen ones beside the shell.
 */
import { useTranslation } from 'react-i18next';
import type { RouteObject } from 'react-router';
import { Loading } from '@app/components';
import { adminRoutes } from '@app/features/admin/routes';
import { authRoutes } from '@app/features/auth/routes';
import { handbookRoutes } from '@app/features/handbook/routes';
import { homeRoutes } from '@app/features/home/routes';
import { NotFoundPage } from '@app/features/home/NotFoundPage';
import { placesRoutes } from '@app/features/places/routes';
import { spacesRoutes } from '@app/features/spaces/routes';
import { Shell } from '@app/shell/Shell';

/** What a lazy page shows while its code arrives, when it is the first page opened. */
function PageLoading() {
  const { t } = useTranslation();
  return <Loading label={t('status.loading')} />;
}

/**
 * Gives every lazy route a HydrateFallback. Opening a lazy page first, the router renders that
 * route's fallback (inside the shell) until the page's code has loaded; without one it renders
 * nothing and warns "No `HydrateFallback` element provided to render during initial hydration".
 */
function withPageLoading(table: RouteObject[]): RouteObject[] {
  return table.map((route): RouteObject => {
    if (route.index === true) {
      return route.lazy === undefined ? route : { HydrateFallback: PageLoading, ...route };
    }
    return {
      ...(route.lazy === undefined ? {} : { HydrateFallback: PageLoading }),
      ...route,
      ...(route.children === undefined ? {} : { children: withPageLoading(route.children) }),
    };
  });
}

export const routes: RouteObject[] = withPageLoading([
  {
    path: '/',
    element: <Shell />,
    children: [
      ...homeRoutes,
      ...authRoutes,
      ...adminRoutes,
      ...spacesRoutes.inShell,
      ...handbookRoutes.inShell,
      ...placesRoutes,
      { path: '*', element: <NotFoundPage /> },
    ],
  },
  ...spacesRoutes.fullScreen,
  ...handbookRoutes.fullScreen,
]);
