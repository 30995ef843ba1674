import type { RouteObject } from 'react-router';
import { ComingSoon } from '@app/features/places/ComingSoon';

/** The handbook's pages (inside the shell). The handbook feature replaces this placeholder. */
export const handbookRoutes: { inShell: RouteObject[]; fullScreen: RouteObject[] } = {
  inShell: [{ path: 'handbook/*', element: <ComingSoon place="handbook" icon="handbook" /> }],
  fullScreen: [],
};
