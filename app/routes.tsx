/**
 * The route table. Each feature exports its routes from app/features/<domain>/routes.tsx and is
 * listed here once; pages inside the shell go in `children`, full-screen ones beside the shell.
 */
import type { RouteObject } from 'react-router';
import { adminRoutes } from '@app/features/admin/routes';
import { authRoutes } from '@app/features/auth/routes';
import { handbookRoutes } from '@app/features/handbook/routes';
import { homeRoutes } from '@app/features/home/routes';
import { NotFoundPage } from '@app/features/home/NotFoundPage';
import { placesRoutes } from '@app/features/places/routes';
import { spacesRoutes } from '@app/features/spaces/routes';
import { Shell } from '@app/shell/Shell';

export const routes: RouteObject[] = [
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
];
