import type { RouteObject } from 'react-router';
import { SpaceDefaultsPage } from './SpaceDefaultsPage';
import { CreateSpacePage, EditSpacePage } from './SpaceFormPage';
import { SpacesPage } from './SpacesPage';

/**
 * Spaces' pages inside the shell (`inShell`: lists, create, edit, site defaults) and the
 * full-screen meeting at `/s/:slug` (pre-join, waiting, meeting), loaded on demand.
 */
export const spacesRoutes: { inShell: RouteObject[]; fullScreen: RouteObject[] } = {
  inShell: [
    { path: 'spaces', element: <SpacesPage /> },
    { path: 'spaces/new', element: <CreateSpacePage /> },
    { path: 'spaces/defaults', element: <SpaceDefaultsPage /> },
    { path: 'spaces/:slug/edit', element: <EditSpacePage /> },
  ],
  fullScreen: [
    {
      path: 's/:slug',
      lazy: async () => ({ Component: (await import('./MeetPage')).MeetPage }),
    },
  ],
};
