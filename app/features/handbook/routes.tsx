import type { RouteObject } from 'react-router';

/** The handbook's pages (inside the shell); each page is loaded when first visited. */
export const handbookRoutes: { inShell: RouteObject[]; fullScreen: RouteObject[] } = {
  inShell: [
    {
      path: 'handbook',
      lazy: async () => ({ Component: (await import('./HomePage')).HomePage }),
    },
    {
      path: 'handbook/-/search',
      lazy: async () => ({ Component: (await import('./SearchPage')).SearchPage }),
    },
    {
      path: 'handbook/-/keywords',
      lazy: async () => ({ Component: (await import('./KeywordsPage')).KeywordsPage }),
    },
    {
      path: 'handbook/-/sections',
      lazy: async () => ({ Component: (await import('./SectionsPage')).SectionsPage }),
    },
    {
      path: 'handbook/-/settings',
      lazy: async () => ({ Component: (await import('./SettingsPage')).SettingsPage }),
    },
    {
      path: 'handbook/-/transfer',
      lazy: async () => ({ Component: (await import('./ImportExportPage')).ImportExportPage }),
    },
    {
      path: 'handbook/:slug',
      lazy: async () => ({ Component: (await import('./PagePage')).PagePage }),
    },
    {
      path: 'handbook/:slug/history',
      lazy: async () => ({ Component: (await import('./HistoryPage')).HistoryPage }),
    },
  ],
  fullScreen: [],
};
