import type { RouteObject } from 'react-router';
import { ComingSoon } from '@app/features/places/ComingSoon';

/**
 * Spaces' pages inside the shell (`inShell`) and full-screen ones such as a meeting (`fullScreen`).
 * The spaces feature replaces this placeholder.
 */
export const spacesRoutes: { inShell: RouteObject[]; fullScreen: RouteObject[] } = {
  inShell: [
    { path: 'spaces/*', element: <ComingSoon place="spaces" icon="spaces" /> },
    { path: 's/:slug', element: <ComingSoon place="spaces" icon="spaces" /> },
  ],
  fullScreen: [],
};
